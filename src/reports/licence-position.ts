import type { Db } from '../store/db.ts';
import { heldLicences } from '../store/preinstalled.ts';

export interface PositionRow {
  product: string;
  edition: string;
  version: string;
  channel: string;
  programme: string;
  assignment: string;
  onDevices: number;
  onUsers: number;
  pooled: number;
  expired: number;
}

export interface AgreementPosition {
  number: string;
  programme: string;
  starts: string | null;
  ends: string | null;
  softwareAssurance: boolean;
  status: 'active' | 'not-started' | 'ended' | 'undated';
}

/**
 * The organisation's licence position on a date: what it holds per product, edition, version, channel
 * and programme — assigned to devices (the licences they came with among them), to users, or pooled — and
 * how much has expired by then.
 */
export const licencePosition = async (db: Db, org: string, asOf: string): Promise<PositionRow[]> =>
  (
    await db.query<Record<string, unknown>>(
      `select product, edition, version, channel, coalesce(programme, '') as programme, assignment,
         count(*) filter (where device_key is not null) as on_devices,
         count(*) filter (where user_key is not null) as on_users,
         coalesce(sum(quantity) filter (where device_key is null and user_key is null), 0) as pooled,
         count(*) filter (where expires is not null and expires < $2::date) as expired
       from (${heldLicences('true', 'true')}) h
       group by product, edition, version, channel, coalesce(programme, ''), assignment
       order by product, edition, version, channel, 5, assignment`,
      [org, asOf],
    )
  ).map((r) => ({
    product: String(r.product),
    edition: String(r.edition),
    version: String(r.version),
    channel: String(r.channel),
    programme: String(r.programme),
    assignment: String(r.assignment),
    onDevices: Number(r.on_devices),
    onUsers: Number(r.on_users),
    pooled: Number(r.pooled),
    expired: Number(r.expired),
  }));

export const agreementPosition = async (db: Db, org: string, asOf: string): Promise<AgreementPosition[]> =>
  (
    await db.query<Omit<AgreementPosition, 'status'>>(
      `select number, programme, starts, ends, software_assurance as "softwareAssurance"
       from agreements where org_id = $1 order by number`,
      [org],
    )
  ).map((a) => ({
    ...a,
    status:
      a.starts === null && a.ends === null
        ? 'undated'
        : a.starts !== null && asOf < a.starts
          ? 'not-started'
          : a.ends !== null && asOf > a.ends
            ? 'ended'
            : 'active',
  }));
