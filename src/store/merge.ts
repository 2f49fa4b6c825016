import { InputError } from '../model/input-error.ts';
import { arrayLiteral } from './copy-text.ts';
import { type Db, ident, runBatch, type Settings, setLocal } from './db.ts';
import { type ColumnType, columnOf, type TableDef } from './tables.ts';

/**
 * Upsert with an audit trail, set-based so a million rows cost a few statements: rows are staged in a
 * temporary table, compared with what is stored, and only inserted or changed rows are written, each with
 * one audit row saying what changed. Unchanged rows write nothing, so re-importing a file is a no-op.
 */

export interface Stage<Row> {
  readonly def: TableDef<Row>;
  readonly name: string;
  /** The fields compared and written; on existing rows, fields not listed keep their stored values. */
  readonly fields: readonly (keyof Row & string)[];
  /** Fields written only when a row is new: defaults for columns a file did not have. */
  readonly insertOnly: readonly (keyof Row & string)[];
}

export interface MergeCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** A row to stage, with the line (of a file, or index + 1 of a list) its problems are reported at. */
export interface Staged<Row> {
  readonly line: number;
  readonly row: Partial<Row>;
}

/** Every field a stage writes. */
export const staged = <Row>(stage: Stage<Row>): (keyof Row & string)[] => [
  ...stage.fields,
  ...stage.insertOnly,
];

/** The stage's fields whose changes are not audited one by one: an insert's audit row sums them up. */
export const untrackedOf = <Row>(stage: Stage<Row>): (keyof Row & string)[] =>
  stage.fields.filter((f) => stage.def.untracked.includes(f));

/**
 * The stage for writing `fields` of `def` (every field by default), with `insertOnly` written only into new
 * rows; createStage makes its table.
 */
export const stageOf = <Row>(
  def: TableDef<Row>,
  fields: readonly (keyof Row & string)[] = def.fields,
  insertOnly: readonly (keyof Row & string)[] = [],
): Stage<Row> => {
  const present = def.fields.filter((f) => f === def.key || fields.includes(f));
  return {
    def,
    name: `kenri_stage_${def.table}`,
    fields: present,
    insertOnly: def.fields.filter((f) => insertOnly.includes(f) && !present.includes(f)),
  };
};

/** Creates the stage's table in the current transaction (it is dropped at commit or rollback). */
export const createStage = async <Row>(tx: Db, stage: Stage<Row>): Promise<Stage<Row>> => {
  const columns = staged(stage).map((f) => ident(columnOf(f)));
  await tx.exec(`drop table if exists pg_temp.${ident(stage.name)}`);
  await tx.exec(
    `create temp table ${ident(stage.name)} on commit drop as
       select 0::int as line, ${columns.join(', ')} from ${ident(stage.def.table)} where false`,
  );
  return stage;
};

const asText = (value: unknown, type: ColumnType): string | null => {
  if (value === null || value === undefined) return null;
  if (type === 'text[]' || type === 'int[]') return arrayLiteral(value as unknown[]);
  return typeof value === 'string' ? value : String(value);
};

/** The column written before a row's fields, and its value for a row. */
interface Lead<Row> {
  readonly column: string;
  readonly type: ColumnType;
  readonly value: (row: Staged<Row>) => string | number;
}

/**
 * Writes rows' fields, after one leading column, into `table`. On PostgreSQL with COPY: the server parses
 * each value once, where unnest parsed every column as one text array and then cast each element (a file
 * of 200,000 devices with their licences: 0.84 s of server CPU against 1.26 s), and the driver sends the
 * text as it is instead of building one array literal per column. On PGlite with one INSERT … SELECT FROM
 * unnest() per batch, every column as one text array cast in SQL: COPY, whose data PGlite reads as a blob
 * through a virtual device, measured no faster there (100,000 devices).
 */
