import type { Db } from './db.ts';
import { type MergeCounts, type UpsertOptions, upsertRows } from './merge.ts';
import { heldLicences, preinstalledDevice } from './preinstalled.ts';
import { type LicenceRow, licencesTable, selectList } from './tables.ts';

export type { LicenceRow } from './tables.ts';

export const upsertLicences = (
  db: Db,
  org: string,
  rows: readonly (Partial<LicenceRow> & Pick<LicenceRow, 'key'>)[],
  options: UpsertOptions<LicenceRow>,
): Promise<MergeCounts> => upsertRows(db, licencesTable, org, rows, options);

/** A licence by its key, a device's preinstalled licence (key '<device>#preinstalled') among them. */
export const getLicence = async (db: Db, org: string, key: string): Promise<LicenceRow | undefined> => {
  const device = preinstalledDevice(key);
  return (
    await db.query<LicenceRow>(
      `select ${selectList(licencesTable)} from (${heldLicences('l.key = $2', 'd.key = $3')}) h`,
      [org, key, device ?? null],
    )
  )[0];
};

/**
 * Licences assigned to neither a device nor a user: volume licences the organisation holds in a pool,
 * `quantity` of which the planner may allocate. Few rows (agreements × SKUs), so one list.
 */
export const pooledLicences = (db: Db, org: string): Promise<LicenceRow[]> =>
  db.query<LicenceRow>(
    `select ${selectList(licencesTable)} from licences
     where org_id = $1 and device_key is null and user_key is null order by key`,
    [org],
  );

/** The licences of these devices, each device's preinstalled licence among them, in key order. */
export const deviceLicences = (db: Db, org: string, deviceKeys: readonly string[]): Promise<LicenceRow[]> =>
  db.query<LicenceRow>(
    `select ${selectList(licencesTable)} from (${heldLicences(
      'l.device_key = any($2::text[])',
      'd.key = any($2::text[])',
    )}) h order by key`,
    [org, deviceKeys],
  );

export const userLicences = (db: Db, org: string, userKeys: readonly string[]): Promise<LicenceRow[]> =>
  db.query<LicenceRow>(
    `select ${selectList(licencesTable)} from licences
     where org_id = $1 and user_key = any($2::text[]) order by key`,
    [org, userKeys],
  );
