import { basename } from 'node:path';
import { setImmediate as toEventLoop } from 'node:timers/promises';
import { InputError, type InputIssue } from '../../model/input-error.ts';
import type { Db } from '../../store/db.ts';
import { lockOrganisationForImport } from '../../store/import-lock.ts';
import {
  auditNewRows,
  firstImportOf,
  insertAllNew,
  isIntegrityError,
  noneStored,
} from '../../store/insert-new.ts';
import {
  createStage,
  duplicateKeys,
  type MergeCounts,
  mergeSettings,
  mergeStage,
  refreshStatistics,
  type Stage,
  stageOf,
  stageRows,
  writeNewRows,
} from '../../store/merge.ts';
import { ensureOrganisation } from '../../store/organisations.ts';
import { COLUMNS, columnFor, IMPORT_KINDS, type ImportKind } from './columns.ts';
import type { ImportKindHandler } from './kind.ts';
import { agreementsKind } from './kind-agreements.ts';
import { devicesKind } from './kind-devices.ts';
import { licencesKind } from './kind-licences.ts';
import { usersKind } from './kind-users.ts';
import { formatOf, openRecords, type RecordSource } from './records.ts';
import { type FileColumn, locate, RowReader } from './row-reader.ts';

export interface ImportFileOptions {
  readonly org: string;
  readonly kind: ImportKind;
  readonly file: string;
  /** Who imports: written to every audit row. */
  readonly actor: string;
  /** Default: from the file name (.json is JSON, anything else CSV). */
  readonly format?: 'csv' | 'json';
  /** Called every thousand rows and at the end; the CLI draws a progress bar from it. */
  readonly onProgress?: (rowsDone: number, bytesDone: number, bytesTotal: number) => void;
  /**
   * Rows written per batch (default 2,000; 20,000 written straight into a table on PostgreSQL): one batch
   * is written while the next is read.
   */
  readonly batchSize?: number;
  /**
   * When no row of the file is stored yet, insert them without comparing each with the store (default
   * true); false merges every file, as a re-import is merged.
   */
  readonly insertNew?: boolean;
}

export interface ImportResult {
  readonly org: string;
  readonly kind: ImportKind;
  readonly file: string;
  readonly rows: number;
  /** What changed in each table: inserted, updated, unchanged. */
  readonly written: Readonly<Record<string, MergeCounts>>;
}

const HANDLERS: Record<ImportKind, ImportKindHandler> = {
  devices: devicesKind,
  licences: licencesKind,
  agreements: agreementsKind,
  users: usersKind,
};

/**
 * Rows written per statement. On PostgreSQL, rows going straight into a table are checked by its triggers
 * once per statement, so they go in larger batches: a million users took 5.7-5.9 s in batches of 20,000
 * and 6.6-7.7 s in batches of 2,000. PGlite measured no faster so (100,000 devices), and its WebAssembly
 * memory grows with the batch and never shrinks.
 */
const BATCH = 2000;
const DIRECT_BATCH = 20_000;

/** Enough to fix a file by; a file of wholly wrong data would otherwise produce a million messages. */
const MAX_ISSUES = 1000;

const readHeader = (
  kind: ImportKind,
  file: string,
  source: RecordSource,
  handler: ImportKindHandler,
  json: boolean,
): { columns: Map<string, FileColumn>; issues: InputIssue[] } => {
  const columns = new Map<string, FileColumn>();
  const issues: InputIssue[] = [];
  const at = { line: 1, item: undefined };
  const where = (header: string, index: number) =>
    json ? { file, path: header } : { file, line: 1, column: index, path: header || `(column ${index})` };
  source.header.forEach((header, i) => {
    const spec = columnFor(kind, header);
    if (!spec) {
      issues.push({
        ...where(header, i + 1),
        message: header ? `unknown column '${header}'` : 'a column has no header',
        expected: COLUMNS[kind].map((c) => c.name),
      });
      return;
    }
    const earlier = columns.get(spec.name);
    if (earlier) {
      issues.push({
        ...where(header, i + 1),
        message: `'${header}' and '${earlier.header}'${json ? '' : ` (column ${earlier.index})`} are both ${spec.name}`,
      });
      return;
    }
    columns.set(spec.name, { header, index: i + 1, spec });
  });
  for (const spec of COLUMNS[kind])
    if (spec.required && !columns.has(spec.name))
      issues.push({
        ...locate(file, at, undefined, spec.name),
        ...(json ? { line: undefined } : {}),
        message: `required column missing${spec.aliases.length ? ` (also accepted as ${spec.aliases.join(', ')})` : ''}`,
      });
  const problem = handler.headerProblem?.(new Set(columns.keys()));
  if (problem) issues.push({ file, ...(json ? {} : { line: 1 }), path: 'header', message: problem });
  return { columns, issues };
};

