import { InputError } from '../model/input-error.ts';
import { type Db, ident } from './db.ts';
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

const staged = <Row>(stage: Stage<Row>): (keyof Row & string)[] => [...stage.fields, ...stage.insertOnly];

/** Creates the stage for `def` in the current transaction (it is dropped at commit or rollback). */
export const openStage = async <Row>(
  tx: Db,
  def: TableDef<Row>,
  fields: readonly (keyof Row & string)[] = def.fields,
  insertOnly: readonly (keyof Row & string)[] = [],
): Promise<Stage<Row>> => {
  const present = def.fields.filter((f) => f === def.key || fields.includes(f));
  const stage: Stage<Row> = {
    def,
    name: `kenri_stage_${def.table}`,
    fields: present,
    insertOnly: def.fields.filter((f) => insertOnly.includes(f) && !present.includes(f)),
  };
  const columns = staged(stage).map((f) => ident(columnOf(f)));
  await tx.exec(`drop table if exists pg_temp.${ident(stage.name)}`);
  await tx.exec(
    `create temp table ${ident(stage.name)} on commit drop as
       select 0::int as line, ${columns.join(', ')} from ${ident(def.table)} where false`,
  );
  return stage;
};

/** An array as PostgreSQL's text form, every element quoted so commas, braces and quotes survive. */
const arrayLiteral = (items: readonly unknown[]): string =>
  `{${items
    .map((item) =>
      item === null || item === undefined ? 'NULL' : `"${String(item).replace(/["\\]/g, '\\$&')}"`,
    )
    .join(',')}}`;

const asText = (value: unknown, type: ColumnType): string | null => {
  if (value === null || value === undefined) return null;
  if (type === 'text[]' || type === 'int[]') return arrayLiteral(value as unknown[]);
  return typeof value === 'string' ? value : String(value);
};

/**
 * Stages rows with one INSERT … SELECT FROM unnest() per batch: every column goes as one text array and is
 * cast in SQL. Faster than COPY on PGlite (whose COPY reads a blob through a virtual device) and as fast
 * on PostgreSQL, where the import's one connection is busy anyway.
 */
export const stageRows = async <Row>(
  tx: Db,
  stage: Stage<Row>,
  rows: readonly Staged<Row>[],
): Promise<number> => {
  if (rows.length === 0) return 0;
  const fields = staged(stage);
  const types = fields.map((f) => stage.def.types[f] as ColumnType);
  const params: (string | null)[][] = [rows.map((r) => String(r.line))];
  fields.forEach((f, i) => {
    params.push(rows.map((r) => asText(r.row[f], types[i]!)));
  });
  const names = params.map((_, i) => `c${i}`);
  await tx.query(
    `insert into ${ident(stage.name)} (line, ${fields.map((f) => ident(columnOf(f))).join(', ')})
     select c0::int, ${types.map((t, i) => `c${i + 1}::${t}`).join(', ')}
     from unnest(${names.map((_, i) => `$${i + 1}::text[]`).join(', ')}) as u(${names.join(', ')})`,
    params,
  );
  return rows.length;
};

/** Keys staged more than once, with the lines they are on (at most `limit` keys). */
export const duplicateKeys = async <Row>(
  tx: Db,
  stage: Stage<Row>,
  limit = 1000,
): Promise<{ key: string; lines: number[] }[]> => {
  const key = ident(columnOf(stage.def.key));
  return tx.query(
    `select ${key} as key, array_agg(line order by line) as lines from ${ident(stage.name)}
     group by ${key} having count(*) > 1 order by min(line) limit $1`,
    [limit],
  );
};

const jsonOf = (alias: string, fields: readonly string[]): string =>
  `jsonb_build_object(${fields.map((f) => `'${columnOf(f)}', ${alias}.${ident(columnOf(f))}`).join(', ')})`;

/** Writes the staged rows that are new or differ from the stored ones, with an audit row for each. */
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
  const untracked = fields.filter((f) => def.untracked.includes(f));
  const written = fields.filter((f) => f !== def.key);
  const columns = staged(stage).map((f) => ident(columnOf(f)));
  const onConflict =
    written.length === 0
      ? 'do nothing'
      : `do update set ${written.map((f) => `${ident(columnOf(f))} = excluded.${ident(columnOf(f))}`).join(', ')}, updated_at = now()`;
  // The diff sorts and hashes every staged row; the default 4 MB spills a large import to disk. PGlite's
  // WebAssembly memory never shrinks once grown, so there it gets less. JIT would spend a second compiling
  // a statement that runs once.
  await tx.exec(`set local work_mem = '${tx.kind === 'pglite' ? '16MB' : '64MB'}'`);
  await tx.exec('set local jit = off');
  const merge = () =>
    tx.query<{ inserted: number; updated: number; total: number }>(
      `with diff as (
         select ${columns.map((c) => `s.${c}`).join(', ')}, t.${key} is null as is_new,
                case when t.${key} is null then null else ${jsonOf('s', values)} end as new_v,
                case when t.${key} is null then null else ${jsonOf('t', values)} end as old_v
         from ${ident(stage.name)} s left join ${table} t on t.org_id = $1 and t.${key} = s.${key}
       ), changed as (
         select ${columns.join(', ')}, is_new,
                case when is_new then jsonb_strip_nulls(${jsonOf('diff', [...values, ...untracked])})
                     else (select jsonb_object_agg(n.key, jsonb_build_object('from', o.value, 'to', n.value))
                           from jsonb_each(new_v) n join jsonb_each(old_v) o on o.key = n.key
                           where n.value is distinct from o.value) end as detail
         from diff where is_new or new_v is distinct from old_v
       ), audit as (
         insert into audit_log (org_id, actor, action, entity, entity_key, detail)
         select $1, $2, case when is_new then 'insert' else 'update' end, '${def.table}', ${key}, detail
         from changed order by ${key}
       ), written as (
         insert into ${table} (org_id, ${columns.join(', ')})
         select $1, ${columns.join(', ')} from changed order by ${key}
         on conflict (org_id, ${key}) ${onConflict}
       )
       select (count(*) filter (where is_new))::int as inserted,
              (count(*) filter (where not is_new))::int as updated,
              (select count(*)::int from ${ident(stage.name)}) as total
       from changed`,
      [org, actor],
    );
  const [counts] = await withSetBasedReferences(tx, stage, org, merge);
  const { inserted = 0, updated = 0, total = 0 } = counts ?? {};
  return { inserted, updated, unchanged: total - inserted - updated };
};

const TRIGGER_TYPE = { insert: 4, update: 16 } as const;

/**
 * True on PGlite (one connection, always a superuser) when no table listed has a trigger of its own for the
 * events listed: then a write may run with row triggers off and check its references as a set instead.
 */
export const rowChecksSkippable = async (
  tx: Db,
  events: Readonly<Record<string, readonly (keyof typeof TRIGGER_TYPE)[]>>,
): Promise<boolean> => {
  if (tx.kind !== 'pglite') return false;
  const tables = Object.keys(events);
  const masks = tables.map((t) => events[t]!.reduce((m, e) => m | TRIGGER_TYPE[e], 0));
  const [r] = await tx.query<{ superuser: boolean; triggers: number }>(
    `select current_setting('is_superuser') = 'on' as superuser,
            (select count(*)::int from pg_trigger g
             join unnest($1::text[], $2::int[]) as e(name, mask) on g.tgrelid = e.name::regclass
             where not g.tgisinternal and g.tgtype & e.mask <> 0) as triggers`,
    [tables, masks],
  );
  return r?.superuser === true && r.triggers === 0;
};

interface ForeignKey {
  readonly name: string;
  readonly columns: string[];
  /** The referenced table, as regclass prints it (quoted when it must be). */
  readonly parent: string;
  readonly parentColumns: string[];
}

const foreignKeys = (tx: Db, table: string): Promise<ForeignKey[]> =>
  tx.query<ForeignKey>(
    `select c.conname::text as name,
            array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i)
                  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as columns,
            c.confrelid::regclass::text as parent,
            array(select a.attname::text from unnest(c.confkey) with ordinality k(n, i)
                  join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as "parentColumns"
     from pg_constraint c where c.contype = 'f' and c.conrelid = $1::regclass`,
    [table],
  );

/**
 * PGlite checks a foreign key with a lookup per written row, which on an import of a hundred thousand devices
 * costs more than writing them. PGlite is one connection in one process: nothing else can write while an
 * import runs, and it is always a superuser. So there, when neither the merged table nor audit_log has a
 * trigger of its own that the merge's inserts and updates would fire, the merge runs with row triggers off
 * (session_replication_role = replica, as pg_restore loads data) and every foreign key of both tables is
 * then checked once, as a set, against the staged rows: a reference that does not hold fails the import with
 * the error PostgreSQL would give (23503), and the transaction rolls back. A PostgreSQL server keeps its
 * row checks: other sessions may write meanwhile, and kenri need not be a superuser there.
 */
const withSetBasedReferences = async <Row, T>(
  tx: Db,
  stage: Stage<Row>,
  org: string,
  merge: () => Promise<T>,
): Promise<T> => {
  const table = stage.def.table;
  if (!(await rowChecksSkippable(tx, { [table]: ['insert', 'update'], audit_log: ['insert'] })))
    return merge();
  const staged = new Set(['org_id', ...[...stage.fields, ...stage.insertOnly].map(columnOf)]);
  const keys = [
    ...(await foreignKeys(tx, table)).map((fk) => ({ ...fk, child: table, from: ident(stage.name) })),
    ...(await foreignKeys(tx, 'audit_log')).map((fk) => ({ ...fk, child: 'audit_log', from: undefined })),
  ];
  await tx.exec('set local session_replication_role = replica');
  const result = await merge();
  await tx.exec('set local session_replication_role = origin');
  for (const fk of keys) {
    // A column the import does not write keeps its stored (checked) value, or its default on a new row.
    if (!fk.columns.every((c) => staged.has(c))) continue;
    const value = (c: string) => (c === 'org_id' ? '$1::text' : `s.${ident(c)}`);
    const match = fk.columns.map((c, i) => `p.${ident(fk.parentColumns[i]!)} = ${value(c)}`).join(' and ');
    const rows = fk.columns.filter((c) => c !== 'org_id');
    const broken = await tx.query(
      rows.length === 0 || !fk.from
        ? `select 1 where not exists (select 1 from ${fk.parent} p where ${match})`
        : `select 1 from ${fk.from} s
           where ${rows.map((c) => `s.${ident(c)} is not null`).join(' and ')}
             and not exists (select 1 from ${fk.parent} p where ${match}) limit 1`,
      [org],
    );
    if (broken.length > 0)
      throw Object.assign(
        new Error(`insert or update on table "${fk.child}" violates foreign key constraint "${fk.name}"`),
        { code: '23503', table: fk.child, constraint: fk.name },
      );
  }
  return result;
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
    const stage = await openStage(tx, def, options.fields ?? carried);
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
  for (const table of tables)
    try {
      await db.exec(`analyze ${ident(table)}`);
    } catch {
      // statistics are an optimisation
    }
};

/** Refuses to write for an organisation the store does not know (without naming others: no crossing). */
export const requireOrganisation = async (db: Db, org: string): Promise<void> => {
  const found = await db.query('select 1 from organisations where id = $1', [org]);
  if (found.length === 0) throw new InputError([{ path: 'org', message: `unknown organisation '${org}'` }]);
};