const writeRows = async <Row>(
  tx: Db,
  table: string,
  lead: Lead<Row>,
  stage: Stage<Row>,
  rows: readonly Staged<Row>[],
): Promise<number> => {
  if (rows.length === 0) return 0;
  const fields = staged(stage);
  if (tx.kind === 'postgres' && tx.copyRows) {
    // One array a row, filled in place: a map and a spread made two (an import stages two million rows).
    const values = new Array<unknown[]>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const v = new Array<unknown>(fields.length + 1);
      v[0] = lead.value(r);
      for (let j = 0; j < fields.length; j++) v[j + 1] = r.row[fields[j]!];
      values[i] = v;
    }
    return tx.copyRows(table, [lead.column, ...fields.map(columnOf)], values);
  }
  const types = fields.map((f) => stage.def.types[f] as ColumnType);
  const params: (string | null)[][] = [rows.map((r) => String(lead.value(r)))];
  fields.forEach((f, i) => {
    params.push(rows.map((r) => asText(r.row[f], types[i]!)));
  });
  const names = params.map((_, i) => `c${i}`);
  await tx.query(
    `insert into ${ident(table)} (${ident(lead.column)}, ${fields.map((f) => ident(columnOf(f))).join(', ')})
     select c0::${lead.type}, ${types.map((t, i) => `c${i + 1}::${t}`).join(', ')}
     from unnest(${names.map((_, i) => `$${i + 1}::text[]`).join(', ')}) as u(${names.join(', ')})`,
    params,
  );
  return rows.length;
};

/** Stages rows, each with its line. */
export const stageRows = <Row>(tx: Db, stage: Stage<Row>, rows: readonly Staged<Row>[]): Promise<number> =>
  writeRows(tx, stage.name, { column: 'line', type: 'int', value: (r) => r.line }, stage, rows);

/**
 * Writes rows straight into the stage's table as new rows of `org`, with no stage between: the first
 * import of a table (insert-new.ts, firstImportOf). In file order: sorting each batch by key saved the
 * server about as much time (a million devices: 2 s) as it cost this process.
 */
export const writeNewRows = <Row>(
  tx: Db,
  stage: Stage<Row>,
  org: string,
  rows: readonly Staged<Row>[],
): Promise<number> =>
  writeRows(tx, stage.def.table, { column: 'org_id', type: 'text', value: () => org }, stage, rows);

/** Keys staged more than once, with the lines they are on (at most `limit` keys). */
export const duplicateKeys = async <Row>(
  tx: Db,
  stage: Stage<Row>,
  limit = 1000,
): Promise<{ key: string; lines: number[] }[]> => {
  const key = ident(columnOf(stage.def.key));
  const name = ident(stage.name);
  // Keys are counted first and lines gathered only for those listed twice: gathering every key's lines
  // into an array cost twice as much on 200,000 devices.
  return tx.query(
    `select ${key} as key, array_agg(line order by line) as lines from ${name}
     where ${key} in (select ${key} from ${name} group by ${key} having count(*) > 1)
     group by ${key} order by min(line) limit $1`,
    [limit],
  );
};

const jsonOf = (alias: string, fields: readonly string[]): string =>
  `jsonb_build_object(${fields.map((f) => `'${columnOf(f)}', ${alias}.${ident(columnOf(f))}`).join(', ')})`;

/** Inserted keys per audit row (migration 0004: why one row per chunk loses nothing). */
const AUDIT_CHUNK = 10_000;

/**
 * The INSERT that audits new rows a chunk at a time ($1 org, $2 actor): one audit row per up to AUDIT_CHUNK
 * keys in key order, entity_keys in key order, detail the count and each untracked field's value (such as
 * a licence's source file): the one the chunk's rows share, else the distinct values. `rows` is a query
 * of the new rows' key and untracked columns.
 *
 * The rows are numbered in key order and grouped by chunk. Slicing one sorted array of a million keys per
 * chunk, and unnesting a slice of each untracked field's array, walked the arrays from their start every
 * time (a million devices' preinstalled licences: 2.1 s against 1.4 s). A chunk's distinct values are only
 * sorted out when its rows do not share one.
 */
