import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { esu } from '../data/esu.ts';
import { parseProductKey } from './product-key.ts';
import {
  activationPlan,
  cmdScript,
  encodeScript,
  KEY_PLACEHOLDER,
  powershellScript,
  ScriptError,
  type ScriptOptions,
  scriptFileName,
} from './scripts.ts';

// A made-up key in the product-key alphabet; not a key Microsoft issued.
const FAKE = 'BCDFG-HJKMP-QRTVW-XY234-6789N';
const key = parseProductKey(FAKE);

const golden = (name: string, actual: string): void => {
  const url = new URL(`./__golden__/${name}`, import.meta.url);
  // UPDATE_GOLDEN=1 npx vitest run src/esu/scripts.test.ts rewrites them; review the diff before committing.
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, actual);
  expect(existsSync(url), `${name} is missing: UPDATE_GOLDEN=1 writes it`).toBe(true);
  expect(actual, `${name} changed: review it, then UPDATE_GOLDEN=1`).toBe(readFileSync(url, 'utf8'));
};

const cases: [string, ScriptOptions][] = [
  ['esu-year1-placeholder', { year: 1, includeKey: false }],
  ['esu-year1-device-partial-key', { year: 1, includeKey: false, key, deviceId: 'OSK-PC-0701' }],
  ['esu-year2-with-key', { year: 2, includeKey: true, key }],
  ['esu-year3-placeholder', { year: 3, includeKey: false }],
];

describe('golden scripts', () => {
  it.each(cases)('%s', (name, o) => {
    golden(`${name}.cmd`, cmdScript(o));
    golden(`${name}.ps1`, powershellScript(o));
  });
});

const positions = (text: string, needles: readonly string[]): number[] => {
  let from = 0;
  return needles.map((n) => {
    const at = text.indexOf(n, from);
    from = at + 1;
    return at;
  });
};

describe('cmdScript', () => {
  const text = cmdScript({ year: 1, includeKey: false });
  const id = esu.years[0]!.activationId;

  it('runs slmgr through cscript //nologo %windir%\\system32\\slmgr.vbs', () => {
    expect(text).toContain('set "SLMGR=cscript //nologo %windir%\\system32\\slmgr.vbs"');
  });

  it('runs the ESU-13 steps in order, each checked before the next, then verifies', () => {
    const at = positions(text, [
      '%SLMGR% /ipk %ESU_KEY%',
      'goto :ipk_failed',
      '%SLMGR% /dlv %ACTIVATION_ID% | findstr',
      'goto :dlv_failed',
      '%SLMGR% /ato %ACTIVATION_ID%',
      'goto :ato_failed',
      '%SLMGR% /dlv %ACTIVATION_ID%\n',
      'LicenseStatus=1',
      'goto :not_licensed',
    ]);
    expect(at.every((p) => p >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text).toContain(`set "ACTIVATION_ID=${id}"`);
  });

  it('tests exit codes so negative HRESULTs stop the script too', () => {
    expect(text).not.toMatch(/errorlevel 1/i);
    expect(text.match(/if not "%RC%"=="0" goto/g)).toHaveLength(4);
  });

  it('writes the year each activation ID belongs to', () => {
    for (const y of esu.years)
      expect(cmdScript({ year: y.year, includeKey: false })).toContain(y.activationId);
  });
});

describe('powershellScript', () => {
  const text = powershellScript({ year: 3, includeKey: false });

  it('runs slmgr through cscript.exe //nologo "$env:windir\\system32\\slmgr.vbs" and checks $LASTEXITCODE', () => {
    expect(text).toContain('& cscript.exe //nologo "$env:windir\\system32\\slmgr.vbs" /ipk $EsuKey');
    expect(text.match(/\$rc = \$LASTEXITCODE/g)).toHaveLength(3);
    const at = positions(text, [
      '/ipk $EsuKey',
      '/dlv $ActivationId',
      '/ato $ActivationId',
      '/dlv $ActivationId',
      'LicenseStatus -ne 1',
    ]);
    expect(at.every((p) => p >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('sticks to Windows PowerShell 2.0, which Windows 7 ships with', () => {
    expect(text).toContain('Get-WmiObject');
    expect(text).not.toContain('Get-CimInstance');
  });
});

describe('the key in scripts', () => {
  it('is a placeholder unless asked for, even when the key is known', () => {
    for (const f of [cmdScript, powershellScript]) {
      const text = f({ year: 1, includeKey: false, key });
      expect(text).not.toContain(FAKE);
      expect(text).toContain(KEY_PLACEHOLDER);
      expect(text).toContain('6789N');
      expect(text).not.toContain('WARNING');
    }
  });

  it('is written, with a warning, only when includeKey is set', () => {
    for (const f of [cmdScript, powershellScript]) {
      const text = f({ year: 1, includeKey: true, key });
      expect(text).toContain(FAKE);
      expect(text).toContain('WARNING: this file holds the full ESU MAK key');
      expect(text).toContain('警告');
    }
    expect(() => cmdScript({ year: 1, includeKey: true })).toThrow(ScriptError);
  });

  it('refuses device ids that would break out of a comment', () => {
    expect(() => cmdScript({ year: 1, includeKey: false, deviceId: 'PC & del *' })).toThrow(ScriptError);
  });
});

describe('encodeScript', () => {
  it('writes .cmd in CP932 with CRLF, so Japanese Windows reads every line', () => {
    const text = cmdScript({ year: 1, includeKey: false });
    const bytes = encodeScript(text, 'cmd');
    expect(iconv.decode(bytes, 'cp932')).toBe(text.replace(/\n/g, '\r\n'));
    expect(bytes.includes(0x3f)).toBe(text.includes('?'));
  });

  it('writes .ps1 as UTF-8 with a BOM and CRLF', () => {
    const bytes = encodeScript('# 日本語\nexit 0\n', 'ps1');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe('# 日本語\r\nexit 0\r\n');
  });

  it('names files by year and device', () => {
    expect(scriptFileName({ year: 2, deviceId: 'PC-1' }, 'cmd')).toBe('esu-year2-activate-PC-1.cmd');
    expect(scriptFileName({ year: 1 }, 'ps1')).toBe('esu-year1-activate.ps1');
  });
});

describe('activationPlan', () => {
  it('cites ESU-13 for the steps, ESU-15 for the verification and ESU-12 for prerequisites', () => {
    const plan = activationPlan(1);
    expect(plan.steps.map((s) => s.slmgr.split(' ')[0])).toEqual(['/ipk', '/dlv', '/ato', '/dlv']);
    expect(plan.cites).toEqual(expect.arrayContaining(['ESU-13', 'ESU-15', 'ESU-12']));
  });
});
