import { type Db, setLocal } from './db.ts';
import { bulkSettings } from './merge.ts';
import {
  hasPreinstalled,
  type LicenceField,
  preinstalledKeySql,
  preinstalledLicence,
} from './preinstalled.ts';
import { columnOf, type LicenceRow } from './tables.ts';

/**
 * One device's facts as the planner decides them and a plan stores them: the JSON text of `{device, users}`
 * in the shape planner/from-rows.ts deviceRaws gives (optional fields absent rather than null).
 */
export interface DeviceFacts {
  readonly key: string;
  readonly facts: string;
}

/**
 * A JSON member written by SQL: its name, the SQL expression (or the JSON text of a value every row has),
 * and whether it is left out when null.
 */
type Member = readonly [name: string, value: string | { readonly json: string }, optional: boolean];

/**
 * JSON members as arguments of one concat(), which leaves out a null: the store writes each value once
 * (to_json) and no member for a null optional field, where json_strip_nulls over the finished text would
 * parse it all again (a million devices: 5 s of the server's time), and chained `||` copied the growing
 * text once per member. A required member that is null reads null, as JSON.stringify writes it. A value
 * every row has is written as text, not worked out again for each row. Without `leading`, the first member
 * must not be optional.
 */
const jsonMembers = (members: readonly Member[], leading = false): string =>
  members
    .map(([name, value, optional], i) => {
      const label = `${i > 0 || leading ? ',' : ''}"${name}":`;
      if (typeof value !== 'string') return `'${(label + value.json).replaceAll("'", "''")}'`;
      return optional
        ? `'${label}' || to_json(${value})::text`
        : `'${label}', coalesce(to_json(${value})::text, 'null')`;
    })
    .join(', ');

const jsonObject = (members: readonly Member[]): string => `concat('{', ${jsonMembers(members)}, '}')`;

/** A licence's members as licenceRaw (planner/from-rows.ts) gives them, and whether each is optional. */
const LICENCE_MEMBERS = [
  ['id', 'key', false],
  ['channel', 'channel', false],
  ['programme', 'programme', true],
  ['kind', 'kind', false],
  ['assignment', 'assignment', false],
  ['softwareAssurance', 'softwareAssurance', false],
  ['agreementNumber', 'agreementNumber', true],
  ['sku', 'sku', true],
  ['quantity', 'quantity', true],
  ['product', 'product', false],
  ['edition', 'edition', false],
  ['version', 'version', false],
  ['components', 'components', true],
  ['language', 'language', true],
  ['muiPacks', 'muiPacks', true],
  ['oemVendor', 'oemVendor', true],
  ['expires', 'expires', true],
] as const satisfies readonly (readonly [string, keyof LicenceRow, boolean])[];

/**
 * A licence as JSON text, each field given as SQL or as the value every row has (left out when null and
 * optional, as JSON.stringify leaves out undefined).
 */
const licenceJson = (fields: { readonly [F in keyof LicenceRow]: LicenceField }): string =>
  jsonObject(
    LICENCE_MEMBERS.flatMap(([name, field, optional]): Member[] => {
      const f = fields[field];
      if ('sql' in f) return [[name, f.sql, optional]];
      return f.value === null && optional ? [] : [[name, { json: JSON.stringify(f.value) }, optional]];
    }),
  );

/** A licences row aliased `l` as JSON text. */
const storedLicence = licenceJson(
  Object.fromEntries(LICENCE_MEMBERS.map(([, field]) => [field, { sql: `l.${columnOf(field)}` }])) as {
    [F in keyof LicenceRow]: LicenceField;
  },
);

/** JSON arrays of licences as text, one per user, each in key order. */
const userLicenceArrays = `select l.user_key as owner,
     '[' || string_agg(${storedLicence}, ',' order by l.key) || ']' as licences
   from licences l where l.org_id = $1 and l.user_key is not null group by l.user_key`;

/**
 * The licences assigned to devices after `$2`, as JSON texts joined by commas in key order, one row per
 * device: those whose key sorts before the device's preinstalled licence, and those after, for it to go
 * between (a device's own OS licence is on its row, migration 0008; few devices have others).
 */
