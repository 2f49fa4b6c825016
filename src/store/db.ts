import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The one interface the repositories talk to, so the same SQL runs on embedded PGlite (a laptop, a CI job)
 * and on PostgreSQL (a fleet of a million devices). Dates come back as 'YYYY-MM-DD', timestamps as ISO
 * strings and bigints as numbers on both back ends.
 */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs one or more statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Commits when fn resolves, rolls back when it throws; a transaction inside a transaction joins it. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs statements in order in one transaction, handing back each one's rows, with no JavaScript of the
   * caller's between them: on a store in another thread or process the caller need not come back between
   * statements, so it can keep working while they run.
   */
  batch?(statements: readonly Statement[]): Promise<unknown[][]>;
  /** Bulk load: COPY on PostgreSQL, COPY from a blob on PGlite. Returns the number of rows loaded. */
  copyRows?(
    table: string,
    columns: readonly string[],
    rows: AsyncIterable<readonly unknown[]> | readonly (readonly unknown[])[],
  ): Promise<number>;
  close(): Promise<void>;
}

export interface Statement {
  readonly sql: string;
  readonly params?: readonly unknown[];
}

/** Server settings by name, each value as SQL writes it ('off', '0', "'64MB'"). */
export type Settings = Readonly<Record<string, string>>;

/**
 * Sets `settings` for the rest of the transaction (SET LOCAL). The function returned puts back the values
 * they had before, for a caller that goes on working in the same transaction: its own settings, when it
 * changes some of them again for one statement.
 */
export const setLocal = async (tx: Db, settings: Settings): Promise<() => Promise<void>> => {
  const names = Object.keys(settings);
  const [before] = await tx.query<Record<string, string>>(
    `select ${names.map((_, i) => `current_setting($${i + 1}) as "${i}"`).join(', ')}`,
    names,
  );
  for (const [name, value] of Object.entries(settings)) await tx.exec(`set local ${name} = ${value}`);
  return async () => {
    await tx.query(
      `select ${names.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`,
      names.flatMap((n, i) => [n, before![String(i)]!]),
    );
  };
};

/** Runs statements in one transaction: with the store's batch when it has one, else one by one. */
export const runBatch = (db: Db, statements: readonly Statement[]): Promise<unknown[][]> =>
  db.batch
    ? db.batch(statements)
    : db.transaction(async (tx) => {
        const out: unknown[][] = [];
        for (const s of statements) out.push(await tx.query(s.sql, s.params));
        return out;
      });

export interface StoreOptions {
  /** PGlite data directory; default ~/.kenri (the CLI's --data DIR). */
  readonly dataDir?: string;
  /** PostgreSQL URL; default the DATABASE_URL environment variable. When set, dataDir is not used. */
  readonly url?: string;
  /** Apply pending migrations on open (default true). */
  readonly migrate?: boolean;
}

export const defaultDataDir = (): string => join(homedir(), '.kenri');

/** Double-quotes an SQL identifier; table and column names come from code, but quoting keeps them exact. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Opens the store the options point at and brings its schema up to date. */
export const openStore = async (options: StoreOptions = {}): Promise<Db> => {
  const url = options.url ?? process.env.DATABASE_URL;
  const db = url
    ? await (await import('./postgres.ts')).openPostgres(url)
    : await (await import('./pglite.ts')).openPglite(options.dataDir ?? defaultDataDir());
  if (options.migrate !== false) {
    try {
      await (await import('./migrate.ts')).migrate(db);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
};

/** COPY when the back end has it, multi-row INSERTs otherwise; either way inside the caller's transaction. */
export const copyInto = async (
  db: Db,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<number> => {
  if (rows.length === 0) return 0;
  if (db.copyRows) return db.copyRows(table, columns, rows);
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    const values = chunk.map(
      (row) =>
        `(${row
          .map((v) => {
            params.push(v);
            return `$${params.length}`;
          })
          .join(', ')})`,
    );
    await db.query(
      `insert into ${ident(table)} (${columns.map(ident).join(', ')}) values ${values.join(', ')}`,
      params,
    );
  }
  return rows.length;
};