const order = (i: InputIssue): [number, number] => [
  i.line ?? Number(/^\[(\d+)\]/.exec(i.path)?.[1] ?? -1),
  i.column ?? 0,
];

/**
 * Imports a devices, licences, agreements or users file into one organisation: every row is checked first
 * and all problems come back together as one InputError (file, line, column); only a clean file is
 * written, in one transaction, so a failure or a killed process leaves the store as it was. Rows equal to
 * what is stored write nothing, so importing the same file twice changes nothing the second time.
 *
 * The file is read once: rows that pass their checks go to temporary stage tables inside the transaction
 * (memory stays flat however long the file), then the store-side checks (keys listed twice, licences for
 * devices or users the store does not have) run on the stages, and only then are the real tables written.
 * When none of the staged rows is stored yet (a fleet's first import), they are inserted straight away and
 * the store's keys and references make those checks (insert-new.ts); if it refuses a row, the inserts are
 * rolled back and the checks run to say which rows and why.
 *
 * The first import of an organisation's table skips the stages: its rows go straight into the table as
 * the file is read, so the server inserts while this process parses. A row with problems, or one the store
 * refuses (a key listed twice, a reference it lacks), rolls all of that back, and the file is read again
 * through the stages to report every problem with its line.
 */
export const importFile = async (db: Db, options: ImportFileOptions): Promise<ImportResult> => {
  if (!IMPORT_KINDS.includes(options.kind))
    throw new InputError([
      { path: 'kind', message: `cannot import '${options.kind}'`, expected: IMPORT_KINDS },
    ]);
  const result = await importOnce(db, options, options.insertNew !== false).catch((error: unknown) => {
    if (error instanceof StageInstead) return importOnce(db, options, false);
    throw error;
  });
  await refreshStatistics(
    db,
    Object.entries(result.written)
      .filter(([, c]) => c.inserted + c.updated > 0)
      .map(([table]) => table),
  );
  return result;
};

/** A first import written straight into its tables that must be done again through the stages. */
class StageInstead extends Error {}