const preinstalledOfOwner = preinstalledKeySql('l.device_key');
const deviceLicenceLists = `select l.device_key as owner,
     string_agg(${storedLicence}, ',' order by l.key) filter (where l.key < ${preinstalledOfOwner}) as before,
     string_agg(${storedLicence}, ',' order by l.key) filter (where l.key > ${preinstalledOfOwner}) as after
   from licences l where l.org_id = $1 and l.device_key > $2 group by l.device_key`;

/**
 * A device's user keys as deviceUserKeys (fleet.ts) lists them: its users, then its primary user if not
 * among them.
 */
const userKeys = (d: string) =>
  `coalesce(${d}.users, '{}') || case when ${d}.primary_user is null
     or ${d}.primary_user = any(coalesce(${d}.users, '{}')) then '{}'::text[] else array[${d}.primary_user] end`;

const USERS = 'kenri_plan_users';
/**
 * Facts as fleetFacts hands them out, with the plan they were kept with: the rows a chunk statement wrote
 * into plan_inputs are exactly those it returned, so facts of this class are known to be stored, in the
 * plan's transaction, and a verdict given with them needs no lookup in the store (a million: 3 s of its
 * time). Only this module makes them, and a copy (a spread, a structured clone) is not one. A private
 * class where a WeakMap held the plan of every row: weak entries are work for every garbage collection
 * while they live, and a million rows made, kept and looked up took 1.6-2.7 s with the WeakMap against
 * 1.4-1.7 s so (six rounds, alternating).
 */
class KeptFacts implements DeviceFacts {
  readonly #plan: number;
  constructor(
    readonly key: string,
    readonly facts: string,
    plan: number,
  ) {
    this.#plan = plan;
  }
  static planOf(facts: DeviceFacts): number | undefined {
    return #plan in facts ? (facts as KeptFacts).#plan : undefined;
  }
}

/** The plan fleetFacts kept `facts` with, if it handed them out. */
export const planKeeping = (facts: DeviceFacts): number | undefined => KeptFacts.planOf(facts);

/** Devices whose facts one statement builds, keeps and hands back. */
const CHUNK = 20_000;

/**
 * An organisation's devices with their facts, in key order, one batch at a time, each kept as plan `planId`'s
 * record of what it decided the device on (plan_inputs, migration 0009): `tx` must be the transaction the
 * plan is saved in, held until the last batch is read (the caller may write in it between batches). The
 * users of every device are joined first, at once, by hash and sort (looking them up page by page cost a
 * million index probes); then each chunk of devices is merged with those users and its licences in key
 * order, kept and handed back by the same statement, while the caller works on the chunk before.
 */
