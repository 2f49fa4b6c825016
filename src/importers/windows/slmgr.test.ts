import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError, type WindowsLicenceRecord } from './licence-record.ts';
import { parseSlmgr } from './slmgr.ts';

const FIXTURES = new URL('../../../test/fixtures/windows/slmgr/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const only = (input: string | Buffer): WindowsLicenceRecord => {
  const { records } = parseSlmgr(input);
  expect(records).toHaveLength(1);
  return records[0]!;
};

describe('parseSlmgr on the real samples', () => {
  it('01: Win7 Enterprise KMS client in notification (/dlv)', () => {
    const { records, warnings } = parseSlmgr(
      fixture('01_en_dlv_win7_enterprise_kmsclient_notification_0xC004F200.txt'),
    );
    expect(warnings).toEqual([]);
    expect(records).toEqual([
      {
        name: 'Windows(R) 7, Enterprise edition',
        description: 'Windows Operating System - Windows(R) 7, VOLUME_KMSCLIENT channel',
        osVersion: '7',
        edition: 'enterprise',
        editionRaw: 'Enterprise',
        channel: 'VOLUME_KMSCLIENT',
        channelRaw: 'VOLUME_KMSCLIENT',
        activationId: 'ae2ee509-1b34-41c0-acb7-6d4650168915',
        applicationId: '55c92734-d682-4d71-983e-d6ec3f16059f',
        partialProductKey: 'HVTHH',
        installed: true,
        status: 'notification',
        statusRaw: 'Notification',
        notificationReason: '0xC004F200 (non-genuine).',
      },
    ]);
  });

  it('02: Win10 Client-ESU Year1 add-on, MAK, licensed (/dlv)', () => {
    const record = only(fixture('02_en_dlv_win10_client_esu_year1_mak_licensed.txt'));
    expect(record.name).toMatch(/^Windows\(R\), Client-ESU-Year1 add-on for Education,EducationN,/);
    expect(record.esu).toEqual({ year: 1, product: 'windows-10' });
    expect(record.osVersion).toBeUndefined();
    expect(record.edition).toBeUndefined();
    expect(record.channel).toBe('VOLUME_MAK');
    expect(record.channelRaw).toBe('VOLUME_MAK');
    expect(record.activationId).toBe('f520e45e-7413-4a34-a497-d2765967d094');
    expect(record.partialProductKey).toBe('4C6R8');
    expect(record.status).toBe('licensed');
  });

  it('04: Win7 Enterprise KMS client (/dli) with the KMS client block after a blank line', () => {
    const { records, warnings } = parseSlmgr(fixture('04_en_dli_win7_enterprise_kmsclient.txt'));
    expect(warnings).toEqual([]);
    expect(records).toEqual([
      {
        name: 'Windows(R) 7, Enterprise edition',
        description: 'Windows Operating System - Windows(R) 7, VOLUME_KMSCLIENT channel',
        osVersion: '7',
        edition: 'enterprise',
        editionRaw: 'Enterprise',
        channel: 'VOLUME_KMSCLIENT',
        channelRaw: 'VOLUME_KMSCLIENT',
        partialProductKey: 'DVQ7P',
        installed: true,
        status: 'licensed',
        statusRaw: 'Licensed',
      },
    ]);
  });

  it('07: Win10 Pro OEM_DM (/dli)', () => {
    const record = only(fixture('07_en_dli_win10pro_oem_dm.txt'));
    expect(record).toMatchObject({
      name: 'Windows(R), Professional edition',
      edition: 'pro',
      channel: 'OEM_DM',
      partialProductKey: 'D692P',
      status: 'licensed',
    });
    expect(record.osVersion).toBeUndefined();
  });
});

