import type { Db } from './db.ts';
import {
  columnOf,
  type DeviceRow,
  devicesTable,
  type LicenceRow,
  licencesTable,
  selectList,
  type TableDef,
  type UserRow,
  usersTable,
} from './tables.ts';

export interface DeviceUser {
  /** The stored user; a key named on a device but never imported comes back with name and email null. */
  readonly user: UserRow;
  /** Per-user licences assigned to this user (they cover every device the user uses). */
  readonly licences: readonly LicenceRow[];
}

/** A device as the planner reads it: the device, its assigned licences, and its users with theirs. */
export interface DeviceWithLicences {
  readonly device: DeviceRow;
  readonly licences: readonly LicenceRow[];
  /** The device's `users`, then its primary user if not among them. */
  readonly users: readonly DeviceUser[];
}

export interface FleetPageOptions {
  /** Devices per batch (default 1000). */
  readonly batchSize?: number;
  /** Start after this device key (resume a run). */
  readonly after?: string;
  /**
   * Read the next page while the caller works on this one (PostgreSQL overlaps the read with the caller's
   * work). The next page may then be read before the caller's writes between pages: use it only when those
   * writes do not touch devices, licences or users (a plan's verdicts).
   */
  readonly prefetch?: boolean;
}

export const deviceUserKeys = (d: DeviceRow): string[] => {
  const keys = [...(d.users ?? [])];
  if (d.primaryUser && !keys.includes(d.primaryUser)) keys.push(d.primaryUser);
  return keys;
};

const groupBy = <T>(items: readonly T[], key: (t: T) => string | null): Map<string, T[]> => {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
};

/**
 * Streams an organisation's devices in key order, one batch at a time (keyset pagination), so a
 * million-device fleet never sits in memory. Each page is read in one snapshot; pages are separate
 * transactions, so the caller may write between them (on PGlite it must: a held transaction blocks reads).
 */
export async function* devicesWithLicences(
  db: Db,
  org: string,
  options: FleetPageOptions = {},
): AsyncGenerator<DeviceWithLicences[]> {
  const batchSize = options.batchSize ?? 1000;
  let after = options.after ?? '';
  let pending = readPage(db, org, after, batchSize);
  for (;;) {
    const page = await pending;
    if (page.length === 0) return;
    const full = page.length === batchSize;
    after = page[page.length - 1]!.device.key;
    if (full && options.prefetch) {
      pending = readPage(db, org, after, batchSize);
      pending.catch(() => {}); // reported when awaited; a caller that stops early leaves it unread
    }
    yield page;
    if (!full) return;
    if (!options.prefetch) pending = readPage(db, org, after, batchSize);
  }
}

/**
 * Rows of `def` as objects, `source` being a FROM clause (with WHERE) over an alias `t`. PGlite decodes each
 * field of each row in JavaScript, so there one JSON array per query is cheaper (dates come out as
 * 'YYYY-MM-DD' either way); PostgreSQL's driver reads rows faster than the server writes JSON.
 */
const selectObjects = async <Row>(
  tx: Db,
  def: TableDef<Row>,
  source: string,
  orderBy: string,
  params: readonly unknown[],
): Promise<Row[]> => {
  if (tx.kind !== 'pglite')
    return tx.query<Row>(`select ${selectList(def, 't')} from ${source} order by ${orderBy}`, params);
  const fields = def.fields.map((f) => `'${f}', t.${columnOf(f)}`).join(', ');
  const [r] = await tx.query<{ rows: string | null }>(
    `select json_agg(json_build_object(${fields}) order by ${orderBy})::text as rows from ${source}`,
    params,
  );
  return r?.rows ? (JSON.parse(r.rows) as Row[]) : [];
};

/** One page: the devices after `after` in key order, their licences, and their users with theirs. */
const readPage = (db: Db, org: string, after: string, batchSize: number): Promise<DeviceWithLicences[]> =>
  db.transaction(async (tx) => {
    if (tx.kind === 'postgres') await tx.exec('set transaction isolation level repeatable read');
    const devices = await selectObjects(
      tx,
      devicesTable,
      '(select * from devices where org_id = $1 and key > $2 order by key limit $3) t',
      't.key',
      [org, after, batchSize],
    );
    if (devices.length === 0) return [];
    const userKeys = [...new Set(devices.flatMap(deviceUserKeys))];
    // The licences of exactly these devices: every key in (after, last] is on this page.
    const licences = await selectObjects(
      tx,
      licencesTable,
      'licences t where t.org_id = $1 and t.device_key > $2 and t.device_key <= $3',
      't.device_key, t.key',
      [org, after, devices[devices.length - 1]!.key],
    );
    const [users, perUser] =
      userKeys.length === 0
        ? [[], []]
        : [
            await selectObjects(
              tx,
              usersTable,
              'users t where t.org_id = $1 and t.key = any($2::text[])',
              't.key',
              [org, userKeys],
            ),
            await selectObjects(
              tx,
              licencesTable,
              'licences t where t.org_id = $1 and t.user_key = any($2::text[])',
              't.key',
              [org, userKeys],
            ),
          ];
    const byDevice = groupBy(licences, (l) => l.deviceKey);
    const byUser = groupBy(perUser, (l) => l.userKey);
    const userRows = new Map(users.map((u) => [u.key, u]));
    return devices.map(
      (device): DeviceWithLicences => ({
        device,
        licences: byDevice.get(device.key) ?? [],
        users: deviceUserKeys(device).map((key) => ({
          user: userRows.get(key) ?? { key, name: null, email: null },
          licences: byUser.get(key) ?? [],
        })),
      }),
    );
  });
