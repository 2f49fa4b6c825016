import type { Db } from './db.ts';
import { type MergeCounts, type UpsertOptions, upsertRows } from './merge.ts';
import { type DeviceRow, devicesTable, selectList } from './tables.ts';

export type { DeviceRow } from './tables.ts';

/** Inserts new devices and updates changed ones, auditing each; unchanged devices write nothing. */
export const upsertDevices = (
  db: Db,
  org: string,
  rows: readonly (Partial<DeviceRow> & Pick<DeviceRow, 'key'>)[],
  options: UpsertOptions<DeviceRow>,
): Promise<MergeCounts> => upsertRows(db, devicesTable, org, rows, options);

export const getDevice = async (db: Db, org: string, key: string): Promise<DeviceRow | undefined> =>
  (
    await db.query<DeviceRow>(
      `select ${selectList(devicesTable)} from devices where org_id = $1 and key = $2`,
      [org, key],
    )
  )[0];

export const countDevices = async (db: Db, org: string): Promise<number> =>
  (await db.query<{ n: number }>('select count(*)::int as n from devices where org_id = $1', [org]))[0]?.n ??
  0;