export const auditInsertsSql = <Row>(
  def: TableDef<Row>,
  untracked: readonly (keyof Row & string)[],
  rows: string,
): string => {
  const key = ident(columnOf(def.key));
  const u = untracked.map((f) => ({ name: columnOf(f), column: ident(columnOf(f)) }));
  const detail = u
    .map(
      (f, i) => `, '${f.name}', case when c.lo${i} = c.hi${i} then to_jsonb(c.lo${i})
         else (select to_jsonb(array_agg(distinct v) filter (where v is not null)) from unnest(c.all${i}) v) end`,
    )
    .join('');
  return `insert into audit_log (org_id, actor, action, entity, entity_keys, detail)
     select $1, $2, 'insert', '${def.table}', c.keys, jsonb_strip_nulls(jsonb_build_object('count', cardinality(c.keys)${detail}))
     from (select n / ${AUDIT_CHUNK} as chunk, array_agg(${key} order by ${key}) as keys${u
       .map(
         (f, i) =>
           `, min(${f.column}) as lo${i}, max(${f.column}) as hi${i}, array_agg(${f.column}) as all${i}`,
       )
       .join('')}
           from (select ${key}${u.map((f) => `, ${f.column}`).join('')}, row_number() over (order by ${key}) - 1 as n
                 from (${rows}) r) numbered
           group by n / ${AUDIT_CHUNK}) c
     order by c.chunk`;
};

/**
 * Settings for statements that sort or hash every row of an import or a fleet. The default 4 MB spills a
 * large import to disk. PGlite's WebAssembly memory never shrinks once grown, so there it keeps the
 * default: measured on 100,000 devices, 16 MB grew the process by 30-50 MB and made the import no faster.
 * JIT would spend a second compiling a statement that runs once.
 */
export const bulkSettings = (kind: Db['kind']): Settings => ({
  work_mem: kind === 'pglite' ? "'4MB'" : "'64MB'",
  jit: 'off',
});

/** bulkSettings for the rest of the transaction. */
export const mergeSettings = async (tx: Db): Promise<void> => {
  await setLocal(tx, bulkSettings(tx.kind));
};

/**
 * Writes the staged rows that are new or differ from the stored ones. Each changed row gets an audit row
 * with what changed (from, to); inserted rows get one audit row per chunk of up to AUDIT_CHUNK keys.
 *
 * New rows go in by a plain INSERT and changed ones by an UPDATE, not by one INSERT … ON CONFLICT, which
 * probes the key's index once more per row (200,000 devices: 1.7 s of the server's time against 1.0 s).
 * The stage is compared with the stored rows in this same statement, so a row another transaction inserts
 * meanwhile (imports of one organisation hold a lock and never do) fails with a duplicate key rather than
 * being overwritten and audited as an insert.
 */
export const mergeStage = async <Row>(
  tx: Db,
  stage: Stage<Row>,
  org: string,
  actor: string,
): Promise<MergeCounts> => {
  const { def, fields } = stage;
  const key = ident(columnOf(def.key));
  const table = ident(def.table);
  const values = fields.filter((f) => f !== def.key && !def.untracked.includes(f));
  const untracked = untrackedOf(stage);
  const written = fields.filter((f) => f !== def.key).map((f) => ident(columnOf(f)));
  const columns = staged(stage).map((f) => ident(columnOf(f)));
  const compared = (alias: string) =>
    `row(${values.map((f) => `${alias}.${ident(columnOf(f))}`).join(', ')})`;
  await mergeSettings(tx);
  const [counts] = await tx.query<{ inserted: number; updated: number; total: number }>(
    `with changed as (
       select ${columns.map((c) => `s.${c}`).join(', ')}, t.${key} is null as is_new,
              case when t.${key} is not null then
                (select jsonb_object_agg(n.key, jsonb_build_object('from', o.value, 'to', n.value))
                 from jsonb_each(${jsonOf('s', values)}) n join jsonb_each(${jsonOf('t', values)}) o on o.key = n.key
                 where n.value is distinct from o.value) end as detail
       from ${ident(stage.name)} s left join ${table} t on t.org_id = $1 and t.${key} = s.${key}
       where t.${key} is null${values.length ? ` or ${compared('s')} is distinct from ${compared('t')}` : ''}
     ), audit_updates as (
       insert into audit_log (org_id, actor, action, entity, entity_key, detail)
       select $1, $2, 'update', '${def.table}', ${key}, detail from changed where not is_new order by ${key}
     ), audit_inserts as (
       ${auditInsertsSql(def, untracked, `select * from changed where is_new`)}
     ), inserted as (
       insert into ${table} (org_id, ${columns.join(', ')})
       select $1, ${columns.join(', ')} from changed where is_new order by ${key}
     )${
       written.length
         ? `, updated as (
       update ${table} t set ${written.map((c) => `${c} = c.${c}`).join(', ')}, updated_at = now()
       from changed c where not c.is_new and t.org_id = $1 and t.${key} = c.${key}
     )`
         : ''
     }
     select (count(*) filter (where is_new))::int as inserted,
            (count(*) filter (where not is_new))::int as updated,
            (select count(*)::int from ${ident(stage.name)}) as total
     from changed`,
    [org, actor],
  );
  const { inserted = 0, updated = 0, total = 0 } = counts ?? {};
  return { inserted, updated, unchanged: total - inserted - updated };
};

