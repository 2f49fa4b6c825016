import { readdirSync, readFileSync } from 'node:fs';
import type { Db } from './db.ts';

const dir = new URL('./migrations/', import.meta.url);

export interface Migration {
  readonly version: string;
  readonly sql: string;
}

/** The shipped migrations in order: files NNNN_name.sql, the file name (without .sql) is the version. */
export const migrations = (): Migration[] =>
  readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(new URL(f, dir), 'utf8') }));

/**
 * Applies the migrations not yet recorded in schema_migrations, all in one transaction, and returns their
 * versions. Two processes migrating at once queue on an advisory lock, so each migration runs once.
 */
export const migrate = async (db: Db, available: readonly Migration[] = migrations()): Promise<string[]> =>
  db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('kenri-migrate'))`);
    await tx.exec(
      `create table if not exists schema_migrations (
        version text primary key,
        applied_at timestamptz not null default now()
      )`,
    );
    const done = new Set(
      (await tx.query<{ version: string }>('select version from schema_migrations')).map((r) => r.version),
    );
    const applied: string[] = [];
    for (const m of available) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (version) values ($1)', [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