describe('parseSlmgr on constructed fixtures', () => {
  it('10: /dlv all on Win7 Pro with the ESU Year1 add-on licensed and Year2 unused', () => {
    const { records, warnings } = parseSlmgr(
      fixture('10_constructed_en_dlv_all_win7_pro_oem_slp_esu_year1.txt'),
    );
    expect(warnings).toEqual([]);
    expect(
      records.map((r) => [
        r.osVersion,
        r.edition,
        r.channel,
        r.esu,
        r.partialProductKey,
        r.installed,
        r.status,
      ]),
    ).toEqual([
      ['7', 'pro', 'OEM_SLP', undefined, '3V66T', true, 'licensed'],
      ['7', undefined, 'VOLUME_MAK', { year: 1, product: 'windows-7' }, 'QG7XW', true, 'licensed'],
      ['7', undefined, 'VOLUME_MAK', { year: 2, product: 'windows-7' }, undefined, false, 'unlicensed'],
    ]);
    expect(records.map((r) => r.activationId)).toEqual([
      '00000000-0000-4000-8000-000000000701',
      '77db037b-95c3-48d7-a3ab-a9c6d41093e0',
      '0e00c25d-8795-4fb7-9572-3803d91b6880',
    ]);
  });

  it('11: UTF-16LE file with BOM and CRLF, given as a Buffer', () => {
    const buf = fixture('11_constructed_en_dli_win10pro_oem_dm_utf16le_crlf.txt');
    expect([buf[0], buf[1]]).toEqual([0xff, 0xfe]);
    expect(buf.toString('utf16le')).toContain('\r\n');
    expect(only(buf)).toEqual({
      name: 'Windows(R), Professional edition',
      description: 'Windows(R) Operating System, OEM_DM channel',
      edition: 'pro',
      editionRaw: 'Professional',
      channel: 'OEM_DM',
      channelRaw: 'OEM_DM',
      partialProductKey: '8HVX7',
      installed: true,
      status: 'licensed',
      statusRaw: 'Licensed',
    });
  });
});

describe('parseSlmgr on localised output', () => {
  const japanese = [
    '名前: Windows(R), Professional edition',
    '説明: Windows(R) Operating System, OEM_DM channel',
    '部分プロダクト キー: 3V66T',
    'ライセンスの状態: ライセンスされています',
  ].join('\r\n');

  it('names the labels it could not read, does not guess, but still takes the channel token', () => {
    const { records, warnings } = parseSlmgr(japanese);
    expect(records).toEqual([
      {
        name: '',
        channel: 'OEM_DM',
        channelRaw: 'OEM_DM',
        status: 'unknown',
        unrecognisedLabels: ['名前', '説明', '部分プロダクト キー', 'ライセンスの状態'],
      },
    ]);
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning?.code).toBe('unrecognised-labels');
    expect(warning?.line).toBe(1);
    for (const label of ['名前', '説明', '部分プロダクト キー', 'ライセンスの状態']) {
      expect(warning?.message).toContain(`"${label}"`);
    }
    expect(warning?.message).toContain('line 1');
    expect(warning?.message).toContain('English labels only');
    expect(warning?.message).toContain('Get-CimInstance');
  });

  it('also treats a full-width colon as ending a label', () => {
    const { records } = parseSlmgr(
      '名前：Windows(R), Professional edition\n説明：Windows(R) Operating System, RETAIL channel',
    );
    expect(records[0]?.unrecognisedLabels).toEqual(['名前', '説明']);
    expect(records[0]?.channel).toBe('RETAIL');
  });

  it('splits several localised products at blank lines when each has its own channel', () => {
    const text = `${japanese}\r\n\r\n名前: Windows(R), Client-ESU-Year1 add-on for Core\r\n説明: Windows(R) Operating System, VOLUME_MAK channel\r\n`;
    const { records, warnings } = parseSlmgr(text);
    expect(records.map((r) => r.channel)).toEqual(['OEM_DM', 'VOLUME_MAK']);
    expect(warnings.map((w) => w.line)).toEqual([1, 6]);
  });

  it('keeps a localised KMS client block with its product', () => {
    const text = `${japanese}\n\nキー管理サービス クライアント情報\n    クライアント コンピューター ID (CMID): 2ffcfc30-6a6a-49ec-92b8-f6150c7df211\n`;
    const { records } = parseSlmgr(text);
    expect(records).toHaveLength(1);
    expect(records[0]?.unrecognisedLabels).toContain('クライアント コンピューター ID (CMID)');
  });
});

