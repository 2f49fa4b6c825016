import type { Text } from '../../engine/text.ts';
import { InputError } from '../../model/input-error.ts';
import type { Db } from '../../store/db.ts';
import type { MergeCounts } from '../../store/merge.ts';
import { saveInstalledUpdates, saveWindowsLicences } from '../../store/windows-reports.ts';
import { parseCimLicensing } from '../windows/cim.ts';
import { detectWindowsOutput, parseWindowsOutput, type WindowsOutputKind } from '../windows/detect.ts';
import { HOTFIX_LISTING_CAVEAT, type InstalledUpdate, parseHotfixes } from '../windows/hotfix.ts';
import { ParseError, type Warning, type WindowsLicenceRecord } from '../windows/licence-record.ts';
import { parseSlmgr } from '../windows/slmgr.ts';
import { decodeWindowsText } from '../windows/windows-text.ts';

/** What `kenri import <kind>` reads: one command's output, or 'windows' to have kenri tell which. */
export const WINDOWS_IMPORT_KINDS = ['slmgr', 'cim', 'hotfix', 'windows'] as const;
export type WindowsImportKind = (typeof WINDOWS_IMPORT_KINDS)[number];

const FAMILY: Record<Exclude<WindowsOutputKind, 'unknown'>, Exclude<WindowsImportKind, 'windows'>> = {
  slmgr: 'slmgr',
  'cim-list': 'cim',
  'cim-json': 'cim',
  'hotfix-table': 'hotfix',
  'hotfix-list': 'hotfix',
  'wmic-list': 'hotfix',
};

export type ParsedWindowsOutput =
  | {
      readonly kind: WindowsOutputKind;
      readonly table: 'windows_licences';
      readonly records: readonly WindowsLicenceRecord[];
      readonly warnings: readonly Warning[];
    }
  | {
      readonly kind: WindowsOutputKind;
      readonly table: 'installed_updates';
      readonly updates: readonly InstalledUpdate[];
      readonly warnings: readonly Warning[];
    };

const licences = (kind: WindowsOutputKind, r: { records: WindowsLicenceRecord[]; warnings: Warning[] }) =>
  ({ kind, table: 'windows_licences', records: r.records, warnings: r.warnings }) as const;
const updates = (kind: WindowsOutputKind, r: { updates: InstalledUpdate[]; warnings: Warning[] }) =>
  ({ kind, table: 'installed_updates', updates: r.updates, warnings: r.warnings }) as const;

/**
 * Decodes a saved output (UTF-16 from PowerShell's `>`, UTF-8, or cp932 from cmd.exe on Japanese Windows) and
 * parses it with the parser of `kind`. A file that is plainly another command's output is refused with the
 * kind to use, rather than read by the wrong parser; an unreadable one is an InputError at its line.
 */
export const parseWindowsFile = (
  bytes: Uint8Array,
  kind: WindowsImportKind,
  file: string,
): ParsedWindowsOutput => {
  const text = decodeWindowsText(bytes, 'cp932');
  try {
    const detected = detectWindowsOutput(text);
    if (kind === 'windows') {
      const r = parseWindowsOutput(text);
      return 'records' in r ? licences(r.kind, r) : updates(r.kind, r);
    }
    if (detected !== 'unknown' && FAMILY[detected] !== kind)
      throw new InputError([
        {
          file,
          path: 'kind',
          message: `this looks like ${detected} output, not ${kind}: import it as ${FAMILY[detected]} (or windows)`,
          expected: [FAMILY[detected], 'windows'],
        },
      ]);
    switch (kind) {
      case 'slmgr':
        return licences('slmgr', parseSlmgr(text));
      case 'cim':
        return licences(detected === 'unknown' ? 'cim-list' : detected, parseCimLicensing(text));
      case 'hotfix':
        return updates(detected === 'unknown' ? 'hotfix-table' : detected, parseHotfixes(text));
    }
  } catch (error) {
    if (error instanceof ParseError)
      throw new InputError([
        { file, line: error.line, path: kind, message: error.message.replace(/^line \d+: /, '') },
      ]);
    throw error;
  }
};

export interface WindowsImportResult {
  readonly file: string;
  readonly device: string;
  readonly kind: WindowsOutputKind;
  readonly table: 'windows_licences' | 'installed_updates';
  readonly rows: number;
  readonly written: MergeCounts;
  readonly warnings: readonly Warning[];
  /** Windows 7 ESU add-ons the output shows, for the summary (ESU-15). */
  readonly esu: readonly { readonly year: number; readonly status: string; readonly partialKey?: string }[];
  /** Update listings leave some installed updates out: "not listed" is not "missing". */
  readonly caveat: Text | undefined;
}

/**
 * Imports one saved Windows output for one device, all or nothing: the device must be in the store, every
 * row is written in one transaction with its audit rows, and importing the same output again writes nothing.
 */
export const importWindowsOutput = async (
  db: Db,
  o: {
    readonly org: string;
    readonly device: string;
    readonly kind: WindowsImportKind;
    readonly bytes: Uint8Array;
    readonly file: string;
    readonly actor: string;
    /** When the output was taken (ISO timestamp); default now. */
    readonly observedAt?: string;
  },
): Promise<WindowsImportResult> => {
  const parsed = parseWindowsFile(o.bytes, o.kind, o.file);
  const options = {
    actor: o.actor,
    source: parsed.kind,
    observedAt: o.observedAt ?? new Date().toISOString(),
  };
  return db.transaction(async (tx) => {
    const known = await tx.query('select 1 from devices where org_id = $1 and key = $2', [o.org, o.device]);
    if (known.length === 0)
      throw new InputError([
        {
          path: 'device',
          message: `no device '${o.device}' in organisation '${o.org}': import the devices first`,
        },
      ]);
    const base = {
      file: o.file,
      device: o.device,
      kind: parsed.kind,
      table: parsed.table,
      warnings: parsed.warnings,
    };
    if (parsed.table === 'installed_updates')
      return {
        ...base,
        rows: parsed.updates.length,
        written: await saveInstalledUpdates(tx, o.org, o.device, parsed.updates, options),
        esu: [],
        caveat: HOTFIX_LISTING_CAVEAT,
      };
    return {
      ...base,
      rows: parsed.records.length,
      written: await saveWindowsLicences(tx, o.org, o.device, parsed.records, options),
      esu: parsed.records.flatMap((r) =>
        r.esu?.product === 'windows-7'
          ? [
              {
                year: r.esu.year,
                status: r.status,
                ...(r.partialProductKey ? { partialKey: r.partialProductKey } : {}),
              },
            ]
          : [],
      ),
      caveat: undefined,
    };
  });
};
