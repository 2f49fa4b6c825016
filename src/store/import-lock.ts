import type { Db } from './db.ts';

/**
 * Serialises imports of one organisation: two imports interleaving would each audit against a state the
 * other is changing. Held until the transaction ends. PGlite has a single connection, so there it is
 * serial anyway and the lock is merely harmless.
 */
export const lockOrganisationForImport = async (tx: Db, org: string): Promise<void> => {
  await tx.query(`select pg_advisory_xact_lock(hashtext('kenri-import:' || $1::text))`, [org]);
};
