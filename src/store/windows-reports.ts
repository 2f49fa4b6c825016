import type { InstalledUpdate } from '../importers/windows/hotfix.ts';
import type { WindowsLicenceRecord } from '../importers/windows/licence-record.ts';
import type { Db } from './db.ts';
import { changes, writeAudit } from './esu-audit.ts';
import type { MergeCounts } from './merge.ts';

/**
 * What Windows itself reported about a device: the licences slmgr /dlv or Get-CimInstance listed
 * (windows_licences) and the updates Get-HotFix or wmic qfe listed (installed_updates). Rows are keyed by
 * what the output identifies them by, so importing the same output again writes nothing; a later output
 * that reports something else updates the row and audits the change.
 */

export interface WindowsLicenceRow {
  deviceKey: string;
  activationId: string;
  name: string | null;
  channel: string | null;
  partialKey: string | null;
  status: string | null;
  esuYear: number | null;
  esuProduct: string | null;
  osVersion: string | null;
  edition: string | null;
  installed: boolean | null;
  source: string | null;
  observedAt: string | null;
}

export interface InstalledUpdateRow {
  deviceKey: string;
  kb: string;
  installedOn: string | null;
  description: string | null;
  source: string | null;
  observedAt: string | null;
}

export interface ReportOptions {
  readonly actor: string;
  /** What produced the rows ('slmgr', 'cim-json', 'hotfix-table', …). */
  readonly source: string;
  /** When the output was taken (ISO timestamp); kept from the first import that reported the values. */
  readonly observedAt: string;
}

/**
 * The calendar day of an observation in the user's time zone (Japan unless TZ says otherwise), the way the
 * CLI reads "today": an output saved at 08:00 in Tokyo belongs to that day, not to the UTC day before.
 */
export const observedDay = (iso: string): string =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: process.env.TZ || 'Asia/Tokyo' }).format(new Date(iso));

const LICENCE_COLUMNS = {
  name: 'name',
  channel: 'channel',
  partialKey: 'partial_key',
  status: 'status',
  esuYear: 'esu_year',
  esuProduct: 'esu_product',
  osVersion: 'os_version',
  edition: 'edition',
  installed: 'installed',
} as const;

const UPDATE_COLUMNS = { installedOn: 'installed_on', description: 'description' } as const;

/**
 * Records without an activation ID (slmgr /dli prints none) still need a stable key: what the output shows
 * of them, so the same output lands on the same row.
 */
export const recordKey = (r: WindowsLicenceRecord, index: number): string =>
  r.activationId ?? `unidentified:${r.partialProductKey ?? ''}:${r.name || `#${index + 1}`}`;

const licenceValues = (r: WindowsLicenceRecord) => ({
  name: r.name || null,
  channel: r.channel,
  partial_key: r.partialProductKey ?? null,
  status: r.status,
  esu_year: r.esu?.year ?? null,
  esu_product: r.esu?.product ?? null,
  os_version: r.osVersion ?? null,
  edition: r.edition ?? null,
  installed: r.installed ?? null,
});

/**
 * Writes one table's rows for one device: inserts the new, updates the changed (auditing from → to), and
 * leaves the unchanged alone. The caller holds the transaction.
 */
const writeRows = async (
  tx: Db,
  org: string,
  deviceKey: string,
  table: 'windows_licences' | 'installed_updates',
  keyColumn: 'activation_id' | 'kb',
  rows: readonly { key: string; values: Record<string, unknown> }[],
  o: ReportOptions,
): Promise<MergeCounts> => {
  const columns = Object.keys(rows[0]?.values ?? {});
  const existing = new Map(
    (
      await tx.query<Record<string, unknown>>(
        `select ${keyColumn} as key, ${columns.join(', ')} from ${table}
         where org_id = $1 and device_key = $2 and ${keyColumn} = any($3::text[])`,
        [org, deviceKey, rows.map((r) => r.key)],
      )
    ).map(({ key, ...values }) => [String(key), values]),
  );
  let inserted = 0;
  let updated = 0;
  for (const { key, values } of rows) {
    const before = existing.get(key);
    const entity = `${deviceKey}/${key}`;
    if (!before) {
      const all = { ...values, source: o.source, observed_at: o.observedAt };
      const names = Object.keys(all);
      await tx.query(
        `insert into ${table} (org_id, device_key, ${keyColumn}, ${names.join(', ')})
         values ($1, $2, $3, ${names.map((_, i) => `$${i + 4}`).join(', ')})`,
        [org, deviceKey, key, ...Object.values(all)],
      );
      await writeAudit(tx, org, o.actor, 'insert', table, entity, all);
      inserted += 1;
      continue;
    }
    const diff = changes(before, values);
    if (Object.keys(diff).length === 0) continue;
    const all = { ...values, source: o.source, observed_at: o.observedAt };
    const names = Object.keys(all);
    await tx.query(
      `update ${table} set ${names.map((n, i) => `${n} = $${i + 4}`).join(', ')}
       where org_id = $1 and device_key = $2 and ${keyColumn} = $3`,
      [org, deviceKey, key, ...Object.values(all)],
    );
    await writeAudit(tx, org, o.actor, 'update', table, entity, { ...diff, source: o.source });
    updated += 1;
  }
  return { inserted, updated, unchanged: rows.length - inserted - updated };
};

