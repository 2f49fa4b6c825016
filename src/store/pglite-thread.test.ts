import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, runBatch } from './db.ts';

const dir = mkdtempSync(join(tmpdir(), 'kenri-pglite-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PGlite in a worker thread', () => {
  it('runs statements in order, rolls a failed transaction back, and hands PostgreSQL errors over whole', async () => {
    const db = await openStore({ dataDir: join(dir, 'store') });
    try {
      await db.exec('create table t (n int primary key)');
      // Posted without waiting for each other: they still run in the order asked.
      await Promise.all([1, 2, 3].map((n) => db.query('insert into t values ($1)', [n])));
      const failed = await db
        .transaction(async (tx) => {
          await tx.query('insert into t values (4)');
          await tx.query('insert into t values (1)');
        })
        .catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: '23505', constraint: 't_pkey' });
      expect(
        await runBatch(db, [
          { sql: 'insert into t values (5)' },
          { sql: 'select count(*)::int as n from t' },
        ]),
      ).toEqual([[], [{ n: 4 }]]);
      const rows = await db.query<{ n: number; d: string }>(
        `select n, date '2024-03-01' as d from t order by n`,
      );
      expect(rows.map((r) => r.n)).toEqual([1, 2, 3, 5]);
      expect(rows[0]!.d).toBe('2024-03-01');
      await expect(
        runBatch(db, [{ sql: 'insert into t values (6)' }, { sql: 'select 1/0' }]),
      ).rejects.toThrow(/division by zero/);
      expect(await db.query('select n from t where n = 6')).toEqual([]);
    } finally {
      await db.close();
    }
  }, 60_000);
});
