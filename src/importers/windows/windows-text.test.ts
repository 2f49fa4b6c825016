import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeWindowsText, maskProductKeys, prepareLines, toText } from './windows-text.ts';

const SAMPLE = 'Name: Windows(R), Professional edition\r\nLicense Status: Licensed\r\n';

describe('decodeWindowsText', () => {
  it('decodes UTF-16LE with a BOM, as PowerShell 5.1 `>` writes', () => {
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SAMPLE, 'utf16le')]);
    expect(decodeWindowsText(buf)).toBe(SAMPLE);
  });

  it('decodes UTF-16BE with a BOM', () => {
    const le = Buffer.from(SAMPLE, 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(decodeWindowsText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(SAMPLE);
  });

  it('drops a UTF-8 BOM', () => {
    expect(decodeWindowsText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)]))).toBe(
      SAMPLE,
    );
  });

  it('reads plain UTF-8, including Japanese', () => {
    expect(decodeWindowsText(Buffer.from('名前: Windows(R)\n'))).toBe('名前: Windows(R)\n');
  });

  it('recognises BOM-less UTF-16LE by its NUL pattern', () => {
    expect(decodeWindowsText(Buffer.from(SAMPLE, 'utf16le'))).toBe(SAMPLE);
  });

  it('uses the legacy code page only when the bytes are not UTF-8 and one is named', () => {
    const cp932 = iconv.encode('名前: Windows(R)', 'cp932');
    expect(decodeWindowsText(cp932, 'cp932')).toBe('名前: Windows(R)');
    expect(decodeWindowsText(cp932)).toContain('\ufffd');
  });

  it('accepts strings unchanged through toText', () => {
    expect(toText(SAMPLE)).toBe(SAMPLE);
  });
});

describe('maskProductKeys', () => {
  it('keeps only the last 5 characters of a full key, wherever it is', () => {
    expect(maskProductKeys('key ABCDE-12345-FGHIJ-67890-KLMNO here')).toBe(
      'key *****-*****-*****-*****-KLMNO here',
    );
    expect(maskProductKeys('xABCDE-12345-FGHIJ-67890-KLMNOx')).toBe('x*****-*****-*****-*****-KLMNOx');
  });

  it('leaves extended PIDs, GUIDs and partial keys alone', () => {
    const text =
      '03612-05150-000-025690-03-1033-19045.0000-2962025 f520e45e-7413-4a34-a497-d2765967d094 4C6R8';
    expect(maskProductKeys(text)).toBe(text);
  });
});

describe('prepareLines', () => {
  it('drops the leading # source line but keeps original line numbers', () => {
    const { lines } = prepareLines('# Source: somewhere\r\nName: x\r\n\r\nLicense Status: Licensed');
    expect(lines).toEqual([
      { no: 2, text: 'Name: x' },
      { no: 3, text: '' },
      { no: 4, text: 'License Status: Licensed' },
    ]);
  });

  it("collapses wmic's \\r\\r\\n endings and strips a BOM", () => {
    const { lines } = prepareLines('\ufeffHotFixID=KB1\r\r\nInstalledOn=1/2/2020\r\r\n');
    expect(lines.map((l) => l.text)).toEqual(['HotFixID=KB1', 'InstalledOn=1/2/2020', '']);
  });

  it('removes NULs left by UTF-16 text read as UTF-8, with a warning', () => {
    const garbled = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name: x', 'utf16le')]).toString(
      'utf8',
    );
    const { lines, warnings } = prepareLines(garbled);
    expect(lines[0]?.text).toBe('Name: x');
    expect(warnings.map((w) => w.code)).toEqual(['nul-characters']);
  });

  it('masks full keys before any parser sees them', () => {
    const { lines } = prepareLines('Product Key: ABCDE-12345-FGHIJ-67890-KLMNO');
    expect(lines[0]?.text).toBe('Product Key: *****-*****-*****-*****-KLMNO');
  });
});
