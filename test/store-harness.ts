import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { wrapPglite } from '../src/store/pglite.ts';
import { openPostgres } from '../src/store/postgres.ts';

/**
 * The back ends store tests run on: always PGlite, plus PostgreSQL when KENRI_TEST_PG_URL names a server.
 * Creating a database is slow (PGlite: seconds), so each test file creates and migrates one template and
 * every test gets a copy of it: a PGlite clone, or a PostgreSQL database created from the template.
 */
export interface Backend {
  readonly name: 'pglite' | 'postgres';
  /** Creates and migrates the template (once per test file). */
  setup(): Promise<void>;
  /** A fresh, migrated database for one test; close it when done. */
  fresh(): Promise<Db>;
  /** PostgreSQL only: the URL of the database `fresh` returned last, for a second client or a child process. */
  lastUrl(): string | undefined;
  teardown(): Promise<void>;
}

const pgliteBackend = (): Backend => {
  let template: PGlite | undefined;
  return {
    name: 'pglite',
    setup: async () => {
      template = await PGlite.create();
      await migrate(wrapPglite(template));
    },
    fresh: async () => wrapPglite(await template!.clone()),
    lastUrl: () => undefined,
    teardown: async () => {
      await template?.close();
    },
  };
};

const withDatabase = (url: string, database: string): string => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

const postgresBackend = (serverUrl: string): Backend => {
  const prefix = `kenri_test_${randomBytes(4).toString('hex')}`;
  const created: string[] = [];
  let last: string | undefined;
  const admin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    setup: async () => {
      await admin((c) => c.query(`create database ${prefix}`));
      created.push(prefix);
      const db = await openPostgres(withDatabase(serverUrl, prefix));
      try {
        await migrate(db);
      } finally {
        await db.close(); // a template must have no connections when it is copied
      }
    },
    fresh: async () => {
      const name = `${prefix}_${created.length}`;
      await admin((c) => c.query(`create database ${name} template ${prefix}`));
      created.push(name);
      last = withDatabase(serverUrl, name);
      return openPostgres(last);
    },
    lastUrl: () => last,
    teardown: async () => {
      await admin(async (c) => {
        for (const name of created.reverse()) await c.query(`drop database if exists ${name} with (force)`);
      });
    },
  };
};

/** The back ends to run on, for describe.each. */
export const storeBackends = (): Backend[] => {
  const url = process.env.KENRI_TEST_PG_URL;
  return url ? [pgliteBackend(), postgresBackend(url)] : [pgliteBackend()];
};

/**
 * Registers the hooks for one back end inside a describe block and returns a getter for the current
 * test's database.
 */
export const useStore = (backend: Backend): (() => Db) => {
  let db: Db | undefined;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    db = await backend.fresh();
  });
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  return () => {
    if (!db) throw new Error('no store: call the getter inside a test');
    return db;
  };
};
