import { type Db, ident, setLocal } from './db.ts';
import {
  auditInsertsSql,
  type MergeCounts,
  mergeSettings,
  type Stage,
  staged,
  untrackedOf,
} from './merge.ts';
import { columnOf } from './tables.ts';

/**
 * The first import of a fleet: no staged row is stored yet, so every one is new and there is nothing to
 * compare. The rows go in by a plain INSERT in key order, audited from the rows it inserted, without the
 * merge's join with what is stored, its diff and its materialised rows (a million devices' preinstalled
 * licences, on a busy machine: 8.7 s merged, 6.4 s inserted). The checks the merge runs first are left to
 * the store: a key staged twice is a duplicate key, a reference to a device or user it lacks fails 0004's
 * trigger; then the caller, rolled back to before the inserts, runs its checks to report every problem
 * with its line.
 */

/** Whether the table holds any row of the organisation. */
const holdsRows = async (tx: Db, org: string, table: string): Promise<boolean> => {
  const [row] = await tx.query<{ found: boolean }>(
    `select exists (select from ${ident(table)} where org_id = $1) as found`,
    [org],
  );
  return row?.found === true;
};

/** Whether none of the staged keys is stored for the organisation, so that every staged row is new. */
export const noneStored = async (tx: Db, org: string, stages: Iterable<Stage<unknown>>): Promise<boolean> => {
  for (const { def, name } of stages) {
    const table = ident(def.table);
    const key = ident(columnOf(def.key));
    // Asked in two steps: a table with no row of the organisation (the common first import) answers at
    // once, without a join whose plan depends on statistics a first import has not had.
    if (!(await holdsRows(tx, org, def.table))) continue;
    const [stored] = await tx.query<{ found: boolean }>(
      `select exists (select from ${ident(name)} s join ${table} t on t.org_id = $1 and t.${key} = s.${key})
       as found`,
      [org],
    );
    if (stored?.found) return false;
  }
  return true;
};

/** A key listed twice, a reference the store lacks, a check: PostgreSQL's class 23. */
export const isIntegrityError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('23');
};

/**
 * Inserts every stage's rows as new rows, in key order (which a table's indexes take several times faster
 * than a file's order), each table's rows audited by the same statement, in chunks of keys as the merge
 * audits new rows. When the store refuses a row, everything these inserts wrote is rolled back and the
 * answer is undefined.
 */
export const insertAllNew = async (
  tx: Db,
  org: string,
  actor: string,
  stages: Iterable<Stage<unknown>>,
): Promise<Record<string, MergeCounts> | undefined> => {
  await mergeSettings(tx);
  await tx.exec('savepoint kenri_insert_new');
  const written: Record<string, MergeCounts> = {};
  try {
    for (const stage of stages)
      written[stage.def.table] = {
        inserted: await insertStaged(tx, stage, org, actor),
        updated: 0,
        unchanged: 0,
      };
  } catch (error) {
    if (!isIntegrityError(error)) throw error;
    await tx.exec('rollback to savepoint kenri_insert_new');
    return undefined;
  }
  await tx.exec('release savepoint kenri_insert_new');
  return written;
};

const insertStaged = async <Row>(tx: Db, stage: Stage<Row>, org: string, actor: string): Promise<number> => {
  const { def } = stage;
  const columns = staged(stage).map((f) => ident(columnOf(f)));
  const untracked = untrackedOf(stage);
  const [row] = await tx.query<{ n: number }>(
    `with inserted as (
       insert into ${ident(def.table)} (org_id, ${columns.join(', ')})
       select $1, ${columns.join(', ')} from ${ident(stage.name)} order by ${ident(columnOf(def.key))}
       returning ${[def.key, ...untracked].map((f) => ident(columnOf(f))).join(', ')}
     ), audited as (
       ${auditInsertsSql(def, untracked, 'select * from inserted')}
     )
     select count(*)::int as n from inserted`,
    [org, actor],
  );
  return row?.n ?? 0;
};

/**
 * Whether the organisation has no row in any of the stages' tables: its first import of them. Its rows can
 * then be written straight into the tables as the file is read (writeNewRows), the server inserting while
 * this process parses, instead of after the last row is staged. Asked under the import lock, which every
 * kenri writer of these tables takes.
 */
export const firstImportOf = async (
  tx: Db,
  org: string,
  stages: Iterable<{ readonly def: { readonly table: string } }>,
): Promise<boolean> => {
  for (const { def } of stages) if (await holdsRows(tx, org, def.table)) return false;
  return true;
};

/**
 * Audits the rows writeNewRows wrote into the stage's table in this transaction, as insertAllNew audits
 * its inserts, and returns how many it audited. They are the organisation's rows whose xmin is this
 * transaction: a row another writer committed meanwhile is not among them. Called inside a savepoint
 * (whose rows carry its own id) it finds none, and the caller, comparing counts, can tell.
 */
export const auditNewRows = async <Row>(
  tx: Db,
  stage: Stage<Row>,
  org: string,
  actor: string,
): Promise<number> => {
  const { def } = stage;
  const untracked = untrackedOf(stage);
  const columns = [def.key, ...untracked].map((f) => ident(columnOf(f)));
  // The statement sorts every new row's key twice; at bulkSettings' work_mem a million devices' keys spilled
  // to disk. PGlite keeps its own: its memory never shrinks once grown.
  const restore = tx.kind === 'pglite' ? undefined : await setLocal(tx, { work_mem: "'256MB'" });
  const [row] = await tx.query<{ n: number }>(
    `with audited as (
       ${auditInsertsSql(
         def,
         untracked,
         `select ${columns.join(', ')} from ${ident(def.table)}
          where org_id = $1 and xmin = pg_current_xact_id()::xid`,
       )}
       returning cardinality(entity_keys) as n)
     select coalesce(sum(n), 0)::int as n from audited`,
    [org, actor],
  );
  await restore?.();
  return row?.n ?? 0;
};
