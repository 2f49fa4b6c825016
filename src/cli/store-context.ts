import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { type Db, openStore } from '../store/db.ts';
import { getOrganisation, listOrganisations } from '../store/organisations.ts';
import { UsageError } from './lang.ts';

export interface StoreFlags {
  readonly data?: string;
  readonly db?: string;
  readonly org?: string;
}

/** The options every store command shares: where the store is, and which organisation. */
export const withStoreOptions = (cmd: Command): Command =>
  cmd
    .option('--data <dir>', 'embedded store folder (default ~/.kenri, or KENRI_DATA)')
    .option('--db <url>', 'PostgreSQL server URL instead of the embedded store (default DATABASE_URL)')
    .option('--org <id>', 'organisation (default KENRI_ORG, or "default")');

export const orgOf = (flags: StoreFlags): string => flags.org ?? process.env.KENRI_ORG ?? 'default';

export const actor = (): string => process.env.KENRI_ACTOR ?? userInfo().username;

export const openFromFlags = (flags: StoreFlags): Promise<Db> =>
  openStore({ dataDir: flags.data ?? process.env.KENRI_DATA, url: flags.db });

/** Runs fn with the store open, closing it whatever happens. */
export const usingStore = async <T>(flags: StoreFlags, fn: (db: Db) => Promise<T>): Promise<T> => {
  const db = await openFromFlags(flags);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
};

/** An organisation that must already exist: the message lists the ones that do. */
export const requireOrganisation = async (db: Db, org: string): Promise<void> => {
  if (await getOrganisation(db, org)) return;
  const known = (await listOrganisations(db)).map((o) => o.id);
  throw new UsageError(
    `unknown organisation '${org}' (known: ${known.join(', ') || 'none yet — run kenri init --org <id>'})`,
  );
};

/** Today in Japan's calendar: the default "as of" date is the user's, read here and passed to the rules. */
export const today = (): string =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: process.env.TZ || 'Asia/Tokyo' }).format(new Date());

export const parseAsOf = (value: string | undefined): string => {
  const v = value ?? today();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
    throw new UsageError(`--as-of: expected a date written YYYY-MM-DD, got '${v}'`);
  return v;
};
