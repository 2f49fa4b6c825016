import type { Db } from './db.ts';
import { type MergeCounts, type UpsertOptions, upsertRows } from './merge.ts';
import { type ImageRow, imagesTable, selectList } from './tables.ts';

export type { ImageRow } from './tables.ts';

/** Images the organisation deploys; the planner judges every device against one of them. */
export const upsertImages = (
  db: Db,
  org: string,
  rows: readonly (Partial<ImageRow> & Pick<ImageRow, 'key'>)[],
  options: UpsertOptions<ImageRow>,
): Promise<MergeCounts> => upsertRows(db, imagesTable, org, rows, options);

export const getImage = async (db: Db, org: string, key: string): Promise<ImageRow | undefined> =>
  (
    await db.query<ImageRow>(`select ${selectList(imagesTable)} from images where org_id = $1 and key = $2`, [
      org,
      key,
    ])
  )[0];

export const listImages = (db: Db, org: string): Promise<ImageRow[]> =>
  db.query<ImageRow>(`select ${selectList(imagesTable)} from images where org_id = $1 order by key`, [org]);
