import { ESU_YEARS, type EsuYear, esu, esuYearOn } from '../data/esu.ts';
import { coverageOf, type YearCoverage } from '../esu/orders.ts';
import type { EsuKeyState, EsuQuestionInput } from '../rules/esu/question.ts';
import type { Db } from './db.ts';
import { listEsuOrders } from './esu-orders.ts';
import { type DeviceWithLicences, devicesWithLicences } from './fleet.ts';
import { licenceInput } from './to-input.ts';
import {
  installedUpdatesOf,
  observedDay,
  type WindowsLicenceRow,
  windowsLicencesOf,
} from './windows-reports.ts';

/**
 * The ESU facts of an organisation's Windows 7 devices as the store holds them, shaped as ESU questions
 * (src/rules/esu/question.ts) for the engine to decide. Each fact says where it came from, so the CLI can
 * show why a device was read as it was.
 */

/** Why the device counts as running Windows 7. */
export type RunningFrom =
  /** The devices file's running_* columns (稼働OS). */
  | 'running'
  /** The latest slmgr / CIM output imported for it. */
  | 'windows-report'
  /** Nothing says otherwise, and it came with Windows 7. */
  | 'preinstalled';

export type YearsFrom = 'device' | 'orders';
export type KeyFrom = 'mak-ledger' | 'windows-report';

export interface EsuDeviceFacts {
  readonly deviceKey: string;
  readonly runningFrom: RunningFrom;
  /** The Windows 7 edition it runs; undefined when nothing says (then there is no question to ask). */
  readonly edition: string | undefined;
  /** The question for the engine; undefined when the edition is not known. */
  readonly input: EsuQuestionInput | undefined;
  readonly yearsFrom: YearsFrom | undefined;
  readonly keyFrom: KeyFrom | undefined;
  /** The updates an imported listing showed, or undefined when none was imported. */
  readonly updates: readonly { readonly kb: string }[] | undefined;
}

export interface EsuFleetFacts {
  readonly asOf: string;
  readonly devices: readonly EsuDeviceFacts[];
  /** ESU licences per year across the organisation's orders (ESU-08, years cumulative). */
  readonly coverage: readonly YearCoverage[];
  /**
   * Years the orders cover for every Windows 7 device (enough licences for all of them), which then stand
   * for devices whose own years are not recorded; undefined when the orders fall short of the fleet.
   */
  readonly orgYears: readonly EsuYear[] | undefined;
}

interface ActivationFact {
  deviceKey: string;
  year: number;
  activatedOn: string;
  removedOn: string | null;
}

const SEVEN = esu.product.version;

/** Whether the device runs Windows 7 and in which edition, from the best evidence the store has. */
const runningSeven = (
  d: DeviceWithLicences,
  reports: readonly WindowsLicenceRow[],
): { from: RunningFrom; edition: string | undefined } | undefined => {
  // Reports come newest first; an ESU add-on record names no OS edition.
  const os = reports.find((r) => r.esuYear === null && r.osVersion !== null);
  const { runningVersion, runningEdition } = d.device;
  if (runningVersion !== null)
    return runningVersion === SEVEN
      ? {
          from: 'running',
          edition: runningEdition ?? (os?.osVersion === SEVEN ? (os.edition ?? undefined) : undefined),
        }
      : undefined;
  if (os)
    return os.osVersion === SEVEN ? { from: 'windows-report', edition: os.edition ?? undefined } : undefined;
  const { osProduct, osVersion, osEdition } = d.device;
  return osProduct === esu.product.product && osVersion === SEVEN && osEdition !== null
    ? { from: 'preinstalled', edition: osEdition }
    : undefined;
};

/**
 * The state of the ESU key of the year holding `asOf` on the device (ESU-15): from kenri's ledger when the
 * activation is recorded there, else from the latest slmgr / CIM output taken on or before `asOf`.
 */
const keyState = (
  deviceKey: string,
  asOf: string,
  activations: readonly ActivationFact[],
  reports: readonly WindowsLicenceRow[],
): { state: EsuKeyState; from: KeyFrom | undefined } => {
  const year = esuYearOn(asOf);
  if (year === undefined) return { state: 'unknown', from: undefined };
  const a = activations.find((x) => x.deviceKey === deviceKey && x.year === year && x.activatedOn <= asOf);
  if (a)
    return a.removedOn !== null && a.removedOn <= asOf
      ? { state: { installed: false, activated: false }, from: 'mak-ledger' }
      : { state: { installed: true, activated: true }, from: 'mak-ledger' };
  const seen = reports.find(
    (r) =>
      r.esuYear === year &&
      r.esuProduct === 'windows-7' &&
      (r.observedAt === null || observedDay(r.observedAt) <= asOf),
  );
  if (!seen) return { state: 'unknown', from: undefined };
  if (seen.status === 'licensed')
    return { state: { installed: true, activated: true }, from: 'windows-report' };
  const installed = seen.installed !== false && seen.partialKey !== null;
  return { state: { installed, activated: false }, from: 'windows-report' };
};

