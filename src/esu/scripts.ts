import iconv from 'iconv-lite';
import { type EsuYear, esu, esuYearWindow } from '../data/esu.ts';
import type { Text } from '../engine/text.ts';
import { activationSteps, keyActivated, prerequisites } from '../rules/esu/rules.ts';
import type { ClauseId } from '../sources/clause-ids.ts';
import { type ProductKey, partialKey, revealProductKey } from './product-key.ts';

/** What stands in a script for the key unless the user asks for the key itself to be written. */
export const KEY_PLACEHOLDER = '<ESU-MAK-KEY>';

export interface ActivationStep {
  readonly n: 1 | 2 | 3 | 4;
  readonly slmgr: string;
  readonly text: Text;
  readonly failure: Text;
  readonly cites: readonly ClauseId[];
}

export interface ActivationPlan {
  readonly year: EsuYear;
  readonly activationId: string;
  readonly coverage: { readonly from: string; readonly to: string };
  readonly prerequisites: readonly string[];
  /** In the order of ESU-13: install the key, find the activation ID, activate; then verify (ESU-15). */
  readonly steps: readonly ActivationStep[];
  readonly cites: readonly ClauseId[];
}

/** The ESU-13 steps for one year, the single source both scripts are written from. */
export const activationPlan = (year: EsuYear): ActivationPlan => {
  const w = esuYearWindow(year);
  const id = w.activationId;
  const limit = esu.mak.limitRequest;
  return {
    year,
    activationId: id,
    coverage: { from: w.from, to: w.to },
    prerequisites: esu.prerequisites.map((p) => p.kb),
    steps: [
      {
        n: 1,
        slmgr: `/ipk ${KEY_PLACEHOLDER}`,
        text: { en: 'installing the ESU MAK key', ja: 'ESU MAK キーをインストールしています' },
        failure: {
          en: 'slmgr /ipk failed. Check the key and that the prerequisite updates are installed (ESU-12).',
          ja: 'slmgr /ipk が失敗しました。キーと、必須の更新プログラムが適用済みかを確認してください (ESU-12)。',
        },
        cites: activationSteps.clauses,
      },
      {
        n: 2,
        slmgr: `/dlv ${id}`,
        text: {
          en: `confirming that activation ID ${id} (ESU year ${year}) is present`,
          ja: `ライセンス認証 ID ${id} (ESU 第 ${year} 年度) があることを確認しています`,
        },
        failure: {
          en: `slmgr /dlv does not show activation ID ${id}: install the prerequisite updates (ESU-12) and restart.`,
          ja: `slmgr /dlv にライセンス認証 ID ${id} が表示されません。必須の更新プログラムを適用して再起動してください (ESU-12)。`,
        },
        cites: [...activationSteps.clauses, ...prerequisites.clauses],
      },
      {
        n: 3,
        slmgr: `/ato ${id}`,
        text: { en: `activating ESU year ${year}`, ja: `ESU 第 ${year} 年度をライセンス認証しています` },
        failure: {
          en: `slmgr /ato failed. 0xC004C008 or 0xC004C020 mean the MAK limit is reached: removing keys does not return activations (ESU-18); request more at ${limit.form} or ${limit.email} (ESU-19).`,
          ja: `slmgr /ato が失敗しました。0xC004C008 または 0xC004C020 は MAK の認証上限到達です。キーを削除しても数は戻りません (ESU-18)。${limit.form} または ${limit.email} で上限の引き上げを申請してください (ESU-19)。`,
        },
        cites: activationSteps.clauses,
      },
      {
        n: 4,
        slmgr: `/dlv ${id}`,
        text: {
          en: 'verifying that the licence status is Licensed',
          ja: 'ライセンスの状態が認証済みかを確認しています',
        },
        failure: {
          en: 'ESU is not licensed on this device yet; ESU updates install only once it is (ESU-15).',
          ja: 'この端末の ESU はまだ認証されていません。ESU の更新は認証済みの端末にしか入りません (ESU-15)。',
        },
        cites: keyActivated.clauses,
      },
    ],
    cites: [...new Set([...activationSteps.clauses, ...keyActivated.clauses, ...prerequisites.clauses])],
  };
};

export interface ScriptOptions {
  readonly year: EsuYear;
  readonly key?: ProductKey | undefined;
  /** Write the full key into the script. Off unless the user asks: the file then holds a secret. */
  readonly includeKey: boolean;
  readonly deviceId?: string | undefined;
}

