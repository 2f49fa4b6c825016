import type { Db } from './db.ts';
import {
  type ColumnType,
  columnOf,
  type DeviceRow,
  devicesTable,
  type LicenceRow,
  licencesTable,
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

/** One page: the devices after `after` in key order, their licences, and their users with theirs. */
const readPage = async (
  db: Db,
  org: string,
  after: string,
  batchSize: number,
): Promise<DeviceWithLicences[]> => {
  const { devices, licences, users, perUser } =
    db.kind === 'pglite'
      ? await readPageAsJson(db, org, after, batchSize)
      : await readPageAsRows(db, org, after, batchSize);
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
};

interface PageRows {
  readonly devices: DeviceRow[];
  /** The licences of exactly these devices: every device key in (after, last] is on the page. */
  readonly licences: LicenceRow[];
  readonly users: UserRow[];
  readonly perUser: LicenceRow[];
}

const jsonOf = <Row>(def: TableDef<Row>, alias: string): string =>
  `json_build_object(${def.fields.map((f) => `'${f}', ${alias}.${columnOf(f)}`).join(', ')})`;

/**
 * PGlite: the page as one JSON document from one statement (one snapshot). PGlite decodes every field of
 * every row in JavaScript, so one JSON text is cheaper to hand over; and one statement is one message to
 * its thread, which can read it while this thread is still deciding the page before.
 */
const readPageAsJson = async (db: Db, org: string, after: string, batchSize: number): Promise<PageRows> => {
  const [r] = await db.query<{ page: string }>(
    `with d as (select * from devices where org_id = $1 and key > $2 order by key limit $3),
          k as (select distinct u as key from d, unnest(coalesce(d.users, '{}') || d.primary_user) u
                where u is not null)
     select json_build_object(
       'devices', coalesce((select json_agg(${jsonOf(devicesTable, 'd')} order by d.key) from d), '[]'),
       'licences', coalesce((select json_agg(${jsonOf(licencesTable, 't')} order by t.device_key, t.key)
                             from licences t where t.org_id = $1 and t.device_key > $2
                               and t.device_key <= (select max(key) from d)), '[]'),
       'users', coalesce((select json_agg(${jsonOf(usersTable, 't')}) from users t
                          where t.org_id = $1 and t.key in (select key from k)), '[]'),
       'perUser', coalesce((select json_agg(${jsonOf(licencesTable, 't')} order by t.key) from licences t
                            where t.org_id = $1 and t.user_key in (select key from k)), '[]')
     )::text as page`,
    [org, after, batchSize],
  );
  return JSON.parse(r!.page) as PageRows;
};

const SQL_TYPE: Record<ColumnType, string> = {
  text: 'text',
  date: 'date',
  boolean: 'boolean',
  int: 'int',
  'text[]': 'text[]',
  'int[]': 'int[]',
};

/** The select list of one part of a page: its own table's columns, typed nulls for the others'. */
const partColumns = (own: TableDef<unknown> | undefined, alias: string): string =>
  PARTS.map(({ prefix, def }) =>
    def.fields
      .map((f) =>
        def === own
          ? `${alias}.${columnOf(f)} as "${prefix}${f}"`
          : `null::${SQL_TYPE[def.types[f as keyof typeof def.types] as ColumnType]} as "${prefix}${f}"`,
      )
      .join(', '),
  ).join(', ');

const PARTS = [
  { prefix: 'd_', def: devicesTable as TableDef<unknown> },
  { prefix: 'l_', def: licencesTable as TableDef<unknown> },
  { prefix: 'u_', def: usersTable as TableDef<unknown> },
];

const pick = <Row>(row: Record<string, unknown>, def: TableDef<Row>, prefix: string): Row => {
  const out: Record<string, unknown> = {};
  for (const f of def.fields) out[f] = row[`${prefix}${f}`];
  return out as Row;
};

/**
 * PostgreSQL: the page as one statement (one snapshot, one round trip) whose rows are the devices, their
 * licences, their users and those users' licences, each with the other parts' columns null. One statement
 * matters: the server runs it while this thread is still deciding the page before, where a query per part
 * would wait for this thread between parts. Its driver reads rows faster than the server writes JSON.
 */
const readPageAsRows = async (db: Db, org: string, after: string, batchSize: number): Promise<PageRows> => {
  const rows = await db.query<Record<string, unknown> & { part: number }>(
    `with d as (select * from devices where org_id = $1 and key > $2 order by key limit $3),
          k as (select distinct u as key from d, unnest(coalesce(d.users, '{}') || d.primary_user) u
                where u is not null)
     select 0 as part, d.key as s1, ''::text collate "C" as s2, ${partColumns(devicesTable as TableDef<unknown>, 'd')} from d
     union all
     select 1, t.device_key, t.key, ${partColumns(licencesTable as TableDef<unknown>, 't')} from licences t
     where t.org_id = $1 and t.device_key > $2 and t.device_key <= (select max(key) from d)
     union all
     select 2, t.key, '' collate "C", ${partColumns(usersTable as TableDef<unknown>, 't')} from users t
     where t.org_id = $1 and t.key in (select key from k)
     union all
     select 3, t.key, '' collate "C", ${partColumns(licencesTable as TableDef<unknown>, 't')} from licences t
     where t.org_id = $1 and t.user_key in (select key from k)
     order by part, s1, s2`,
    [org, after, batchSize],
  );
  const page: PageRows = { devices: [], licences: [], users: [], perUser: [] };
  for (const r of rows)
    if (r.part === 0) page.devices.push(pick(r, devicesTable, 'd_'));
    else if (r.part === 1) page.licences.push(pick(r, licencesTable, 'l_'));
    else if (r.part === 2) page.users.push(pick(r, usersTable, 'u_'));
    else page.perUser.push(pick(r, licencesTable, 'l_'));
  return page;
};
