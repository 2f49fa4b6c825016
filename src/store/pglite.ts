import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type PGliteInterface, type Transaction } from '@electric-sql/pglite';
import { copyLine } from './copy-text.ts';
import { type Db, ident } from './db.ts';
import { openPgliteThread } from './pglite-thread.ts';

/** PGlite parses dates into JS Dates at UTC midnight; kenri compares dates as 'YYYY-MM-DD' strings. */
const parsers = {
  1082: (s: string) => s,
  1114: (s: string) => new Date(`${s.replace(' ', 'T')}Z`).toISOString(),
  1184: (s: string) => new Date(s).toISOString(),
  20: (s: string) => Number(s),
};

/**
 * PGlite's buffer pool lives in this process's memory, which WebAssembly never gives back: 16 MB instead of
 * the default 128 MB keeps an import and plan of 100,000 devices near half a gigabyte, and the operating
 * system's file cache still holds the pages (measured: no slower on 100,000 devices).
 */
const SETTINGS = ['-c', 'shared_buffers=16MB'];

/** One COPY statement per ~4 MB keeps the blob, which PGlite copies into the WASM heap, small. */
const BLOB_BYTES = 4 * 1024 * 1024;

type Runner = Pick<Transaction, 'query' | 'exec'>;

const copyRows =
  (runner: Runner) =>
  async (
    table: string,
    columns: readonly string[],
    rows: AsyncIterable<readonly unknown[]> | readonly (readonly unknown[])[],
  ): Promise<number> => {
    const sql = `copy ${ident(table)} (${columns.map(ident).join(', ')}) from '/dev/blob'`;
    let parts: string[] = [];
    let bytes = 0;
    let count = 0;
    const flush = async () => {
      if (parts.length === 0) return;
      await runner.query(sql, [], { blob: new Blob(parts) });
      parts = [];
      bytes = 0;
    };
    for await (const row of rows) {
      const line = copyLine(row);
      parts.push(line);
      bytes += line.length;
      count += 1;
      if (bytes >= BLOB_BYTES) await flush();
    }
    await flush();
    return count;
  };

const wrapTransaction = (tx: Transaction): Db => {
  const db: Db = {
    kind: 'pglite',
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await tx.query<T>(sql, [...params], { parsers })).rows,
    exec: async (sql) => {
      await tx.exec(sql, { parsers });
    },
    transaction: (fn) => fn(db),
    copyRows: copyRows(tx),
    close: async () => {
      throw new Error('close the store, not a transaction');
    },
  };
  return db;
};

/** Wraps an open PGlite (the test harness hands in clones); closing the Db closes it. */
export const wrapPglite = (pg: PGliteInterface): Db => ({
  kind: 'pglite',
  query: async <T>(sql: string, params: readonly unknown[] = []) =>
    (await pg.query<T>(sql, [...params], { parsers })).rows,
  exec: async (sql) => {
    await pg.exec(sql, { parsers });
  },
  transaction: (fn) => pg.transaction((tx) => fn(wrapTransaction(tx))),
  copyRows: (table, columns, rows) => pg.transaction((tx) => copyRows(tx)(table, columns, rows)),
  close: () => pg.close(),
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * PGlite keeps the database in this process's memory and writes it back to the directory: a second process
 * on the same directory would overwrite the first one's work, so the directory is locked. A lock left by a
 * process that died is taken over.
 */
const lockDir = (dir: string): (() => void) => {
  const path = join(dir, 'kenri.lock');
  for (let attempt = 0; ; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const pid = Number(readFileSync(path, 'utf8'));
      if (pid && alive(pid))
        throw new Error(
          `the kenri store in ${dir} is in use by ${pid === process.pid ? 'this process' : `process ${pid}`}: ` +
            'close it first, or use PostgreSQL (--db-url) for concurrent use',
        );
      rmSync(path, { force: true });
    }
  }
};

/**
 * Embedded PostgreSQL kept in `dataDir` (its database in dataDir/pglite), run in a worker thread
 * (pglite-thread.ts), or a throwaway one in this thread for 'memory://'. PGlite is one connection, so
 * everything on it is serial.
 */
export const openPglite = async (dataDir: string): Promise<Db> => {
  if (dataDir.startsWith('memory://')) return wrapPglite(await PGlite.create(dataDir));
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDir(dataDir);
  try {
    const db = await openPgliteThread(join(dataDir, 'pglite'), SETTINGS);
    return {
      ...db,
      close: async () => {
        try {
          await db.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
};