/** Refused script options (a key asked for but not given, a device id that cannot go into a script). */
export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

const keyValue = (o: ScriptOptions): string => {
  if (!o.includeKey) return KEY_PLACEHOLDER;
  if (o.key === undefined) throw new ScriptError('includeKey is set but no ESU MAK key was given');
  return revealProductKey(o.key);
};

const header = (o: ScriptOptions, plan: ActivationPlan, c: string): string[] => {
  if (o.deviceId !== undefined && !DEVICE_ID.test(o.deviceId))
    throw new ScriptError(
      'a device id in a script may use only letters, digits, ".", "_" and "-" (at most 64)',
    );
  const lines = [
    `kenri: Windows 7 ESU year ${plan.year} - install and activate the ESU MAK key (ESU-13)`,
    `kenri: Windows 7 ESU 第 ${plan.year} 年度 - ESU MAK キーのインストールとライセンス認証 (ESU-13)`,
  ];
  if (o.deviceId !== undefined) lines.push(`Device / 端末: ${o.deviceId}`);
  lines.push(
    `Activation ID / ライセンス認証 ID: ${plan.activationId}`,
    `Coverage / 対象期間: ${plan.coverage.from} .. ${plan.coverage.to}`,
    '',
    'Run as administrator on the Windows 7 device, after the prerequisite updates (ESU-12):',
    '管理者として実行してください。先に必須の更新プログラムを適用しておきます (ESU-12):',
    `  ${plan.prerequisites.join(', ')}`,
    'SCCM or VAMT can deploy the key instead (ESU-13).',
    'SCCM やボリューム ライセンス認証管理ツール (VAMT) でも展開できます (ESU-13)。',
  );
  if (o.includeKey)
    lines.unshift(
      'WARNING: this file holds the full ESU MAK key. Keep it private and delete it after use.',
      '警告: このファイルには ESU MAK キー全体が書かれています。取り扱いに注意し、使用後は削除してください。',
      '',
    );
  else if (o.key !== undefined)
    lines.push(
      `Use the organisation's ESU MAK key ending in ${partialKey(o.key)}.`,
      `組織の ESU MAK キー (末尾 ${partialKey(o.key)}) を使います。`,
    );
  const rule = `${c} ${'='.repeat(76)}`;
  return [rule, ...lines.map((l) => (l === '' ? c : `${c} ${l}`)), rule];
};

/** A slmgr message with the characters cmd's echo would treat as syntax escaped. */
const cmdEcho = (text: string): string =>
  `echo ${text.replace(/[\^&|<>]/g, (ch) => `^${ch}`).replace(/%/g, '%%')}`;

/**
 * A .cmd script that installs and activates the ESU key of one year in the order of ESU-13, stopping with a
 * message at the first step that fails. slmgr.vbs quits with the HRESULT as exit code (negative as a signed
 * number), so steps test `not "%RC%"=="0"` rather than `errorlevel 1`, which misses negatives.
 */
