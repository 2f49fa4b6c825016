import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildRecord,
  channelFromProductKeyChannel,
  channelFromToken,
  esuFromName,
  findChannelToken,
  formatHresult,
  normaliseEdition,
  normaliseGuid,
  normalisePartialKey,
  osVersionFrom,
  resolveChannel,
  statusFromNumber,
  statusFromSlmgrText,
} from './licence-derive.ts';

const FIXTURES = new URL('../../../test/fixtures/windows/', import.meta.url);

describe('channels', () => {
  it('finds upper-case channel tokens only, so URLs saying "Retail" do not count', () => {
    expect(findChannelToken('Windows(R) Operating System, OEM_DM channel')).toBe('OEM_DM');
    expect(findChannelToken('Windows Operating System - Windows(R) 7, VOLUME_KMSCLIENT channel')).toBe(
      'VOLUME_KMSCLIENT',
    );
    expect(findChannelToken('Windows(R) 7, VOLUME_KMS_R2_B channel')).toBe('VOLUME_KMS_R2_B');
    expect(findChannelToken('説明: Windows(R), OEM_COA_NSLP チャネル')).toBe('OEM_COA_NSLP');
    expect(
      findChannelToken('https://activation-v2.sls.microsoft.com/x.asmx?configextension=Retail'),
    ).toBeUndefined();
    expect(findChannelToken('XOEM_DM')).toBeUndefined();
  });

  it('maps tokens and ProductKeyChannel values', () => {
    expect(channelFromToken('VOLUME_KMS_R2_B')).toBe('VOLUME_KMS');
    expect(channelFromToken('VOLUME_KMSCLIENT')).toBe('VOLUME_KMSCLIENT');
    expect(channelFromToken('TIMEBASED_EVAL')).toBe('UNKNOWN');
    expect(channelFromProductKeyChannel('OEM:DM')).toBe('OEM_DM');
    expect(channelFromProductKeyChannel('Volume:MAK')).toBe('VOLUME_MAK');
    expect(channelFromProductKeyChannel('Volume:GVLK')).toBe('VOLUME_KMSCLIENT');
    expect(channelFromProductKeyChannel('Volume:CSVLK')).toBe('VOLUME_KMS');
    expect(channelFromProductKeyChannel('Retail')).toBe('RETAIL');
    expect(channelFromProductKeyChannel('OEM:NONSLP')).toBe('OEM_NONSLP');
    expect(channelFromProductKeyChannel('OEM:COA_NSLP')).toBe('OEM_COA_NSLP');
    expect(channelFromProductKeyChannel('OEM:COA_SLP')).toBe('OEM_COA_SLP');
    expect(channelFromProductKeyChannel('OEM:SLP')).toBe('OEM_SLP');
    expect(channelFromProductKeyChannel('Retail:TB:Eval')).toBeUndefined();
  });

  it('prefers the Description token and flags disagreement', () => {
    expect(resolveChannel('VOLUME_MAK', 'Volume:MAK')).toEqual({
      channel: 'VOLUME_MAK',
      channelRaw: 'VOLUME_MAK',
    });
    expect(resolveChannel(undefined, 'OEM:DM')).toEqual({ channel: 'OEM_DM', channelRaw: 'OEM:DM' });
    expect(resolveChannel('RETAIL', 'OEM:DM').problem).toBe('mismatch');
    expect(resolveChannel(undefined, 'Retail:TB:Eval')).toEqual({
      channel: 'UNKNOWN',
      channelRaw: 'Retail:TB:Eval',
      problem: 'unrecognised',
    });
    expect(resolveChannel(undefined, undefined)).toEqual({ channel: 'UNKNOWN' });
  });
});

describe('statuses', () => {
  it('maps LicenseStatus numbers 0–6', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 1.5].map(statusFromNumber)).toEqual([
      'unlicensed',
      'licensed',
      'oob-grace',
      'oot-grace',
      'non-genuine-grace',
      'notification',
      'extended-grace',
      'unknown',
      'unknown',
    ]);
  });

  it("maps slmgr's English status texts", () => {
    expect(statusFromSlmgrText('Licensed')).toBe('licensed');
    expect(statusFromSlmgrText('Unlicensed')).toBe('unlicensed');
    expect(statusFromSlmgrText('Initial grace period')).toBe('oob-grace');
    expect(
      statusFromSlmgrText('Additional grace period (KMS license expired or hardware out of tolerance)'),
    ).toBe('oot-grace');
    expect(statusFromSlmgrText('Non-genuine grace period.')).toBe('non-genuine-grace');
    expect(statusFromSlmgrText('Notification')).toBe('notification');
    expect(statusFromSlmgrText('Extended grace period')).toBe('extended-grace');
    expect(statusFromSlmgrText('ライセンスされています')).toBeUndefined();
  });
});