/** Stores the licences an slmgr or CIM output listed for a device (inside the caller's transaction). */
export const saveWindowsLicences = (
  tx: Db,
  org: string,
  deviceKey: string,
  records: readonly WindowsLicenceRecord[],
  o: ReportOptions,
): Promise<MergeCounts> => {
  // A record listed twice (slmgr /dlv all repeats nothing, but pasted outputs do) is one row.
  const rows = new Map(records.map((r, i) => [recordKey(r, i), licenceValues(r)]));
  return writeRows(
    tx,
    org,
    deviceKey,
    'windows_licences',
    'activation_id',
    [...rows].map(([key, values]) => ({ key, values })),
    o,
  );
};

const UPDATES_PER_STATEMENT = 20_000;

/**
 * Stores the updates of several devices at once: a listing taken with `Get-HotFix -ComputerName` over a
 * fleet holds every computer's updates. Each statement compares listed rows with the stored ones and writes
 * only the new and the changed, each with its audit row (an insert with its values, an update with
 * from → to), so a listing of a hundred thousand updates costs a few round trips
 * rather than two per row. The caller holds the transaction.
 */
export const saveInstalledUpdatesOf = async (
  tx: Db,
  org: string,
  byDevice: ReadonlyMap<string, readonly InstalledUpdate[]>,
  o: ReportOptions,
): Promise<MergeCounts> => {
  // A KB listed twice for a device (pasted listings repeat) is one row; the later line wins, as it would
  // have on a second import.
  const rows = new Map<string, { device: string; u: InstalledUpdate }>();
  for (const [device, updates] of byDevice)
    for (const u of updates) rows.set(`${device}\u0000${u.kb}`, { device, u });
  if (rows.size === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const all = [...rows.values()];
  let inserted = 0;
  let updated = 0;
  // A statement per 20,000 rows keeps each one's parameters a few megabytes, however long the listing.
  for (let i = 0; i < all.length; i += UPDATES_PER_STATEMENT) {
    const list = all.slice(i, i + UPDATES_PER_STATEMENT);
    const [counts] = await tx.query<{ inserted: number; updated: number }>(
      `with listed as (
       select * from unnest($5::text[], $6::text[], $7::date[], $8::text[]) as s(device_key, kb, installed_on, description)
     ), diff as (
       select s.*, t.kb is null as is_new, t.installed_on as old_on, t.description as old_description
       from listed s left join installed_updates t on t.org_id = $1 and t.device_key = s.device_key and t.kb = s.kb
     ), changed as (
       select * from diff
       where is_new or old_on is distinct from installed_on or old_description is distinct from description
     ), audit as (
       insert into audit_log (org_id, actor, action, entity, entity_key, detail)
       select $1, $2, case when is_new then 'insert' else 'update' end, 'installed_updates', device_key || '/' || kb,
              case when is_new then jsonb_build_object('installed_on', installed_on, 'description', description,
                                                       'source', $3::text, 'observed_at', $4::text)
              else case when old_on is distinct from installed_on
                          then jsonb_build_object('installed_on', jsonb_build_object('from', old_on, 'to', installed_on))
                          else '{}'::jsonb end
                   || case when old_description is distinct from description
                          then jsonb_build_object('description', jsonb_build_object('from', old_description, 'to', description))
                          else '{}'::jsonb end
                   || jsonb_build_object('source', $3::text) end
       from changed order by device_key, kb
     ), written as (
       insert into installed_updates (org_id, device_key, kb, installed_on, description, source, observed_at)
       select $1, device_key, kb, installed_on, description, $3, $4::timestamptz from changed
       on conflict (org_id, device_key, kb) do update set installed_on = excluded.installed_on,
         description = excluded.description, source = excluded.source, observed_at = excluded.observed_at
     )
     select (count(*) filter (where is_new))::int as inserted, (count(*) filter (where not is_new))::int as updated
     from changed`,
      [
        org,
        o.actor,
        o.source,
        o.observedAt,
        list.map((r) => r.device),
        list.map((r) => r.u.kb),
        list.map((r) => r.u.installedOn ?? null),
        list.map((r) => r.u.description ?? null),
      ],
    );
    inserted += counts?.inserted ?? 0;
    updated += counts?.updated ?? 0;
  }
  return { inserted, updated, unchanged: all.length - inserted - updated };
};

const licenceSelect = `device_key as "deviceKey", activation_id as "activationId", ${Object.entries(
  LICENCE_COLUMNS,
)
  .map(([f, c]) => `${c} as "${f}"`)
  .join(', ')}, source, observed_at as "observedAt"`;

/** The licence records imported for these devices, newest observation first. */
export const windowsLicencesOf = (
  db: Db,
  org: string,
  deviceKeys: readonly string[],
): Promise<WindowsLicenceRow[]> =>
  db.query<WindowsLicenceRow>(
    `select ${licenceSelect} from windows_licences where org_id = $1 and device_key = any($2::text[])
     order by device_key, observed_at desc nulls last, activation_id`,
    [org, deviceKeys],
  );

/** The updates imported for these devices, by KB. */
export const installedUpdatesOf = (
  db: Db,
  org: string,
  deviceKeys: readonly string[],
): Promise<InstalledUpdateRow[]> =>
  db.query<InstalledUpdateRow>(
    `select device_key as "deviceKey", kb, ${Object.entries(UPDATE_COLUMNS)
      .map(([f, c]) => `${c} as "${f}"`)
      .join(', ')}, source, observed_at as "observedAt"
     from installed_updates where org_id = $1 and device_key = any($2::text[]) order by device_key, kb`,
    [org, deviceKeys],
  );