export const cmdScript = (o: ScriptOptions): string => {
  const plan = activationPlan(o.year);
  const [ipk, dlv, ato, verify] = plan.steps as [
    ActivationStep,
    ActivationStep,
    ActivationStep,
    ActivationStep,
  ];
  const log = '%TEMP%\\kenri-esu-ipk.log';
  const lines = [
    '@echo off',
    ...header(o, plan, 'rem'),
    'setlocal',
    'set "SLMGR=cscript //nologo %windir%\\system32\\slmgr.vbs"',
    `set "ACTIVATION_ID=${plan.activationId}"`,
    'rem The key: the first argument, else the value below.',
    'rem キー: 第 1 引数。なければ下の値を使います。',
    `set "ESU_KEY=${keyValue(o)}"`,
    'if not "%~1"=="" set "ESU_KEY=%~1"',
    `if "%ESU_KEY%"=="${KEY_PLACEHOLDER}" goto :no_key`,
    '',
    cmdEcho(`[1/4] slmgr /ipk: ${ipk.text.en} / ${ipk.text.ja}`),
    'rem slmgr /ipk prints the whole key on success: keep its output out of the console and logs.',
    'rem slmgr /ipk は成功時にキー全体を表示するため、出力を画面やログに残しません。',
    `%SLMGR% /ipk %ESU_KEY% >"${log}" 2>&1`,
    'set "RC=%ERRORLEVEL%"',
    'if not "%RC%"=="0" goto :ipk_failed',
    `del "${log}" >nul 2>&1`,
    '',
    cmdEcho(`[2/4] slmgr /dlv: ${dlv.text.en} / ${dlv.text.ja}`),
    '%SLMGR% /dlv %ACTIVATION_ID% | findstr /i /c:"%ACTIVATION_ID%" >nul',
    'set "RC=%ERRORLEVEL%"',
    'if not "%RC%"=="0" goto :dlv_failed',
    '',
    cmdEcho(`[3/4] slmgr /ato: ${ato.text.en} / ${ato.text.ja}`),
    '%SLMGR% /ato %ACTIVATION_ID%',
    'set "RC=%ERRORLEVEL%"',
    'if not "%RC%"=="0" goto :ato_failed',
    '',
    cmdEcho(`[4/4] slmgr /dlv: ${verify.text.en} / ${verify.text.ja}`),
    '%SLMGR% /dlv %ACTIVATION_ID%',
    'rem slmgr prints "License Status" in the display language; WMI\'s LicenseStatus (1 = Licensed) is the same everywhere.',
    'rem slmgr の「ライセンスの状態」は表示言語で変わるため、WMI の LicenseStatus (1 = ライセンス認証済み) で判定します。',
    'wmic path SoftwareLicensingProduct where "ID=\'%ACTIVATION_ID%\'" get LicenseStatus /value | findstr /c:"LicenseStatus=1" >nul',
    'set "RC=%ERRORLEVEL%"',
    'if not "%RC%"=="0" goto :not_licensed',
    `echo OK: Windows 7 ESU year ${plan.year} is activated on %COMPUTERNAME%.`,
    `echo OK: %COMPUTERNAME% の Windows 7 ESU 第 ${plan.year} 年度はライセンス認証済みです。`,
    'exit /b 0',
    '',
    ':no_key',
    cmdEcho(
      `ERROR: no ESU MAK key. Pass it as the first argument or replace ${KEY_PLACEHOLDER} in this file.`,
    ),
    cmdEcho(
      `エラー: ESU MAK キーがありません。第 1 引数で渡すか、このファイルの ${KEY_PLACEHOLDER} を置き換えてください。`,
    ),
    'exit /b 1',
    '',
    ':ipk_failed',
    'echo ERROR [1/4] exit code %RC%',
    'findstr /v /i /c:"%ESU_KEY%" "%TEMP%\\kenri-esu-ipk.log"',
    `del "${log}" >nul 2>&1`,
    cmdEcho(ipk.failure.en),
    cmdEcho(ipk.failure.ja),
    'exit /b 1',
    '',
    ':dlv_failed',
    'echo ERROR [2/4]',
    cmdEcho(dlv.failure.en),
    cmdEcho(dlv.failure.ja),
    'exit /b 1',
    '',
    ':ato_failed',
    'echo ERROR [3/4] exit code %RC%',
    cmdEcho(ato.failure.en),
    cmdEcho(ato.failure.ja),
    'exit /b 1',
    '',
    ':not_licensed',
    'echo ERROR [4/4]',
    cmdEcho(verify.failure.en),
    cmdEcho(verify.failure.ja),
    'exit /b 1',
  ];
  return `${lines.join('\n')}\n`;
};

/** A PowerShell string literal in single quotes ('' escapes a quote). */
const psString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * The same steps in PowerShell. Written for Windows PowerShell 2.0, the version Windows 7 ships with:
 * Get-WmiObject rather than Get-CimInstance, no PowerShell 3+ syntax.
 */
