import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCimJson, parseCimLicensing, parseCimList } from './cim.ts';
import { ParseError } from './licence-record.ts';

const FIXTURES = new URL('../../../test/fixtures/windows/cim/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

describe('parseCimLicensing, list form', () => {
  it('01: reads the real Win10 Pro OEM:DM sample, skipping the console-wrapped command line', () => {
    const { records, warnings } = parseCimLicensing(
      fixture('01_get-ciminstance_softwarelicensingproduct_oem_dm.txt'),
    );
    expect(warnings).toEqual([]);
    expect(records).toEqual([
      {
        name: 'Windows(R), Professional edition',
        edition: 'pro',
        editionRaw: 'Professional',
        channel: 'OEM_DM',
        channelRaw: 'OEM:DM',
        activationId: 'bd3762d7-270d-4760-8fb3-d829ca45278a',
        partialProductKey: 'F6YP2',
        installed: true,
        status: 'licensed',
        statusRaw: '1',
      },
    ]);
  });

  it('03: rejoins Names cut at the console width and flags licences without a key', () => {
    const { records } = parseCimList(
      fixture('03_constructed_get-ciminstance_format-list_win7_esu_wrapped.txt'),
    );
    const skus =
      'Enterprise,EnterpriseE,EnterpriseN,Professional,ProfessionalE,ProfessionalN,Ultimate,UltimateE,UltimateN';
    expect(records.map((r) => r.name)).toEqual(
      [1, 2, 3].map((y) => `Windows(R) 7, Client-ESU-Year${y} add-on for ${skus}`),
    );
    expect(records.map((r) => [r.esu, r.osVersion, r.status, r.installed, r.partialProductKey])).toEqual([
      [{ year: 1, product: 'windows-7' }, '7', 'licensed', true, 'QG7XW'],
      [{ year: 2, product: 'windows-7' }, '7', 'unlicensed', false, undefined],
      [{ year: 3, product: 'windows-7' }, '7', 'unlicensed', false, undefined],
    ]);
    expect(records.map((r) => r.activationId)).toEqual([
      '77db037b-95c3-48d7-a3ab-a9c6d41093e0',
      '0e00c25d-8795-4fb7-9572-3803d91b6880',
      '4220f546-f522-46df-8202-4d07afd26454',
    ]);
  });

  it('joins a value wrapped at a space with a space', () => {
    const text = [
      'Name          : Windows(R), Client-ESU-Year1 add-on for',
      '                Education,EducationN,Enterprise',
      'LicenseStatus : 1',
      'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    ].join('\n');
    expect(parseCimList(text).records[0]?.name).toBe(
      'Windows(R), Client-ESU-Year1 add-on for Education,EducationN,Enterprise',
    );
  });

  it('leaves installed unset when PartialProductKey was not selected', () => {
    const { records } = parseCimList('Name          : Windows(R), Professional edition\nLicenseStatus : 1\n');
    expect(records[0]?.installed).toBeUndefined();
  });

  it('formats the notification reason as slmgr does', () => {
    const text = [
      'Name                : Windows(R), Enterprise edition',
      'Description         : Windows(R) Operating System, VOLUME_KMSCLIENT channel',
      'LicenseStatus       : 5',
      'LicenseStatusReason : 3221549568',
    ].join('\n');
    expect(parseCimList(text).records[0]).toMatchObject({
      channel: 'VOLUME_KMSCLIENT',
      status: 'notification',
      notificationReason: '0xC004F200',
    });
  });
});

describe('parseCimLicensing, JSON form', () => {
  it('02: reads a ConvertTo-Json array with Win7 Pro, a licensed ESU Year1 and an unused Year2', () => {
    const { records, warnings } = parseCimLicensing(
      fixture('02_constructed_get-ciminstance_convertto-json_win7_esu.txt'),
    );
    expect(warnings).toEqual([]);
    expect(records[0]).toEqual({
      name: 'Windows(R) 7, Professional edition',
      description: 'Windows Operating System - Windows(R) 7, OEM_SLP channel',
      osVersion: '7',
      edition: 'pro',
      editionRaw: 'Professional',
      channel: 'OEM_SLP',
      channelRaw: 'OEM_SLP',
      activationId: '00000000-0000-4000-8000-000000000701',
      partialProductKey: '3V66T',
      installed: true,
      status: 'licensed',
      statusRaw: '1',
    });
    expect(records[1]).toMatchObject({
      esu: { year: 1, product: 'windows-7' },
      channel: 'VOLUME_MAK',
      activationId: '77db037b-95c3-48d7-a3ab-a9c6d41093e0',
      partialProductKey: 'QG7XW',
      installed: true,
      status: 'licensed',
    });
    expect(records[1]?.edition).toBeUndefined();
    expect(records[2]).toMatchObject({
      esu: { year: 2, product: 'windows-7' },
      installed: false,
      status: 'unlicensed',
    });
    expect(records[2]?.partialProductKey).toBeUndefined();
  });

  it('maps ProductKeyChannel values and all LicenseStatus numbers', () => {
    const json = JSON.stringify(
      ['OEM:DM', 'Volume:MAK', 'Volume:GVLK', 'Retail', 'OEM:NONSLP', 'OEM:COA_NSLP', 'Volume:CSVLK'].map(
        (pkc, i) => ({
          Name: 'Windows(R), Professional edition',
          ProductKeyChannel: pkc,
          LicenseStatus: i,
          PartialProductKey: 'ABCDE',
        }),
      ),
    );
    const { records } = parseCimJson(json);
    expect(records.map((r) => r.channel)).toEqual([
      'OEM_DM',
      'VOLUME_MAK',
      'VOLUME_KMSCLIENT',
      'RETAIL',
      'OEM_NONSLP',
      'OEM_COA_NSLP',
      'VOLUME_KMS',
    ]);
    expect(records.map((r) => r.status)).toEqual([
      'unlicensed',
      'licensed',
      'oob-grace',
      'oot-grace',
      'non-genuine-grace',
      'notification',
      'extended-grace',
    ]);
  });

  it('accepts a single object, PowerShell 5.1\'s {"value": [...], "Count": n} wrapper, and a prompt line', () => {
    const one = {
      name: 'Windows(R), Enterprise edition',
      licensestatus: 1,
      productkeychannel: 'Volume:GVLK',
    };
    expect(parseCimJson(JSON.stringify(one)).records[0]).toMatchObject({
      edition: 'enterprise',
      status: 'licensed',
    });
    expect(parseCimJson(JSON.stringify({ value: [one, one], Count: 2 })).records).toHaveLength(2);
    expect(
      parseCimLicensing(`PS C:\\> gcim SoftwareLicensingProduct | ConvertTo-Json\n${JSON.stringify(one)}`)
        .records,
    ).toHaveLength(1);
  });

  it('warns about unknown channels and statuses and skips non-licensing entries', () => {
    const { records, warnings } = parseCimJson(
      JSON.stringify([
        {
          Name: 'Windows(R), ServerDatacenterEval edition',
          ProductKeyChannel: 'Retail:TB:Eval',
          LicenseStatus: 9,
        },
        42,
        { Foo: 1 },
      ]),
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      channel: 'UNKNOWN',
      channelRaw: 'Retail:TB:Eval',
      status: 'unknown',
      osVersion: 'server',
    });
    expect(warnings.map((w) => w.code).sort()).toEqual([
      'skipped-entry',
      'skipped-entry',
      'unrecognised-channel',
      'unrecognised-status',
    ]);
  });

  it('masks a full key that somehow appears in JSON', () => {
    const key = 'ABCDE-12345-FGHIJ-67890-KLMNO';
    const out = JSON.stringify(
      parseCimJson(JSON.stringify({ Name: `Windows(R) ${key}`, PartialProductKey: key })),
    );
    expect(out).not.toContain(key);
    expect(out).toContain('KLMNO');
  });
});

describe('parseCimLicensing errors', () => {
  it('reports where broken JSON stops parsing', () => {
    let caught: unknown;
    try {
      parseCimLicensing(
        '# Source: x\n[\n    {\n        "Name":  "Windows(R)",\n        "LicenseStatus":  1,\n    }\n',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect((caught as ParseError).line).toBeGreaterThanOrEqual(5);
    expect((caught as ParseError).message).toMatch(/ConvertTo-Json/);
  });

  it('throws ParseError naming the expected shape on text without CIM properties', () => {
    expect(() => parseCimLicensing('hello\nworld')).toThrowError(/Get-CimInstance SoftwareLicensingProduct/);
    expect(() => parseCimLicensing('Foo : bar')).toThrowError(ParseError);
  });
});
