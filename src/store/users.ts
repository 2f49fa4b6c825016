import type { Db } from './db.ts';
import { type MergeCounts, type UpsertOptions, upsertRows } from './merge.ts';
import { selectList, type UserRow, usersTable } from './tables.ts';

export type { UserRow } from './tables.ts';

export const upsertUsers = (
  db: Db,
  org: string,
  rows: readonly (Partial<UserRow> & Pick<UserRow, 'key'>)[],
  options: UpsertOptions<UserRow>,
): Promise<MergeCounts> => upsertRows(db, usersTable, org, rows, options);

export const getUser = async (db: Db, org: string, key: string): Promise<UserRow | undefined> =>
  (
    await db.query<UserRow>(`select ${selectList(usersTable)} from users where org_id = $1 and key = $2`, [
      org,
      key,
    ])
  )[0];

export const listUsers = (db: Db, org: string): Promise<UserRow[]> =>
  db.query<UserRow>(`select ${selectList(usersTable)} from users where org_id = $1 order by key`, [org]);