export async function* fleetFacts(
  tx: Db,
  org: string,
  planId: number,
  options: { batchSize?: number } = {},
): AsyncGenerator<DeviceFacts[]> {
  const batchSize = options.batchSize ?? 2000;
  const user: Member[] = [
    ['id', 'u.key', false],
    ['name', 't.name', true],
  ];
  const device: Member[] = [
    ['id', 'd.key', false],
    ['vendor', 'd.vendor', true],
  ];
  const preinstalled = `case when ${hasPreinstalled('d')} then ${licenceJson(preinstalledLicence('d'))} end`;
  const deviceRest: Member[] = [
    ['firstImagedWith', 'd.first_imaged_with', true],
    ['primaryUser', 'd.primary_user', true],
    ['users', `nullif(${userKeys('d')}, '{}')`, true],
    ['esuYears', 'd.esu_years', true],
  ];
  // Settings for reading the facts, in force until the last page (the caller's writes between pages run
  // under them too, and are planned no worse): bulkSettings, and sorts and merge joins, since nested loops
  // would look up each device's users and licences (a million index probes) and hash joins would lose the
  // key order, to be sorted again as finished JSON. No parallel workers (but for the users' join, below): the
  // plan's own JavaScript needs the other core.
  const restoreRead = await setLocal(tx, {
    ...bulkSettings(tx.kind),
    enable_nestloop: 'off',
    max_parallel_workers_per_gather: '0',
  });
  // The users of every device, joined once into a temporary table in device order: every device and user
  // read in one pass each and hashed (a merge join sorted both a million rows first; index scans read
  // them in key order, a page at a time, to be sorted again anyway).
  // The planner's JavaScript waits for this statement, so here the server may take both cores: two workers
  // share the scans, the hash joins and the sort (a million devices: 6.3-6.4 s against 7.3-8.4 s alone).
  // It keeps one row per device and user, each user's JSON made by the workers: grouping them per device
  // here ran in one process only, after the workers, while the planner waited (a million devices: 5.0-6.0 s
  // with the index, against 6.2-7.5 s). Each chunk groups its own devices' users, while the planner works.
  // The leader only merges the workers' rows and writes them: joining as well, it made three processes on
  // two cores and a third copy of the users' licence texts (3.9-4.4 s against 4.6-5.0 s).
  const restoreHashed = await setLocal(tx, {
    enable_mergejoin: 'off',
    enable_indexscan: 'off',
    max_parallel_workers_per_gather: '2',
    parallel_leader_participation: 'off',
  });
  await tx.exec(`drop table if exists pg_temp.${USERS}`);
  await tx.query(
    `create temp table ${USERS} on commit drop as
     select d.key as device_key, u.ord,
            concat('{', ${jsonMembers(user)}, ',"licences":', coalesce(pu.licences, '[]'), '}') as json
     from devices d
     cross join lateral unnest(${userKeys('d')}) with ordinality u(key, ord)
     left join users t on t.org_id = $1 and t.key = u.key
     left join (${userLicenceArrays}) pu on pu.owner = u.key
     where d.org_id = $1
     order by d.key, u.ord`,
    [org],
  );
  await restoreHashed();
  await tx.exec(`create unique index on pg_temp.${USERS} (device_key, ord)`);
  await tx.exec(`analyze pg_temp.${USERS}`);
  // From here on, key order throughout: merge joins.
  const restoreMerged = await setLocal(tx, { enable_hashjoin: 'off' });
  // Then the facts a chunk at a time, devices, their users and their licences merged in key order from the
  // chunk's first key: each chunk is kept with the plan and handed back by the same statement, and the next
  // is built while the caller works on this one.
  const chunkSize = Math.max(batchSize, CHUNK);
  const chunk = (after: string) =>
    tx.query<DeviceFacts>(
      `with chunk as (
         insert into plan_inputs (org_id, plan_id, device_key, facts)
         select $1, $4, d.key, concat('{"device":{', ${jsonMembers(device)},
                              ',"licences":[', concat_ws(',', dl.before, ${preinstalled}, dl.after), ']',
                              ${jsonMembers(deviceRest, true)}, '},"users":', coalesce(pu.users, '[]'), '}')
         from devices d
         left join (select device_key, '[' || string_agg(json, ',' order by ord) || ']' as users
                    from pg_temp.${USERS} where device_key > $2 group by device_key) pu on pu.device_key = d.key
         left join (${deviceLicenceLists}) dl on dl.owner = d.key
         where d.org_id = $1 and d.key > $2
         order by d.key
         limit $3
         returning device_key as key, facts)
       select key, facts from chunk order by key`,
      [org, after, chunkSize, planId],
    );
  let pending = chunk('');
  try {
    for (;;) {
      const found = await pending;
      const more = found.length === chunkSize;
      if (more) {
        pending = chunk(found[found.length - 1]!.key);
        pending.catch(() => {}); // reported when awaited; a caller that stops early leaves it unread
      }
      const rows = found.map((row) => new KeptFacts(row.key, row.facts, planId));
      for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
      if (!more) return;
    }
  } finally {
    await pending.catch(() => {});
    // After a failure the transaction is lost, and its settings with it: its own error is the one to tell.
    await restoreMerged().catch(() => {});
    await restoreRead().catch(() => {});
  }
}