const groupBy = <T extends { deviceKey: string }>(rows: readonly T[]): Map<string, T[]> => {
  const map = new Map<string, T[]>();
  for (const r of rows) map.set(r.deviceKey, [...(map.get(r.deviceKey) ?? []), r]);
  return map;
};

/** The whole fleet in pages, or the one page that starts at `deviceKey` (keyset: after the key before it). */
const fleetPages = async (db: Db, org: string, deviceKey: string | undefined) => {
  if (deviceKey === undefined) return devicesWithLicences(db, org);
  const [before] = await db.query<{ key: string | null }>(
    'select max(key) as key from devices where org_id = $1 and key < $2',
    [org, deviceKey],
  );
  return devicesWithLicences(db, org, { after: before?.key ?? '', batchSize: 1 });
};

/**
 * Every device of the organisation that runs Windows 7 (or the one named), with its ESU question as of
 * `asOf`. Streams the fleet a page at a time; only the Windows 7 devices are kept.
 */
export const esuFleetFacts = async (
  db: Db,
  org: string,
  asOf: string,
  options: { deviceKey?: string } = {},
): Promise<EsuFleetFacts> => {
  const found: Omit<EsuDeviceFacts, 'input' | 'yearsFrom'>[] = [];
  const inputs: EsuQuestionInput[] = [];
  for await (const page of await fleetPages(db, org, options.deviceKey)) {
    const devices =
      options.deviceKey === undefined ? page : page.filter((d) => d.device.key === options.deviceKey);
    if (devices.length === 0) break;
    const keys = devices.map((d) => d.device.key);
    const reports = groupBy(await windowsLicencesOf(db, org, keys));
    const updates = groupBy(await installedUpdatesOf(db, org, keys));
    const activations = await db.query<ActivationFact>(
      `select device_key as "deviceKey", year, activated_on as "activatedOn", removed_on as "removedOn"
       from mak_activations where org_id = $1 and device_key = any($2::text[])`,
      [org, keys],
    );
    for (const d of devices) {
      const key = d.device.key;
      const seen = reports.get(key) ?? [];
      const running = runningSeven(d, seen);
      if (!running) continue;
      const key7 = keyState(key, asOf, activations, seen);
      const listed = updates.get(key)?.filter((u) => u.installedOn === null || u.installedOn <= asOf);
      const facts = {
        deviceKey: key,
        runningFrom: running.from,
        edition: running.edition,
        keyFrom: key7.from,
        updates: listed?.map((u) => ({ kb: u.kb })),
      };
      found.push(facts);
      inputs.push({
        asOf,
        device: {
          id: key,
          running: { edition: running.edition ?? '-', version: SEVEN },
          licences: [...d.licences, ...d.users.flatMap((u) => u.licences)].map(licenceInput),
          ...(d.device.esuYears ? { esuYears: d.device.esuYears as EsuYear[] } : {}),
          esuKey: key7.state,
          ...(facts.updates ? { installedUpdates: facts.updates.map((u) => u.kb) } : {}),
        },
      });
    }
    if (options.deviceKey !== undefined) break;
  }
  const coverage = coverageOf(await listEsuOrders(db, org));
  // Orders do not say which devices they are for; they stand for every device only when there are enough.
  const years = ESU_YEARS.filter((y) => (coverage.find((c) => c.year === y)?.usable ?? 0) >= found.length);
  const orgYears = found.length > 0 && years.length > 0 ? years : undefined;
  return {
    asOf,
    coverage,
    orgYears,
    devices: found.map((f, i) => {
      const input = inputs[i]!;
      const own = input.device.esuYears !== undefined;
      return {
        ...f,
        yearsFrom: own ? 'device' : orgYears ? 'orders' : undefined,
        input:
          f.edition === undefined
            ? undefined
            : { ...input, ...(orgYears ? { organisation: { esuYears: [...orgYears] } } : {}) },
      };
    }),
  };
};
