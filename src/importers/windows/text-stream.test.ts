import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { openWindowsText } from './text-stream.ts';
import { decodeWindowsText, prepareLines, type TextLine } from './windows-text.ts';

const FIXTURES = new URL('../../../test/fixtures/windows/', import.meta.url).pathname;
const fixtures = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((f) => statSync(join(FIXTURES, f)).isFile())
  .sort();

const dir = mkdtempSync(join(tmpdir(), 'kenri-text-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const streamed = async (file: string, chunkBytes: number): Promise<TextLine[]> => {
  const text = await openWindowsText(file, statSync(file).size, { chunkBytes });
  const out: TextLine[] = [];
  for await (const lines of text.lines) out.push(...lines);
  return out;
};

/** What the whole-file path reads: decodeWindowsText with the Japanese console code page, then prepareLines. */
const whole = (file: string): TextLine[] =>
  prepareLines(decodeWindowsText(readFileSync(file), 'cp932')).lines;

describe('openWindowsText reads a file as prepareLines reads it whole', () => {
  it('has fixtures to compare', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s, in chunks of 1, 2, 3, 7 and 4096 bytes', async (name) => {
    const file = join(FIXTURES, name);
    const expected = whole(file);
    for (const chunk of [1, 2, 3, 7, 4096]) expect(await streamed(file, chunk)).toEqual(expected);
  });

  it.each([
    [
      'UTF-8 with CR CR LF endings (wmic)',
      Buffer.from('# src\r\r\nHotFixID=KB1\r\r\n\r\r\nInstalledOn=1/2/2020\r\n'),
    ],
    [
      'cp932 from a Japanese console',
      iconv.encode('名前: Windows(R), Professional edition\r\n説明: テスト\r\n', 'cp932'),
    ],
    [
      'UTF-16BE with a BOM',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('a\r\nb\r\n', 'utf16le').swap16()]),
    ],
    [
      'BOM-less UTF-16LE',
      Buffer.from('Source  HotFixID\r\n------  --------\r\nPC-1    KB4490628\r\n', 'utf16le'),
    ],
    ['lone CRs and a full key to mask', Buffer.from('a\rb\rkey BCDFG-HJKMP-QRTVW-XY234-QG7XW\r')],
  ])('%s', async (_, bytes) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(file, bytes);
    const expected = whole(file);
    for (const chunk of [1, 2, 3, 5]) expect(await streamed(file, chunk)).toEqual(expected);
    expect(JSON.stringify(expected)).not.toContain('BCDFG-HJKMP');
  });
});