describe('editions and versions', () => {
  it('normalises edition tokens, folding N/E/KN variants into their base', () => {
    expect(normaliseEdition('Professional')).toBe('pro');
    expect(normaliseEdition('ProfessionalN')).toBe('pro');
    expect(normaliseEdition('EnterpriseE')).toBe('enterprise');
    expect(normaliseEdition('EnterpriseS')).toBe('enterprise-ltsc');
    expect(normaliseEdition('EnterpriseSN')).toBe('enterprise-ltsc');
    expect(normaliseEdition('Core')).toBe('home');
    expect(normaliseEdition('CoreSingleLanguage')).toBe('home-single-language');
    expect(normaliseEdition('UltimateKN')).toBe('ultimate');
    expect(normaliseEdition('HomePremium')).toBe('home-premium');
    expect(normaliseEdition('EducationN')).toBe('education');
    expect(normaliseEdition('SomethingNew')).toBe('somethingnew');
  });

  it('reads the OS version only where the text states it', () => {
    expect(osVersionFrom('Windows(R) 7, Enterprise edition')).toBe('7');
    expect(
      osVersionFrom('Windows(R), Professional edition', 'Windows(R) Operating System, OEM_DM channel'),
    ).toBe(undefined);
    expect(
      osVersionFrom(undefined, 'Windows Operating System - Windows(R) 7, VOLUME_KMSCLIENT channel'),
    ).toBe('7');
    expect(osVersionFrom('Windows(R), ServerDatacenter edition')).toBe('server');
    expect(osVersionFrom('Windows 8.1 Pro')).toBe('8.1');
    expect(osVersionFrom('Windows(R) 70')).toBeUndefined();
  });
});

describe('ESU add-on names', () => {
  it('reads the real Win7 ESU Name strings listed in cim/05', () => {
    const md = readFileSync(new URL('cim/05_win7_esu_sku_name_strings.txt', FIXTURES), 'utf8');
    const quoted = [...md.matchAll(/"(Windows\(R\)[^"]+)"/g)].map((m) => m[1]!);
    expect(quoted).toEqual([
      'Windows(R) 7, Client-ESU-Year2 add-on for Enterprise,EnterpriseE,EnterpriseN,Professional,ProfessionalE,ProfessionalN,Ultimate,UltimateE,UltimateN',
    ]);
    expect(esuFromName(quoted[0]!).esu).toEqual({ year: 2, product: 'windows-7' });
    // The Year-1 pattern the deployment script matches on.
    expect(esuFromName('Windows(R) 7, Client-ESU-Year1 add-on for Enterprise').esu).toEqual({
      year: 1,
      product: 'windows-7',
    });
  });

  it('treats the unversioned Client-ESU name as Windows 10 and server ESU as other', () => {
    expect(esuFromName('Windows(R), Client-ESU-Year1 add-on for Education,EducationN').esu).toEqual({
      year: 1,
      product: 'windows-10',
    });
    expect(esuFromName('Windows(R), Server-ESU-Year3 add-on for ServerStandard').esu).toEqual({
      year: 3,
      product: 'other',
    });
    expect(esuFromName('Windows(R), Client-ESU-Year6 add-on for Core')).toEqual({ year: 6 });
    expect(esuFromName('Windows(R), Professional edition')).toEqual({});
  });
});

describe('value normalisation', () => {
  it('lower-cases GUIDs and rejects redactions', () => {
    expect(normaliseGuid('AE2EE509-1B34-41C0-ACB7-6D4650168915')).toBe(
      'ae2ee509-1b34-41c0-acb7-6d4650168915',
    );
    expect(normaliseGuid('{ae2ee509-1b34-41c0-acb7-6d4650168915}')).toBe(
      'ae2ee509-1b34-41c0-acb7-6d4650168915',
    );
    expect(normaliseGuid('<removed>')).toBeUndefined();
  });

  it('accepts 5-character partial keys and the visible tail of a masked full key', () => {
    expect(normalisePartialKey('hvthh')).toBe('HVTHH');
    expect(normalisePartialKey('*****-*****-*****-*****-KLMNO')).toBe('KLMNO');
    expect(normalisePartialKey('HVTH')).toBeUndefined();
  });

  it('formats HRESULTs as slmgr prints them', () => {
    expect(formatHresult(3221549568)).toBe('0xC004F200');
    expect(formatHresult(-1073417728)).toBe('0xC004F200');
  });
});

describe('buildRecord', () => {
  it('derives no edition from an add-on Name, whose list is of applicable SKUs', () => {
    const record = buildRecord(
      {
        name: 'Windows(R) 7, Client-ESU-Year1 add-on for Enterprise,Professional',
        licenseFamily: 'Enterprise',
      },
      () => {},
    );
    expect(record.edition).toBeUndefined();
    expect(record.esu).toEqual({ year: 1, product: 'windows-7' });
  });

  it('keeps the raw edition of non-Windows products without normalising it', () => {
    const record = buildRecord({ name: 'Office 16, Office16ProPlusVL_KMS_Client edition' }, () => {});
    expect(record.editionRaw).toBe('Office16ProPlusVL_KMS_Client');
    expect(record.edition).toBeUndefined();
  });

  it('reports channel disagreements and out-of-range ESU years', () => {
    const codes: string[] = [];
    const record = buildRecord(
      {
        name: 'Windows(R), Client-ESU-Year6 add-on for Core',
        description: 'Windows(R) Operating System, RETAIL channel',
        productKeyChannel: 'OEM:DM',
      },
      (code) => codes.push(code),
    );
    expect(record.channel).toBe('RETAIL');
    expect(record.esu).toBeUndefined();
    expect(codes).toEqual(['esu-year-out-of-range', 'channel-mismatch']);
  });
});
