import { statSync } from 'node:fs';
import type { Lang } from '../../engine/text.ts';
import { terminalProgress } from '../../importers/tabular/index.ts';
import {
  importWindowsFile,
  WINDOWS_IMPORT_KINDS,
  type WindowsImportKind,
  type WindowsImportResult,
} from '../../importers/windows-store/index.ts';
import { parseLang, UsageError } from '../lang.ts';
import { NoInputError } from '../read-input.ts';
import { actor, requireOrganisation, type StoreFlags, usingStore } from '../store-context.ts';

/** What `kenri import slmgr|cim|hotfix|windows <file> --device KEY` hands over (see import.ts). */
export interface WindowsImportFlags extends StoreFlags {
  readonly org: string;
  readonly kind: string;
  readonly file: string;
  readonly lang: string;
  readonly device?: string;
  readonly json?: boolean;
}

const L = (lang: Lang, ja: string, en: string): string => (lang === 'ja' ? ja : en);

const savedAt = (file: string): string => {
  try {
    // The file's modification time is when the output was saved: the day it shows the device as it was.
    const info = statSync(file);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    return info.mtime.toISOString();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NoInputError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${code})`);
  }
};

const summary = (r: WindowsImportResult, org: string, lang: Lang): string[] => {
  const { inserted, updated, unchanged } = r.written;
  const lines = [
    L(
      lang,
      r.devices.length > 1
        ? `${r.file}: ${r.kind} の出力から ${r.rows} 件を ${r.devices.length} 台のデバイス (組織 ${org}) に取り込みました`
        : `${r.file}: ${r.kind} の出力から ${r.rows} 件をデバイス ${r.device} (組織 ${org}) に取り込みました`,
      r.devices.length > 1
        ? `${r.file}: ${r.rows} row(s) from ${r.kind} output imported for ${r.devices.length} devices (${org})`
        : `${r.file}: ${r.rows} row(s) from ${r.kind} output imported for device ${r.device} (${org})`,
    ),
    L(
      lang,
      `  ${r.table}: 追加 ${inserted}、更新 ${updated}、変更なし ${unchanged}`,
      `  ${r.table}: ${inserted} inserted, ${updated} updated, ${unchanged} unchanged`,
    ),
  ];
  for (const e of r.esu)
    lines.push(
      L(
        lang,
        `  Windows 7 ESU 第 ${e.year} 年度: ${e.status}${e.partialKey ? ` (キー末尾 ${e.partialKey})` : ''}`,
        `  Windows 7 ESU year ${e.year}: ${e.status}${e.partialKey ? ` (key ending ${e.partialKey})` : ''}`,
      ),
    );
  const licensed = r.esu.filter((e) => e.status === 'licensed');
  for (const e of licensed)
    lines.push(
      L(
        lang,
        `  → kenri mak reconcile --year ${e.year} で MAK キーの認証数に反映できます (ESU-17)`,
        `  → kenri mak reconcile --year ${e.year} counts it against the MAK key (ESU-17)`,
      ),
    );
  if (r.caveat) lines.push('', `${L(lang, '注意', 'Note')}: ${r.caveat[lang]}`);
  return lines;
};

/**
 * Imports a saved Windows output (slmgr /dlv, Get-CimInstance SoftwareLicensingProduct, Get-HotFix, wmic qfe)
 * for one device. The parser's warnings — labels of a localised Windows it did not read — go to stderr, so a
 * person sees what was not used.
 */
export const runWindowsImport = async (flags: WindowsImportFlags): Promise<void> => {
  const lang = parseLang(flags.lang);
  if (!(WINDOWS_IMPORT_KINDS as readonly string[]).includes(flags.kind))
    throw new UsageError(`unknown kind '${flags.kind}' (accepted: ${WINDOWS_IMPORT_KINDS.join(', ')})`);
  // Update listings name the computer they were taken on; licence outputs do not (see importWindowsOutput).
  if (!flags.device && (flags.kind === 'slmgr' || flags.kind === 'cim'))
    throw new UsageError(
      `import ${flags.kind} needs --device KEY: the device the output was taken on (as in the devices file)`,
    );
  const observedAt = savedAt(flags.file);
  await usingStore(flags, async (db) => {
    await requireOrganisation(db, flags.org);
    const progress = terminalProgress(`import ${flags.kind}`);
    const result = await importWindowsFile(db, {
      org: flags.org,
      ...(flags.device ? { device: flags.device } : {}),
      kind: flags.kind as WindowsImportKind,
      file: flags.file,
      actor: actor(),
      observedAt,
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    }).finally(() => progress.stop());
    for (const w of result.warnings)
      process.stderr.write(
        `kenri: ${L(lang, '警告', 'warning')}: ${w.line === undefined ? '' : `${flags.file}:${w.line}: `}${w.message}\n`,
      );
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `${summary(result, flags.org, lang).join('\n')}\n`,
    );
  });
};
