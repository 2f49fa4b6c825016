import type { Text } from '../../engine/text.ts';
import { InputError } from '../../model/input-error.ts';
import type { Db } from '../../store/db.ts';
import type { MergeCounts } from '../../store/merge.ts';
import { saveInstalledUpdatesOf, saveWindowsLicences } from '../../store/windows-reports.ts';
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
  /** The device the output was filed under; for a listing of several computers, the first of `devices`. */
  readonly device: string;
  /** Every device rows were filed under, in key order (one, unless a fleet-wide update listing). */
  readonly devices: readonly string[];
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

/** Windows computer names are case-insensitive, and Get-HotFix prints them as the remote end answered. */
const computer = (name: string | undefined): string | undefined => name?.trim().toUpperCase() || undefined;

const listed = (names: readonly string[], max = 10): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/**
 * Which device each update of a listing belongs to. With a device named, the whole listing is that
 * device's, and a listing that names several computers is refused (filing one computer's updates under
 * another would show a missing prerequisite as installed). Without one, each computer the listing names
 * (Get-HotFix's Source, wmic's CSName) is matched to the device with that key or name.
 */
const updatesByDevice = async (
  tx: Db,
  org: string,
  device: string | undefined,
  updates: readonly InstalledUpdate[],
  file: string,
  warnings: Warning[],
): Promise<Map<string, InstalledUpdate[]>> => {
  const computers = [
    ...new Set(updates.map((u) => computer(u.source)).filter((c) => c !== undefined)),
  ].sort();
  if (device !== undefined) {
    if (computers.length > 1)
      throw new InputError([
        {
          file,
          path: 'device',
          message: `the listing covers ${computers.length} computers (${listed(computers)}), not one device: import it without --device to file each computer's updates under the device of that name`,
        },
      ]);
    const [only] = computers;
    if (only !== undefined) {
      const [d] = await tx.query<{ key: string; name: string | null }>(
        'select key, name from devices where org_id = $1 and key = $2',
        [org, device],
      );
      if (d && computer(d.key) !== only && computer(d.name ?? undefined) !== only)
        warnings.push({
          code: 'computer-mismatch',
          message: `the listing was taken on computer ${only}, but device '${device}' is ${d.name ? `named '${d.name}'` : 'stored without a name'}: its updates are filed under '${device}' as --device says`,
        });
    }
    return new Map([[device, [...updates]]]);
  }
  if (updates.some((u) => computer(u.source) === undefined))
    throw new InputError([
      {
        file,
        path: 'device',
        message:
          'the listing does not name the computer it was taken on (no Source or CSName column): give --device KEY',
      },
    ]);
  const matches = await tx.query<{ computer: string; key: string }>(
    `select c.computer, d.key from unnest($2::text[]) as c(computer)
     join devices d on d.org_id = $1 and (upper(d.key) = c.computer or upper(d.name) = c.computer)
     order by c.computer, d.key`,
    [org, computers],
  );
  const keysOf = new Map<string, string[]>();
  for (const m of matches) keysOf.set(m.computer, [...(keysOf.get(m.computer) ?? []), m.key]);
  const unknown = computers.filter((c) => !keysOf.has(c));
  const ambiguous = computers.filter((c) => (keysOf.get(c)?.length ?? 0) > 1);
  if (unknown.length > 0 || ambiguous.length > 0)
    throw new InputError([
      ...(unknown.length > 0
        ? [
            {
              file,
              path: 'device',
              message: `no device in organisation '${org}' has the key or name of ${unknown.length} computer(s) the listing names: ${listed(unknown)} (import the devices first, or give --device KEY for a one-computer listing)`,
            },
          ]
        : []),
      ...ambiguous.map((c) => ({
        file,
        path: 'device',
        message: `computer ${c} matches several devices (${keysOf.get(c)!.join(', ')}): give --device KEY with that computer's listing alone`,
      })),
    ]);
  const byDevice = new Map<string, InstalledUpdate[]>();
  for (const u of updates) {
    const key = keysOf.get(computer(u.source)!)![0]!;
    const list = byDevice.get(key);
    if (list) list.push(u);
    else byDevice.set(key, [u]);
  }
  return new Map([...byDevice].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
};

/**
 * Imports one saved Windows output, all or nothing: licence outputs (slmgr, CIM) for the one device named,
 * update listings for that device or, with no device named, for every computer they list. The devices must
 * be in the store; every row is written in one transaction with its audit rows, and importing the same
 * output again writes nothing.
 */
export const importWindowsOutput = async (
  db: Db,
  o: {
    readonly org: string;
    /** The device the output was taken on; may be left out only for an update listing naming its computers. */
    readonly device?: string;
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
    if (o.device !== undefined) {
      const known = await tx.query('select 1 from devices where org_id = $1 and key = $2', [o.org, o.device]);
      if (known.length === 0)
        throw new InputError([
          {
            path: 'device',
            message: `no device '${o.device}' in organisation '${o.org}': import the devices first`,
          },
        ]);
    }
    const warnings = [...parsed.warnings];
    const base = { file: o.file, kind: parsed.kind, table: parsed.table, warnings };
    if (parsed.table === 'installed_updates') {
      const byDevice = await updatesByDevice(tx, o.org, o.device, parsed.updates, o.file, warnings);
      const devices = [...byDevice.keys()];
      return {
        ...base,
        device: devices[0] ?? o.device ?? '',
        devices,
        rows: parsed.updates.length,
        written: await saveInstalledUpdatesOf(tx, o.org, byDevice, options),
        esu: [],
        caveat: HOTFIX_LISTING_CAVEAT,
      };
    }
    if (o.device === undefined)
      throw new InputError([
        {
          file: o.file,
          path: 'device',
          message: `a ${parsed.kind} output does not say which device it was taken on: give --device KEY`,
        },
      ]);
    return {
      ...base,
      device: o.device,
      devices: [o.device],
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
