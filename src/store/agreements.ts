import type { Db } from './db.ts';
import { type MergeCounts, type UpsertOptions, upsertRows } from './merge.ts';
import { type AgreementRow, agreementsTable, selectList } from './tables.ts';

export type { AgreementRow } from './tables.ts';

export const upsertAgreements = (
  db: Db,
  org: string,
  rows: readonly (Partial<AgreementRow> & Pick<AgreementRow, 'number'>)[],
  options: UpsertOptions<AgreementRow>,
): Promise<MergeCounts> => upsertRows(db, agreementsTable, org, rows, options);

export const getAgreement = async (db: Db, org: string, number: string): Promise<AgreementRow | undefined> =>
  (
    await db.query<AgreementRow>(
      `select ${selectList(agreementsTable)} from agreements where org_id = $1 and number = $2`,
      [org, number],
    )
  )[0];

export const listAgreements = (db: Db, org: string): Promise<AgreementRow[]> =>
  db.query<AgreementRow>(
    `select ${selectList(agreementsTable)} from agreements where org_id = $1 order by number`,
    [org],
  );
