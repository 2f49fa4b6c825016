import { basename } from 'node:path';
import { InputError, type InputIssue } from '../../model/input-error.ts';
import type { Db } from '../../store/db.ts';
import { lockOrganisationForImport } from '../../store/import-lock.ts';
import { auditNew, insertNew, insertStaged } from '../../store/insert-new.ts';
import {
  duplicateKeys,
  type MergeCounts,
  mergeStage,
  openStage,
  refreshStatistics,
  type Stage,
  type Staged,
  stagedFields,
  stageRows,
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
  /** Rows written per batch (default 2000: one batch is written while the next is read). */
  readonly batchSize?: number;
  /**
   * Bet that every row is new and write rows as they are read (default true), or merge straight away.
   * A lost bet costs reading the file a second time: a re-import loses it at its first batch, but one whose
   * first rows are new and later ones stored loses it late.
   */
  readonly insertFirst?: boolean;
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

/** A row with a problem while rows are written straight into the tables: the file is merged instead. */
class NotAllNew extends Error {}

/** A key already stored or listed twice, a reference the store lacks, a check: PostgreSQL's class 23. */
const isIntegrityError = (error: unknown): boolean =>
  typeof (error as { code?: unknown })?.code === 'string' &&
  (error as { code: string }).code.startsWith('23');

/**
 * Imports a devices, licences, agreements or users file into one organisation: every row is checked first
 * and all problems come back together as one InputError (file, line, column); only a clean file is
 * written, in one transaction, so a failure or a killed process leaves the store as it was. Rows equal to
 * what is stored write nothing, so importing the same file twice changes nothing the second time.
 *
 * The file is first read on the bet that every row is new (the first import of a fleet): rows go straight
 * into the tables as they are read (insert-new.ts), and the transaction commits if every row passed its
 * checks and the store took them all. A row with a problem, a key the store already has or the file lists
 * twice, or a reference the store lacks (the tables' own keys and 0004's triggers refuse them) rolls that
 * transaction back, and the file is read again and merged: rows go to temporary stage tables (memory stays
 * flat however long the file), then the store-side checks (keys listed twice, licences for devices or users
 * the store does not have) run on the stages and report every problem at once, and only then are the real
 * tables written, each row compared with what is stored.
 */
export const importFile = async (db: Db, options: ImportFileOptions): Promise<ImportResult> => {
  if (!IMPORT_KINDS.includes(options.kind))
    throw new InputError([
      { path: 'kind', message: `cannot import '${options.kind}'`, expected: IMPORT_KINDS },
    ]);
  const result =
    (options.insertFirst === false ? undefined : await readFile(db, options, 'insert')) ??
    (await readFile(db, options, 'merge'))!;
  await refreshStatistics(
    db,
    Object.entries(result.written)
      .filter(([, c]) => c.inserted + c.updated > 0)
      .map(([table]) => table),
  );
  return result;
};

/** Where a batch of rows goes: straight into its table, or into its stage. */
type Sink = (rows: readonly Staged<object>[]) => Promise<unknown>;

/** Reads the file once and writes it; 'insert' gives up (undefined) where 'merge' would have to compare. */
const readFile = async (
  db: Db,
  options: ImportFileOptions,
  mode: 'insert' | 'merge',
): Promise<ImportResult | undefined> => {
  const { org, kind, file, actor } = options;
  const handler = HANDLERS[kind];
  const batchSize = options.batchSize ?? 2000;
  const sourceName = basename(file);
  const format = options.format ?? formatOf(file);
  const json = format === 'json';
  const source = await openRecords(file, format);
  try {
    const header = readHeader(kind, file, source, handler, json);
    if (mode === 'insert' && header.issues.length > 0) return undefined;
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
      const targets = handler.targets(present);
      const stages = new Map<string, Stage<unknown>>();
      const sinks = new Map<string, Sink>();
      /** Rows written or staged, by table. */
      const counts = new Map<string, number>();
      // Betting that every row is new, the first target's rows go straight into their table while this
      // process reads on; the others' (a device's preinstalled licence) are staged and inserted in key order
      // at the end, which their table's indexes take several times faster than a file's order.
      for (const [i, t] of targets.entries()) {
        const table = t.def.table;
        let write: (rows: readonly Staged<object>[]) => Promise<number>;
        if (mode === 'insert' && i === 0) {
          const f = stagedFields(t.def, t.fields, t.insertOnly ?? []);
          const fields = [...f.fields, ...f.insertOnly];
          write = (rows) =>
            insertNew(
              tx,
              t.def,
              org,
              fields,
              rows.map((r) => r.row),
            );
        } else {
          const stage = await openStage(tx, t.def, t.fields, t.insertOnly);
          stages.set(table, stage);
          write = (rows) => stageRows(tx, stage, rows);
        }
        counts.set(table, 0);
        sinks.set(table, async (rows) => counts.set(table, counts.get(table)! + (await write(rows))));
      }
      const buffers = new Map<string, Staged<object>[]>([...sinks.keys()].map((k) => [k, []]));
      // One batch is written while the next is read: on PostgreSQL the server works as this process parses.
      let writing: Promise<unknown> = Promise.resolve();
      const flush = async () => {
        const batch = [...buffers].filter(([, rows]) => rows.length > 0);
        for (const [table] of batch) buffers.set(table, []);
        await writing;
        writing = (async () => {
          for (const [table, rows] of batch) await sinks.get(table)!(rows);
        })();
        writing.catch(() => {}); // reported where it is awaited
      };
      let rows = 0;
      // The first target's buffer fills first (every good row has a row for it); it decides when to flush.
      const primaryBuffer = () => buffers.values().next().value!;
      let primaryRows = primaryBuffer();
      for await (const batch of source.batches) {
        for (const record of batch) {
          rows += 1;
          const r = new RowReader(file, record, header.columns);
          const out = handler.read(r, sourceName);
          if (mode === 'insert' && (r.issues.length > 0 || !out)) {
            await writing.catch(() => {});
            throw new NotAllNew();
          }
          if (r.issues.length > 0) report(r.issues);
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
          if (rows % 1000 === 0) options.onProgress?.(rows, source.bytesRead(), source.bytesTotal);
        }
      }
      await flush();
      await writing;
      options.onProgress?.(rows, source.bytesRead(), source.bytesTotal);
      const written: Record<string, MergeCounts> = {};
      if (mode === 'insert') {
        for (const [i, t] of targets.entries()) {
          const table = t.def.table;
          if (i === 0) await auditNew(tx, t.def, org, actor, stagedFields(t.def, t.fields, []).fields);
          else await insertStaged(tx, stages.get(table)!, org, actor);
          written[table] = { inserted: counts.get(table)!, updated: 0, unchanged: 0 };
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
      for (const [table, stage] of stages) written[table] = await mergeStage(tx, stage, org, actor);
      return { org, kind, file, rows, written };
    });
  } catch (error) {
    if (mode === 'insert' && (error instanceof NotAllNew || isIntegrityError(error))) return undefined;
    throw error;
  } finally {
    source.close();
  }
};