describe('parseSlmgr edge cases', () => {
  it('reads the Windows Script Host dialog copied with Ctrl+C', () => {
    const text = [
      '---------------------------',
      'Windows Script Host',
      '---------------------------',
      'Name: Windows(R), Enterprise edition',
      'Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel',
      'Partial Product Key: 2YT43',
      'License Status: Licensed',
      'Volume activation expiration: 259200 minute(s) (180 day(s))',
      '---------------------------',
      'OK   ',
      '---------------------------',
    ].join('\r\n');
    const { records, warnings } = parseSlmgr(text);
    expect(warnings).toEqual([]);
    expect(records[0]).toMatchObject({
      edition: 'enterprise',
      channel: 'VOLUME_KMSCLIENT',
      status: 'licensed',
    });
  });

  it('maps every English status text', () => {
    const status = (s: string) => only(`Name: Windows(R), Professional edition\nLicense Status: ${s}`).status;
    expect(status('Initial grace period')).toBe('oob-grace');
    expect(status('Additional grace period (KMS license expired or hardware out of tolerance)')).toBe(
      'oot-grace',
    );
    expect(status('Non-genuine grace period.')).toBe('non-genuine-grace');
    expect(status('Extended grace period')).toBe('extended-grace');
    expect(status('Unlicensed')).toBe('unlicensed');
  });

  it('uses Product Key Channel when the Description has no token, and flags disagreement', () => {
    expect(only('Name: Windows(R), Professional edition\nProduct Key Channel: Retail').channel).toBe(
      'RETAIL',
    );
    const { records, warnings } = parseSlmgr(
      'Name: Windows(R), Professional edition\nDescription: Windows(R) Operating System, RETAIL channel\nProduct Key Channel: OEM:DM',
    );
    expect(records[0]?.channel).toBe('RETAIL');
    expect(warnings.map((w) => w.code)).toEqual(['channel-mismatch']);
  });

  it('reports an unknown English status and a redacted Activation ID instead of guessing', () => {
    const { records, warnings } = parseSlmgr(
      'Name: Windows(R), Professional edition\nActivation ID: <removed>\nLicense Status: Pending',
    );
    expect(records[0]?.status).toBe('unknown');
    expect(records[0]?.statusRaw).toBe('Pending');
    expect(records[0]?.activationId).toBeUndefined();
    expect(warnings.map((w) => [w.code, w.line])).toEqual([
      ['invalid-value', 2],
      ['unrecognised-status', 3],
    ]);
  });

  it("turns slmgr's own error into a ParseError quoting it", () => {
    expect(() => parseSlmgr('Error: product key not found.')).toThrowError(/product key not found/);
  });

  it('throws ParseError with a line number on garbage', () => {
    let caught: unknown;
    try {
      parseSlmgr('# Source: nowhere\n\nhello world\nfoo: bar\n');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect((caught as ParseError).line).toBe(3);
    expect((caught as ParseError).message).toMatch(/Name: Windows\(R\) 7, Enterprise edition/);
  });

  it('throws ParseError on empty input', () => {
    expect(() => parseSlmgr('')).toThrowError(ParseError);
    expect(() => parseSlmgr(Buffer.alloc(0))).toThrowError(ParseError);
  });
});

describe('product keys', () => {
  it('never copies a full key into a field or warning', () => {
    const key = 'ABCDE-12345-FGHIJ-67890-KLMNO';
    const { records, warnings } = parseSlmgr(
      `Name: Windows(R), Professional edition ${key}\nPartial Product Key: ${key}\nProduct Key: ${key}\nLicense Status: ${key}`,
    );
    const out = JSON.stringify({ records, warnings });
    expect(out).not.toContain(key);
    expect(out).not.toContain('ABCDE');
    expect(records[0]?.partialProductKey).toBe('KLMNO');
    expect(records[0]?.name).toBe('Windows(R), Professional edition *****-*****-*****-*****-KLMNO');
  });

  it('property: a full key anywhere in the text never reaches the output or the error', () => {
    const group = fc.stringMatching(/^[A-Z0-9]{5}$/);
    const key = fc.tuple(group, group, group, group, group).map((g) => g.join('-'));
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 6 }), key, fc.nat(), (lines, k, at) => {
        const all = [...lines];
        all.splice(
          at % (all.length + 1),
          0,
          `Partial Product Key: ${k}`,
          `Description: ${k} VOLUME_MAK channel`,
        );
        let out: string;
        try {
          out = JSON.stringify(parseSlmgr(all.join('\n')));
        } catch (error) {
          out = String((error as Error).message);
        }
        expect(out).not.toContain(k);
      }),
      { numRuns: 300 },
    );
  });
});

describe('robustness', () => {
  it('property: parseSlmgr throws nothing but ParseError on arbitrary strings', () => {
    const label = fc.constantFrom(
      'Name: ',
      'Description: ',
      'License Status: ',
      'Partial Product Key: ',
      '名前: ',
      'Error: ',
      '',
      '    ',
      '# ',
    );
    const line = fc.tuple(label, fc.string({ unit: 'binary', maxLength: 40 })).map(([l, v]) => l + v);
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc
        .tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r'))
        .map(([ls, eol]) => ls.join(eol)),
    );
    fc.assert(
      fc.property(text, (input) => {
        try {
          const result = parseSlmgr(input);
          expect(result.records.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('property: arbitrary bytes decode and parse without other exceptions', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseSlmgr(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