export const powershellScript = (o: ScriptOptions): string => {
  const plan = activationPlan(o.year);
  const [ipk, dlv, ato, verify] = plan.steps as [
    ActivationStep,
    ActivationStep,
    ActivationStep,
    ActivationStep,
  ];
  const fail = (step: ActivationStep, withCode: boolean) =>
    `Stop-Step ${step.n} ${psString(step.failure.en)} ${psString(step.failure.ja)}${withCode ? ' $rc' : ''}`;
  const lines = [
    ...header(o, plan, '#'),
    'param(',
    `  [string]$EsuKey = ${psString(keyValue(o))}`,
    ')',
    '',
    "$ErrorActionPreference = 'Stop'",
    `$ActivationId = ${psString(plan.activationId)}`,
    '',
    'function Stop-Step([int]$Step, [string]$En, [string]$Ja, $Code) {',
    "  if ($null -ne $Code) { Write-Host ('ERROR [{0}/4] exit code 0x{1:X8}' -f $Step, $Code) } else { Write-Host ('ERROR [{0}/4]' -f $Step) }",
    '  Write-Host $En',
    '  Write-Host $Ja',
    '  exit 1',
    '}',
    '',
    '# slmgr /ipk prints the whole key: show any output with only its last five characters.',
    '# slmgr /ipk はキー全体を表示するため、末尾 5 文字以外を伏せて表示します。',
    'function Hide-Key($Lines) {',
    "  $Lines | ForEach-Object { \"$_\" -replace '([0-9A-Za-z]{5}-){4}([0-9A-Za-z]{5})', '*****-*****-*****-*****-$2' }",
    '}',
    '',
    `if ($EsuKey -eq ${psString(KEY_PLACEHOLDER)}) {`,
    `  Stop-Step 1 ${psString(`No ESU MAK key. Pass -EsuKey or replace ${KEY_PLACEHOLDER} in this file.`)} ${psString(`ESU MAK キーがありません。-EsuKey で渡すか、このファイルの ${KEY_PLACEHOLDER} を置き換えてください。`)}`,
    '}',
    '',
    `Write-Host ${psString(`[1/4] slmgr /ipk: ${ipk.text.en} / ${ipk.text.ja}`)}`,
    '$out = & cscript.exe //nologo "$env:windir\\system32\\slmgr.vbs" /ipk $EsuKey',
    '$rc = $LASTEXITCODE',
    `if ($rc -ne 0) { Hide-Key $out | Write-Host; ${fail(ipk, true)} }`,
    '',
    `Write-Host ${psString(`[2/4] slmgr /dlv: ${dlv.text.en} / ${dlv.text.ja}`)}`,
    '$out = & cscript.exe //nologo "$env:windir\\system32\\slmgr.vbs" /dlv $ActivationId',
    '$rc = $LASTEXITCODE',
    `if ($rc -ne 0 -or -not (($out | Out-String) -match [regex]::Escape($ActivationId))) { $out | Write-Host; ${fail(dlv, false)} }`,
    '',
    `Write-Host ${psString(`[3/4] slmgr /ato: ${ato.text.en} / ${ato.text.ja}`)}`,
    '& cscript.exe //nologo "$env:windir\\system32\\slmgr.vbs" /ato $ActivationId',
    '$rc = $LASTEXITCODE',
    `if ($rc -ne 0) { ${fail(ato, true)} }`,
    '',
    `Write-Host ${psString(`[4/4] slmgr /dlv: ${verify.text.en} / ${verify.text.ja}`)}`,
    '& cscript.exe //nologo "$env:windir\\system32\\slmgr.vbs" /dlv $ActivationId',
    '# slmgr prints "License Status" in the display language; WMI\'s LicenseStatus (1 = Licensed) is the same everywhere.',
    '# slmgr の「ライセンスの状態」は表示言語で変わるため、WMI の LicenseStatus (1 = ライセンス認証済み) で判定します。',
    '$product = Get-WmiObject -Class SoftwareLicensingProduct -Filter "ID=\'$ActivationId\'"',
    `if ($null -eq $product -or $product.LicenseStatus -ne 1) { ${fail(verify, false)} }`,
    `Write-Host (${psString(`OK: Windows 7 ESU year ${plan.year} is activated on `)} + $env:COMPUTERNAME)`,
    `Write-Host ($env:COMPUTERNAME + ${psString(` の Windows 7 ESU 第 ${plan.year} 年度はライセンス認証済みです。`)})`,
    'exit 0',
  ];
  return `${lines.join('\n')}\n`;
};

/**
 * The bytes to save. cmd.exe reads a batch file in the console's code page (932 on Japanese Windows) and can
 * swallow the line after a UTF-8 Japanese comment, skipping a command: .cmd files are written in CP932 with
 * CRLF. Windows PowerShell reads a .ps1 without BOM as the ANSI code page: .ps1 files get a UTF-8 BOM.
 */
export const encodeScript = (text: string, kind: 'cmd' | 'ps1'): Buffer => {
  const crlf = text.replace(/\r?\n/g, '\r\n');
  return kind === 'cmd'
    ? iconv.encode(crlf, 'cp932')
    : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf, 'utf8')]);
};

/** Suggested file names, so a fleet's scripts for different years never overwrite each other. */
export const scriptFileName = (o: Pick<ScriptOptions, 'year' | 'deviceId'>, kind: 'cmd' | 'ps1'): string =>
  `esu-year${o.year}-activate${o.deviceId ? `-${o.deviceId}` : ''}.${kind}`;