/** One reading of the file, straight into the tables when `mayWriteNew` and they hold none of the org's rows. */
const importOnce = async (
  db: Db,
  options: ImportFileOptions,
  mayWriteNew: boolean,
): Promise<ImportResult> => {
  const { org, kind, file, actor } = options;
  const handler = HANDLERS[kind];
  const sourceName = basename(file);
  const format = options.format ?? formatOf(file);
  const json = format === 'json';
  const source = await openRecords(file, format);
  try {
    const header = readHeader(kind, file, source, handler, json);
    const present = new Set(header.columns.keys());
    const issues: InputIssue[] = [...header.issues];
    let more = 0;
    const report = (found: readonly InputIssue[]) => {
      for (const issue of found) {
        if (issues.length < MAX_ISSUES) issues.push(issue);
        else more += 1;
      }
    };
    return await db.transaction(async (tx): Promise<ImportResult> => {
      await lockOrganisationForImport(tx, org);
      await ensureOrganisation(tx, org, { actor });
      const targets = handler.targets(present).map((t) => stageOf(t.def, t.fields, t.insertOnly));
      const direct = mayWriteNew && issues.length === 0 && (await firstImportOf(tx, org, targets));
      const batchSize = options.batchSize ?? (direct && tx.kind === 'postgres' ? DIRECT_BATCH : BATCH);
      const stages = new Map<string, Stage<unknown>>();
      for (const t of targets) stages.set(t.def.table, direct ? t : await createStage(tx, t));
      const buffers = new Map<string, { line: number; row: object }[]>(
        [...stages.keys()].map((k) => [k, []]),
      );
      const sent = new Map([...stages.keys()].map((k) => [k, 0]));
      // One batch is written while the next is read: on PostgreSQL the server inserts as this process parses.
      let staging: Promise<unknown> = Promise.resolve();
      const flush = async () => {
        const batch = [...buffers].filter(([, rows]) => rows.length > 0);
        for (const [table] of batch) buffers.set(table, []);
        await staging;
        staging = (async () => {
          for (const [table, rows] of batch) {
            const stage = stages.get(table)!;
            const n = await (direct ? writeNewRows(tx, stage, org, rows) : stageRows(tx, stage, rows));
            sent.set(table, sent.get(table)! + n);
          }
        })();
        staging.catch(() => {}); // reported where it is awaited
      };
      // A first import written straight in starts again through the stages at its first problem.
      const stageInstead = async (): Promise<never> => {
        await staging.catch(() => {});
        throw new StageInstead();
      };
      let rows = 0;
      try {
        // The first target's buffer fills first (every good row has a row for it); it decides when to flush.
        const primaryBuffer = () => buffers.values().next().value!;
        let primaryRows = primaryBuffer();
        for await (const batch of source.batches) {
          for (const record of batch) {
            rows += 1;
            const r = new RowReader(file, record, header.columns);
            const out = handler.read(r, sourceName);
            if (r.issues.length > 0) {
              if (direct) return await stageInstead();
              report(r.issues);
            }
            const line = record.line ?? (record.item ?? 0) + 1;
            if (out)
              for (const table in out) {
                const row = out[table]!;
                buffers.get(table)?.push({ line, row });
              }
            if (primaryRows.length >= batchSize) {
              await flush();
              primaryRows = primaryBuffer();
            }
            if (rows % 1000 === 0) {
              options.onProgress?.(rows, source.bytesRead(), source.bytesTotal);
              // Back to the event loop: the batch being written reaches the server only there, as the socket
              // drains, and parsing without it left the server idle, then this process waiting for it (a
              // million devices: 7.3 s of waiting, 1.0-2.2 s with this).
              await toEventLoop();
            }
          }
        }
        await flush();
        await staging;
      } catch (error) {
        if (direct && isIntegrityError(error)) return stageInstead();
        throw error;
      }
      options.onProgress?.(rows, source.bytesRead(), source.bytesTotal);
      if (direct) {
        await mergeSettings(tx);
        const written: Record<string, MergeCounts> = {};
        for (const [table, stage] of stages) {
          const inserted = sent.get(table)!;
          if ((await auditNewRows(tx, stage, org, actor)) !== inserted) return stageInstead();
          written[table] = { inserted, updated: 0, unchanged: 0 };
        }
        return { org, kind, file, rows, written };
      }
      const at = (line: number, column: string) =>
        locate(
          file,
          json ? { line: undefined, item: line - 1 } : { line, item: undefined },
          header.columns.get(column),
          column,
        );
      if (
        issues.length === 0 &&
        options.insertNew !== false &&
        (await noneStored(tx, org, stages.values()))
      ) {
        const written = await insertAllNew(tx, org, actor, stages.values());
        if (written) return { org, kind, file, rows, written };
      }
      const keyColumn = handler.keyColumn(present);
      const primary = stages.values().next().value!;
      for (const d of await duplicateKeys(tx, primary))
        report([
          {
            ...at(d.lines[1]!, keyColumn),
            message: `'${d.key}' is listed more than once (${json ? 'items' : 'lines'} ${d.lines.map((l) => (json ? l - 1 : l)).join(', ')})`,
          },
        ]);
      if (handler.check)
        for (const c of await handler.check(tx, org, stages))
          report([{ ...at(c.line, c.column), message: c.message, expected: c.expected }]);
      if (issues.length > 0) {
        issues.sort((a, b) => {
          const [la, ca] = order(a);
          const [lb, cb] = order(b);
          return la - lb || ca - cb;
        });
        if (more > 0) issues.push({ file, path: 'file', message: `and ${more} more problem(s) not listed` });
        throw new InputError(issues, file);
      }
      const written: Record<string, MergeCounts> = {};
      for (const [table, stage] of stages) written[table] = await mergeStage(tx, stage, org, actor);
      return { org, kind, file, rows, written };
    });
  } finally {
    source.close();
  }
};
