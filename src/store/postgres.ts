import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyLine } from './copy-text.ts';
import { type Db, ident } from './db.ts';

/** pg turns dates into local-midnight JS Dates, which shift a day east of UTC; keep the text instead. */
const overrides: Record<number, (s: string) => unknown> = {
  1082: (s) => s,
  1114: (s) => new Date(`${s.replace(' ', 'T')}Z`).toISOString(),
  1184: (s) => new Date(s).toISOString(),
  20: (s) => Number(s),
};

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    overrides[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const copyRows =
  (client: pg.PoolClient) =>
  async (
    table: string,
    columns: readonly string[],
    rows: AsyncIterable<readonly unknown[]> | readonly (readonly unknown[])[],
  ): Promise<number> => {
    const stream = client.query(
      copyFrom(`copy ${ident(table)} (${columns.map(ident).join(', ')}) from stdin`),
    );
    let count = 0;
    // One stream chunk per ~64 KB of rows rather than per row: a chunk per row costs more than the row.
    // A list is walked as it is: `for await` over it would wait a microtask per row.
    async function* chunks() {
      let text = '';
      const full = (row: readonly unknown[]) => {
        count += 1;
        text += copyLine(row);
        return text.length >= 65_536;
      };
      if (Array.isArray(rows)) {
        for (const row of rows as readonly (readonly unknown[])[])
          if (full(row)) {
            yield text;
            text = '';
          }
      } else
        for await (const row of rows)
          if (full(row)) {
            yield text;
            text = '';
          }
      if (text) yield text;
    }
    await pipeline(Readable.from(chunks()), stream);
    return count;
  };

const onClient = (client: pg.PoolClient): Db => {
  const db: Db = {
    kind: 'postgres',
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await client.query(sql, params as unknown[])).rows as T[],
    exec: async (sql) => {
      await client.query(sql);
    },
    transaction: (fn) => fn(db),
    copyRows: copyRows(client),
    close: async () => {
      throw new Error('close the store, not a transaction');
    },
  };
  return db;
};

/** A pooled PostgreSQL store; each transaction holds one connection from BEGIN to COMMIT. */
export const openPostgres = async (url: string, options: { max?: number } = {}): Promise<Db> => {
  const pool = new pg.Pool({ connectionString: url, types, max: options.max ?? 10 });
  // An idle client that loses its server must not crash the process; the next query reports the error.
  pool.on('error', () => {});
  const transaction = async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('begin');
      const result = await fn(onClient(client));
      await client.query('commit');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is discarded rather than handed to the next caller.
      await client.query('rollback').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };
  try {
    (await pool.connect()).release(); // fail now, with the server's message, if the URL is wrong
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    kind: 'postgres',
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await pool.query(sql, params as unknown[])).rows as T[],
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction,
    copyRows: (table, columns, rows) => transaction((tx) => tx.copyRows!(table, columns, rows)),
    close: () => pool.end(),
  };
};
