import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOTFIX_LISTING_CAVEAT, normaliseKb, parseHotfixes, parseInstalledOn } from './hotfix.ts';
import { ParseError } from './licence-record.ts';

const FIXTURES = new URL('../../../test/fixtures/windows/hotfix/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

const WIN7_ESU_PREREQS = [
  { kb: 'KB4490628', installedOn: '2019-03-13', description: 'Update', source: 'WIN7-PC01' },
  { kb: 'KB4474419', installedOn: '2019-09-25', description: 'Security Update', source: 'WIN7-PC01' },
  { kb: 'KB4536952', installedOn: '2020-01-15', description: 'Update', source: 'WIN7-PC01' },
  { kb: 'KB4538483', installedOn: '2020-02-12', description: 'Update', source: 'WIN7-PC01' },
];

describe('parseHotfixes on the real samples', () => {
  it('02: Get-HotFix table from the PowerShell docs', () => {
    expect(parseHotfixes(fixture('02_get-hotfix_powershell-docs_example1.txt'))).toEqual({
      updates: [
        { kb: 'KB4495590', installedOn: '2019-05-16', description: 'Update', source: 'Server01' },
        { kb: 'KB4470788', installedOn: '2019-01-22', description: 'Security Update', source: 'Server01' },
        { kb: 'KB4480056', installedOn: '2019-01-24', description: 'Update', source: 'Server01' },
      ],
      warnings: [],
    });
  });

  it('04: wmic qfe /format:list with a blank line after every line', () => {
    expect(parseHotfixes(fixture('04_wmic_qfe_format_list_win7.txt'))).toEqual({
      updates: ['KB2849697', 'KB2849696', 'KB2841134', 'KB2670838', 'KB971033'].map((kb) => ({
        kb,
        installedOn: '2017-01-22',
      })),
      warnings: [],
    });
  });
});

describe('parseHotfixes on constructed fixtures', () => {
  it('05: Get-HotFix table on Win7 with the ESU prerequisites and an entry without a date', () => {
    expect(parseHotfixes(fixture('05_constructed_get-hotfix_table_win7_esu_prereqs.txt'))).toEqual({
      updates: [...WIN7_ESU_PREREQS, { kb: 'KB976902', description: 'Update', source: 'WIN7-PC01' }],
      warnings: [],
    });
  });

  it('06: wmic qfe list table, columns found from the header words', () => {
    expect(parseHotfixes(fixture('06_constructed_wmic_qfe_list_table_win7.txt'))).toEqual({
      updates: [
        ...WIN7_ESU_PREREQS,
        { kb: 'KB976902', installedOn: '2010-11-21', description: 'Update', source: 'WIN7-PC01' },
      ],
      warnings: [],
    });
  });

  it('07: Get-HotFix | Format-List saved by PowerShell `>` as UTF-16LE with CRLF', () => {
    const buf = fixture('07_constructed_get-hotfix_format-list_utf16le_crlf.txt');
    expect([buf[0], buf[1]]).toEqual([0xff, 0xfe]);
    expect(parseHotfixes(buf)).toEqual({ updates: WIN7_ESU_PREREQS.slice(0, 2), warnings: [] });
  });
});

describe('dates and ids', () => {
  it('reads US M/D/YYYY with or without a time, ISO and CIM datetimes', () => {
    expect(parseInstalledOn('5/16/2019 00:00:00')).toBe('2019-05-16');
    expect(parseInstalledOn('5/16/2019 12:00:00 AM')).toBe('2019-05-16');
    expect(parseInstalledOn('1/22/2017')).toBe('2017-01-22');
    expect(parseInstalledOn('2019-05-16')).toBe('2019-05-16');
    expect(parseInstalledOn('20190516000000.000000-000')).toBe('2019-05-16');
  });

  it('does not guess other orders or impossible dates', () => {
    expect(parseInstalledOn('16/05/2019')).toBeUndefined();
    expect(parseInstalledOn('16.05.2019')).toBeUndefined();
    expect(parseInstalledOn('2/30/2019')).toBeUndefined();
    expect(parseInstalledOn('01d2f3c4a5b6c7d8')).toBeUndefined();
  });

  it('normalises KB ids and rejects others', () => {
    expect(normaliseKb('kb4490628')).toBe('KB4490628');
    expect(normaliseKb(' KB971033 ')).toBe('KB971033');
    expect(normaliseKb('File 1')).toBeUndefined();
    expect(normaliseKb('Q147222')).toBeUndefined();
  });

  it('warns with the line for a date it cannot read, a non-KB id and a truncated cell, without throwing', () => {
    const text = [
      'HotFixID=kb4490628',
      'InstalledOn=13/03/2019',
      'HotFixID=File 1',
      'InstalledOn=3/13/2019',
      'HotFixID=KB44746...',
    ].join('\r\n');
    const { updates, warnings } = parseHotfixes(text);
    expect(updates).toEqual([{ kb: 'KB4490628' }]);
    expect(warnings.map((w) => [w.code, w.line])).toEqual([
      ['unparsed-date', 1],
      ['non-kb-hotfix-id', 3],
      ['truncated-value', 5],
    ]);
    expect(warnings[0]?.message).toContain('13/03/2019');
  });
});

describe('other shapes', () => {
  it('reads Get-HotFix | Format-List without a source line or BOM', () => {
    const text =
      '\nSource      : PC\nDescription : Update\nHotFixID    : KB4490628\nInstalledBy : \nInstalledOn : 3/13/2019 12:00:00 AM\n\n';
    expect(parseHotfixes(text).updates).toEqual([
      { kb: 'KB4490628', installedOn: '2019-03-13', description: 'Update', source: 'PC' },
    ]);
  });

  it('stops the table at a following prompt', () => {
    const text = [
      'Source  Description  HotFixID   InstalledBy  InstalledOn',
      '------  -----------  --------   -----------  -----------',
      'PC      Update       KB4490628               3/13/2019 12:00:00 AM',
      '',
      'PS C:\\> Get-Date',
    ].join('\n');
    expect(parseHotfixes(text)).toEqual({
      updates: [{ kb: 'KB4490628', installedOn: '2019-03-13', description: 'Update', source: 'PC' }],
      warnings: [],
    });
  });

  it('treats wmic "No Instance(s) Available." as an empty listing', () => {
    const { updates, warnings } = parseHotfixes('No Instance(s) Available.\r\n');
    expect(updates).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['tool-message']);
  });

  it('throws ParseError with a line number on garbage', () => {
    let caught: unknown;
    try {
      parseHotfixes('\n\nsomething else entirely\n');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect((caught as ParseError).line).toBe(3);
    expect((caught as ParseError).message).toMatch(/HotFixID/);
  });
});

describe('HOTFIX_LISTING_CAVEAT', () => {
  it('says a missing KB is "not shown", not proof, in both languages', () => {
    expect(HOTFIX_LISTING_CAVEAT.en).toMatch(/Component Based\s+Servicing/);
    expect(HOTFIX_LISTING_CAVEAT.en).toContain('"not shown"');
    expect(HOTFIX_LISTING_CAVEAT.en).toContain('not proof');
    expect(HOTFIX_LISTING_CAVEAT.ja).toContain('CBS');
    expect(HOTFIX_LISTING_CAVEAT.ja).toContain('「表示されていない」');
    expect(HOTFIX_LISTING_CAVEAT.ja).toContain('証明ではありません');
  });
});
