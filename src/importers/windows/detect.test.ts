import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectWindowsOutput, parseWindowsOutput, type WindowsOutputKind } from './detect.ts';
import { ParseError } from './licence-record.ts';

const FIXTURES = new URL('../../../test/fixtures/windows/', import.meta.url);
const fixture = (path: string): Buffer => readFileSync(new URL(path, FIXTURES));

const EXPECTED: [string, WindowsOutputKind, number][] = [
  ['slmgr/01_en_dlv_win7_enterprise_kmsclient_notification_0xC004F200.txt', 'slmgr', 1],
  ['slmgr/02_en_dlv_win10_client_esu_year1_mak_licensed.txt', 'slmgr', 1],
  ['slmgr/04_en_dli_win7_enterprise_kmsclient.txt', 'slmgr', 1],
  ['slmgr/07_en_dli_win10pro_oem_dm.txt', 'slmgr', 1],
  ['slmgr/10_constructed_en_dlv_all_win7_pro_oem_slp_esu_year1.txt', 'slmgr', 3],
  ['slmgr/11_constructed_en_dli_win10pro_oem_dm_utf16le_crlf.txt', 'slmgr', 1],
  ['cim/01_get-ciminstance_softwarelicensingproduct_oem_dm.txt', 'cim-list', 1],
  ['cim/02_constructed_get-ciminstance_convertto-json_win7_esu.txt', 'cim-json', 3],
  ['cim/03_constructed_get-ciminstance_format-list_win7_esu_wrapped.txt', 'cim-list', 3],
  ['hotfix/02_get-hotfix_powershell-docs_example1.txt', 'hotfix-table', 3],
  ['hotfix/04_wmic_qfe_format_list_win7.txt', 'wmic-list', 5],
  ['hotfix/05_constructed_get-hotfix_table_win7_esu_prereqs.txt', 'hotfix-table', 5],
  ['hotfix/06_constructed_wmic_qfe_list_table_win7.txt', 'hotfix-table', 5],
  ['hotfix/07_constructed_get-hotfix_format-list_utf16le_crlf.txt', 'hotfix-list', 2],
];

describe('detectWindowsOutput and parseWindowsOutput', () => {
  it.each(EXPECTED)('%s is %s with %i entries', (path, kind, count) => {
    const input = fixture(path);
    expect(detectWindowsOutput(input)).toBe(kind);
    const result = parseWindowsOutput(input);
    expect(result.kind).toBe(kind);
    expect('records' in result ? result.records.length : result.updates.length).toBe(count);
  });

  it('recognises localised slmgr output by its channel token', () => {
    expect(
      detectWindowsOutput(
        '名前: Windows(R), Professional edition\n説明: Windows(R) Operating System, OEM_DM channel',
      ),
    ).toBe('slmgr');
  });

  it('does not take the ESU name notes for command output', () => {
    expect(detectWindowsOutput(fixture('cim/05_win7_esu_sku_name_strings.txt'))).toBe('unknown');
  });

  it('throws ParseError listing what it reads for unknown text', () => {
    expect(detectWindowsOutput('hello')).toBe('unknown');
    expect(() => parseWindowsOutput('\nhello')).toThrowError(ParseError);
    try {
      parseWindowsOutput('\nhello');
    } catch (error) {
      expect((error as ParseError).line).toBe(2);
      expect((error as ParseError).message).toMatch(/slmgr \/dlv.*Get-CimInstance.*Get-HotFix.*wmic qfe/s);
    }
  });
});