export interface UpsertOptions<Row> {
  readonly actor: string;
  /**
   * Fields to write; on existing rows the others keep their stored values, on new rows they take the
   * column default. Default: the fields the rows carry (give every row the same fields).
   */
  readonly fields?: readonly (keyof Row & string)[];
}

/** Upserts a list of rows for one organisation in one transaction; the repositories' write path. */
export const upsertRows = async <Row>(
  db: Db,
  def: TableDef<Row>,
  org: string,
  rows: readonly Partial<Row>[],
  options: UpsertOptions<Row>,
): Promise<MergeCounts> =>
  db.transaction(async (tx) => {
    await requireOrganisation(tx, org);
    const missingKey = rows.flatMap((r, i) =>
      r[def.key] ? [] : [{ path: `${def.table}[${i}].${def.key}`, message: 'required field missing' }],
    );
    if (missingKey.length) throw new InputError(missingKey);
    const carried = def.fields.filter((f) => rows.some((r) => r[f] !== undefined));
    const stage = await createStage(tx, stageOf(def, options.fields ?? carried));
    await stageRows(
      tx,
      stage,
      rows.map((row, i) => ({ line: i + 1, row })),
    );
    const dups = await duplicateKeys(tx, stage);
    if (dups.length)
      throw new InputError(
        dups.map((d) => ({
          path: `${def.table}[${(d.lines[1] ?? 1) - 1}].${def.key}`,
          message: `'${d.key}' is listed more than once (items ${d.lines.map((l) => l - 1).join(', ')})`,
        })),
      );
    return mergeStage(tx, stage, org, options.actor);
  });

/**
 * Refreshes the planner's statistics of tables an import changed: PGlite has no autovacuum, and on PostgreSQL
 * autovacuum may not have run yet, and without statistics a keyset page of a large table is planned as a scan
 * of everything after the key. Outside the import's transaction, so the lock is held only while it runs;
 * a failure costs speed, not data, and is ignored.
 */
export const refreshStatistics = async (db: Db, tables: readonly string[]): Promise<void> => {
  if (tables.length === 0) return;
  try {
    await runBatch(db, [
      // 3,000 rows a table (not 30,000) tell key ranges apart as well, in a tenth of the time (1M devices
      // and their licences: 0.06 s against 0.5 s). PGlite samples in WebAssembly and has no autovacuum; on
      // PostgreSQL, autovacuum refines these later at its own pace, outside anyone's import.
      { sql: 'set local default_statistics_target = 10' },
      { sql: `analyze ${tables.map(ident).join(', ')}` },
    ]);
  } catch {
    // statistics are an optimisation
  }
};

/** Refuses to write for an organisation the store does not know (without naming others: no crossing). */
export const requireOrganisation = async (db: Db, org: string): Promise<void> => {
  const found = await db.query('select 1 from organisations where id = $1', [org]);
  if (found.length === 0) throw new InputError([{ path: 'org', message: `unknown organisation '${org}'` }]);
};
