import { readFile, stat } from 'node:fs/promises';
import type { Text } from '../../engine/text.ts';
import { InputError } from '../../model/input-error.ts';
import type { Db } from '../../store/db.ts';
import type { MergeCounts } from '../../store/merge.ts';
import { saveWindowsLicences } from '../../store/windows-reports.ts';
import { parseCimLicensing } from '../windows/cim.ts';
import { detectWindowsOutput, parseWindowsOutput, type WindowsOutputKind } from '../windows/detect.ts';
import {
  HOTFIX_LISTING_CAVEAT,
  HotfixReader,
  type InstalledUpdate,
  parseHotfixes,
} from '../windows/hotfix.ts';
import { ParseError, type Warning, type WindowsLicenceRecord } from '../windows/licence-record.ts';
import { parseSlmgr } from '../windows/slmgr.ts';
import { openWindowsText, type WindowsTextStream } from '../windows/text-stream.ts';
import { decodeWindowsText, type TextLine } from '../windows/windows-text.ts';
import { UpdateFiler } from './update-filer.ts';

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

const requireDevice = async (tx: Db, org: string, device: string): Promise<void> => {
  const known = await tx.query('select 1 from devices where org_id = $1 and key = $2', [org, device]);
  if (known.length === 0)
    throw new InputError([
      { path: 'device', message: `no device '${device}' in organisation '${org}': import the devices first` },
    ]);
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
    if (o.device !== undefined) await requireDevice(tx, o.org, o.device);
    const warnings = [...parsed.warnings];
    const base = { file: o.file, kind: parsed.kind, table: parsed.table, warnings };
    if (parsed.table === 'installed_updates') {
      const filer = new UpdateFiler(tx, o.org, o.device, o.file, options, warnings);
      await filer.add(parsed.updates);
      const { devices, written } = filer.finish();
      return {
        ...base,
        device: devices[0] ?? o.device ?? '',
        devices,
        rows: parsed.updates.length,
        written,
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

/** Update listings longer than this are read as a stream; shorter outputs are read whole. */
const STREAM_FROM_BYTES = 4 * 1024 * 1024;
/** Updates filed per batch while a listing streams. */
const FILE_BATCH = 20_000;
/** Warnings kept from a streamed listing; the rest are counted. */
const MAX_WARNINGS = 1000;

const HOTFIX_KINDS: readonly WindowsOutputKind[] = ['hotfix-table', 'hotfix-list', 'wmic-list'];

/** Lines read to tell which output a long file holds. */
const HEAD_LINES = 2000;

/**
 * The first lines of a file and which output they show, with the rest of the stream still to come: the file
 * is opened, and its encoding found, once.
 */
const readHead = async (text: WindowsTextStream) => {
  const rest = text.lines[Symbol.asyncIterator]();
  const head: TextLine[] = [];
  while (head.length < HEAD_LINES) {
    const next = await rest.next();
    if (next.done) break;
    head.push(...next.value);
  }
  const kind = detectWindowsOutput(head.map((l) => l.text).join('\n'));
  async function* lines(): AsyncGenerator<TextLine[]> {
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  }
  return { kind, text, lines: lines(), close: () => rest.return?.(undefined) };
};

/**
 * Imports a saved Windows output from a file. An update listing of more than a few megabytes (taken over a
 * fleet) is read line by line and filed in batches, in flat memory, all in one transaction; other outputs
 * are read whole (importWindowsOutput).
 */
export const importWindowsFile = async (
  db: Db,
  o: {
    readonly org: string;
    readonly device?: string;
    readonly kind: WindowsImportKind;
    readonly file: string;
    readonly actor: string;
    readonly observedAt?: string;
    readonly onProgress?: (rows: number, bytesDone: number, bytesTotal: number) => void;
    /** Update listings of more bytes than this are streamed (default 4 MB). */
    readonly streamFromBytes?: number;
  },
): Promise<WindowsImportResult> => {
  const size = (await stat(o.file)).size;
  const text =
    size > (o.streamFromBytes ?? STREAM_FROM_BYTES) && o.kind !== 'slmgr' && o.kind !== 'cim'
      ? await openWindowsText(o.file, size)
      : undefined;
  const head = text ? await readHead(text) : undefined;
  const streamed =
    head !== undefined &&
    (HOTFIX_KINDS.includes(head.kind) || (head.kind === 'unknown' && o.kind === 'hotfix'));
  if (!streamed) {
    await head?.close();
    return importWindowsOutput(db, {
      org: o.org,
      ...(o.device === undefined ? {} : { device: o.device }),
      kind: o.kind,
      file: o.file,
      actor: o.actor,
      ...(o.observedAt === undefined ? {} : { observedAt: o.observedAt }),
      bytes: await readFile(o.file),
    });
  }
  const kind = head.kind === 'unknown' ? 'hotfix-table' : head.kind;
  const reader = new HotfixReader();
  const options = { actor: o.actor, source: kind, observedAt: o.observedAt ?? new Date().toISOString() };
  return db.transaction(async (tx) => {
    if (o.device !== undefined) await requireDevice(tx, o.org, o.device);
    const filerWarnings: Warning[] = [];
    const filer = new UpdateFiler(tx, o.org, o.device, o.file, options, filerWarnings);
    let dropped = 0;
    let batch: InstalledUpdate[] = [];
    const file = async (updates: readonly InstalledUpdate[], last: boolean) => {
      batch.push(...updates);
      if (batch.length >= FILE_BATCH || last) {
        await filer.add(batch);
        batch = [];
      }
      if (reader.warnings.length > MAX_WARNINGS) dropped += reader.warnings.splice(MAX_WARNINGS).length;
    };
    try {
      for await (const lines of head.lines) {
        await file(reader.push(lines), false);
        o.onProgress?.(filer.rows + batch.length, head.text.bytesRead(), size);
      }
      await file(reader.end(), true);
    } catch (error) {
      if (error instanceof ParseError)
        throw new InputError([
          { file: o.file, line: error.line, path: o.kind, message: error.message.replace(/^line \d+: /, '') },
        ]);
      throw error;
    }
    const { devices, written } = filer.finish();
    const warnings = [...head.text.warnings, ...reader.warnings, ...filerWarnings];
    if (dropped > 0)
      warnings.push({ code: 'skipped-entry', message: `and ${dropped} more warning(s) not listed` });
    return {
      file: o.file,
      device: devices[0] ?? o.device ?? '',
      devices,
      kind: reader.format === 'list' ? 'hotfix-list' : reader.format === 'wmic-list' ? 'wmic-list' : kind,
      table: 'installed_updates',
      rows: filer.rows,
      written,
      warnings,
      esu: [],
      caveat: HOTFIX_LISTING_CAVEAT,
    };
  });
};
