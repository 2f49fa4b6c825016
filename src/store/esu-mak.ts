import { type EsuYear, EsuYear as EsuYearSchema } from '../data/esu.ts';
import type { Text } from '../engine/text.ts';
import {
  type ActivateResult,
  activate,
  type IncreaseRequest,
  increaseRequestFor,
  type MakLedger,
  openLedger,
  raiseLimit,
  reconcile,
  remove,
} from '../esu/mak-ledger.ts';
import type { ProductKey } from '../esu/product-key.ts';
import type { EsuProduct, LicenceStatus, WindowsLicenceRecord } from '../importers/windows/licence-record.ts';
import { InputError } from '../model/input-error.ts';
import { makIncrease, makLimit, makPerOrganisation } from '../rules/esu/rules.ts';
import type { ClauseId } from '../sources/clause-ids.ts';
import type { Db } from './db.ts';
import { writeAudit } from './esu-audit.ts';
import { licencesOrdered } from './esu-orders.ts';
import { orgProfile, type PartialProfile, withProfile } from './esu-profile.ts';
import { requireOrganisation } from './merge.ts';
import { observedDay } from './windows-reports.ts';

/**
 * The organisation's ESU MAK key and its activations, kept in the store and decided by the pure ledger of
 * src/esu/mak-ledger.ts: each write reads the ledger, lets the pure function decide, and stores the result,
 * all in one transaction that holds the key's row locked so two clients cannot both take the last slot.
 */

export interface MakState {
  readonly ledger: MakLedger;
  /** ESU licences ordered for the year: the limit they set (ESU-17). */
  readonly ordered: number;
  /** A higher limit Microsoft granted (ESU-19), when one was recorded. */
  readonly granted: number | null;
}

interface KeyRow {
  partialKey: string;
  encryptedKey: string;
  activationLimit: number | null;
  noticeReceivedOn: string;
}

interface ActivationRow {
  deviceKey: string;
  activatedOn: string;
  source: 'cli' | 'slmgr-import';
  removedOn: string | null;
}

const checkYear = (year: number): EsuYear => {
  const y = EsuYearSchema.safeParse(year);
  if (!y.success)
    throw new InputError([
      { path: 'year', message: `'${year}' is not an ESU year`, expected: ['1', '2', '3'] },
    ]);
  return y.data;
};

/**
 * The ledger of one year as stored. With `lock`, the key's row stays locked until the transaction ends
 * (SELECT … FOR UPDATE): on PostgreSQL every other writer of this year's ledger waits for it; PGlite is
 * one connection whose transactions already run one after another.
 */
export const loadMakState = async (
  tx: Db,
  org: string,
  year: number,
  options: { lock?: boolean } = {},
): Promise<MakState | undefined> => {
  const y = checkYear(year);
  const [key] = await tx.query<KeyRow>(
    `select partial_key as "partialKey", encrypted_key as "encryptedKey", activation_limit as "activationLimit",
            notice_received_on as "noticeReceivedOn"
     from mak_keys where org_id = $1 and year = $2${options.lock ? ' for update' : ''}`,
    [org, y],
  );
  if (!key) return undefined;
  const ordered = await licencesOrdered(tx, org, y);
  const rows = await tx.query<ActivationRow>(
    `select device_key as "deviceKey", activated_on as "activatedOn", source, removed_on as "removedOn"
     from mak_activations where org_id = $1 and year = $2 order by activated_on, device_key`,
    [org, y],
  );
  return {
    ordered,
    granted: key.activationLimit,
    ledger: {
      year: y,
      partialKey: key.partialKey,
      sealedKey: key.encryptedKey,
      receivedOn: key.noticeReceivedOn,
      limit: Math.max(ordered, key.activationLimit ?? 0),
      activations: rows.map((r) => ({ deviceId: r.deviceKey, activatedOn: r.activatedOn, year: y })),
      removed: rows.flatMap((r) => (r.removedOn ? [{ deviceId: r.deviceKey, on: r.removedOn }] : [])),
    },
  };
};

const requireKey = async (tx: Db, org: string, year: number): Promise<MakState> => {
  const state = await loadMakState(tx, org, year, { lock: true });
  if (!state)
    throw new InputError([
      {
        path: 'year',
        message: `no ESU MAK key is entered for year ${year}: enter the one in the CSP activation notice with kenri mak add (ESU-20)`,
      },
    ]);
  return state;
};

const requireDevice = async (tx: Db, org: string, deviceKey: string): Promise<void> => {
  const found = await tx.query('select 1 from devices where org_id = $1 and key = $2', [org, deviceKey]);
  if (found.length === 0)
    throw new InputError([
      { path: 'device', message: `no device '${deviceKey}' in the store (import it first)` },
    ]);
};

export type AddKeyResult =
  | {
      readonly ok: true;
      readonly created: boolean;
      readonly partialKey: string;
      readonly cites: readonly ClauseId[];
    }
  | {
      readonly ok: false;
      readonly partialKey: string;
      readonly text: Text;
      readonly cites: readonly ClauseId[];
    };

/**
 * Enters the year's ESU MAK key from the CSP activation notice (ESU-20), encrypted with `secret`. A second,
 * different key for the year is refused (ESU-16); the same key again changes nothing.
 */
export const addMakKey = (
  db: Db,
  org: string,
  input: { year: number; key: ProductKey; secret: Uint8Array; noticeReceivedOn: string },
  actor: string,
): Promise<AddKeyResult> =>
  db.transaction(async (tx) => {
    await requireOrganisation(tx, org);
    const existing = await loadMakState(tx, org, input.year, { lock: true });
    // The limit openLedger sets is not stored: it follows the orders as they come in (ESU-17).
    const opened = openLedger(
      {
        key: input.key,
        secret: input.secret,
        year: input.year,
        licencesBought: Math.max(1, existing?.ordered ?? 0),
        noticeReceivedOn: input.noticeReceivedOn,
      },
      existing ? [existing.ledger] : [],
    );
    if (!opened.ok)
      return { ok: false, partialKey: opened.existing.partialKey, text: opened.text, cites: opened.cites };
    const { ledger } = opened;
    if (existing) return { ok: true, created: false, partialKey: ledger.partialKey, cites: opened.cites };
    const inserted = await tx.query(
      `insert into mak_keys (org_id, year, partial_key, encrypted_key, notice_received_on)
       values ($1, $2, $3, $4, $5) on conflict (org_id, year) do nothing returning year`,
      [org, ledger.year, ledger.partialKey, ledger.sealedKey, ledger.receivedOn],
    );
    if (inserted.length === 0)
      throw new InputError([
        {
          path: 'year',
          message: `a key for year ${ledger.year} was entered at the same moment: run kenri mak status`,
        },
      ]);
    await writeAudit(tx, org, actor, 'insert', 'mak_keys', `year ${ledger.year}`, {
      partial_key: ledger.partialKey,
      notice_received_on: ledger.receivedOn,
    });
    return { ok: true, created: true, partialKey: ledger.partialKey, cites: opened.cites };
  });

/** The sealed key of a year (for a script the user asked to hold the key), or undefined. */
export const sealedMakKey = async (db: Db, org: string, year: number): Promise<string | undefined> =>
  (
    await db.query<{ k: string }>('select encrypted_key as k from mak_keys where org_id = $1 and year = $2', [
      org,
      checkYear(year),
    ])
  )[0]?.k;

export interface RequestContext {
  /** Who asks (RR-Q8); the organisation's CSP agreement fills what is not given. */
  readonly profile?: PartialProfile;
  readonly justification?: string;
  readonly asked?: number;
}

const noLicencesNote = (year: number): Text => ({
  ja: `第 ${year} 年度の ESU ライセンスの注文が記録されていない。MAK キーの認証上限は購入ライセンス数で決まる (ESU-17)。kenri esu order で注文を記録すること`,
  en: `No ESU licences are on record for year ${year}. The MAK limit is set from the licences bought (ESU-17): record the order with kenri esu order`,
});

const requestFor = async (
  tx: Db,
  org: string,
  state: MakState,
  ctx: RequestContext,
  asked: number,
): Promise<IncreaseRequest> =>
  withProfile(
    increaseRequestFor(state.ledger, { justification: ctx.justification, asked }),
    await orgProfile(tx, org, ctx.profile),
  );

export type DeviceActivation = ActivateResult & {
  /** Set when nothing was ordered for the year: order first, an increase request is not the remedy. */
  readonly note?: Text;
};

/**
 * Counts one device against the year's key (ESU-17, ESU-18), in one transaction: lock the key's row, count,
 * insert below the limit, else return the refusal with the filled increase request (ESU-19, RR-Q8). A device
 * already counted costs nothing again, and getting the key back undoes its removal.
 */
export const activateDevice = (
  db: Db,
  org: string,
  year: number,
  deviceKey: string,
  on: string,
  options: RequestContext & { actor: string; source?: 'cli' | 'slmgr-import' },
): Promise<DeviceActivation> =>
  db.transaction(async (tx) => {
    const state = await requireKey(tx, org, year);
    await requireDevice(tx, org, deviceKey);
    const result = activate(state.ledger, deviceKey, on, { justification: options.justification });
    switch (result.outcome) {
      case 'activated':
        await tx.query(
          `insert into mak_activations (org_id, year, device_key, activated_on, source) values ($1, $2, $3, $4, $5)`,
          [org, state.ledger.year, deviceKey, on, options.source ?? 'cli'],
        );
        await writeAudit(tx, org, options.actor, 'insert', 'mak_activations', `${year}/${deviceKey}`, {
          activated_on: on,
          source: options.source ?? 'cli',
        });
        return result;
      case 'already-counted': {
        const removal = state.ledger.removed.find((r) => r.deviceId === deviceKey);
        if (removal) {
          await tx.query(
            'update mak_activations set removed_on = null where org_id = $1 and year = $2 and device_key = $3',
            [org, state.ledger.year, deviceKey],
          );
          await writeAudit(tx, org, options.actor, 'update', 'mak_activations', `${year}/${deviceKey}`, {
            removed_on: { from: removal.on, to: null },
          });
        }
        return result;
      }
      case 'refused':
        return {
          ...result,
          increaseRequest: await requestFor(tx, org, state, options, options.asked ?? 1),
          ...(state.ordered === 0 && state.granted === null
            ? { note: noLicencesNote(state.ledger.year) }
            : {}),
        };
    }
  });

/** Records the key taken off a device: the activation stays counted (ESU-18). */
export const removeFromDevice = (
  db: Db,
  org: string,
  year: number,
  deviceKey: string,
  on: string,
  actor: string,
): Promise<ReturnType<typeof remove>> =>
  db.transaction(async (tx) => {
    const state = await requireKey(tx, org, year);
    const counted = state.ledger.activations.find((a) => a.deviceId === deviceKey);
    if (counted && on < counted.activatedOn)
      throw new InputError([
        { path: 'on', message: `the removal on ${on} is before the activation on ${counted.activatedOn}` },
      ]);
    const result = remove(state.ledger, deviceKey, on);
    if (result.ledger !== state.ledger) {
      await tx.query(
        'update mak_activations set removed_on = $4 where org_id = $1 and year = $2 and device_key = $3',
        [org, state.ledger.year, deviceKey, on],
      );
      await writeAudit(tx, org, actor, 'update', 'mak_activations', `${year}/${deviceKey}`, {
        removed_on: { from: null, to: on },
      });
    }
    return result;
  });

/** Records a higher limit Microsoft granted (ESU-19); the limit never goes down. */
export const raiseMakLimit = (
  db: Db,
  org: string,
  year: number,
  limit: number,
  actor: string,
): Promise<MakLedger> =>
  db.transaction(async (tx) => {
    const state = await requireKey(tx, org, year);
    const ledger = raiseLimit(state.ledger, limit);
    if (ledger.limit !== state.granted) {
      await tx.query('update mak_keys set activation_limit = $3 where org_id = $1 and year = $2', [
        org,
        state.ledger.year,
        limit,
      ]);
      await writeAudit(tx, org, actor, 'update', 'mak_keys', `year ${year}`, {
        activation_limit: { from: state.granted, to: limit },
      });
    }
    return ledger;
  });

/** The increase request for a year as things stand (ESU-19, RR-Q8). */
export const makIncreaseRequest = (
  db: Db,
  org: string,
  year: number,
  ctx: RequestContext & { asked: number },
): Promise<IncreaseRequest> =>
  db.transaction(async (tx) => requestFor(tx, org, await requireKey(tx, org, year), ctx, ctx.asked));

export interface MakYearStatus {
  readonly year: EsuYear;
  readonly partialKey: string | undefined;
  readonly noticeReceivedOn: string | undefined;
  readonly ordered: number;
  readonly granted: number | null;
  readonly limit: number;
  /** Activations used, removed keys included (ESU-18). */
  readonly used: number;
  readonly removed: number;
  readonly remaining: number;
  readonly cites: readonly ClauseId[];
}

/** Each year with a key or an order: its limit (ESU-17), what is used (ESU-18) and what is left. */
export const makStatus = async (db: Db, org: string, year?: number): Promise<MakYearStatus[]> => {
  const years = year === undefined ? ([1, 2, 3] as const) : [checkYear(year)];
  const out: MakYearStatus[] = [];
  for (const y of years) {
    const state = await loadMakState(db, org, y);
    const ordered = state?.ordered ?? (await licencesOrdered(db, org, y));
    if (!state && ordered === 0 && year === undefined) continue;
    const limit = state?.ledger.limit ?? ordered;
    const used = state?.ledger.activations.length ?? 0;
    out.push({
      year: y,
      partialKey: state?.ledger.partialKey,
      noticeReceivedOn: state?.ledger.receivedOn,
      ordered,
      granted: state?.granted ?? null,
      limit,
      used,
      removed: state?.ledger.removed.length ?? 0,
      remaining: Math.max(0, limit - used),
      cites: [...makLimit.clauses, ...makPerOrganisation.clauses],
    });
  }
  return out;
};

interface AddOnRow {
  deviceKey: string;
  activationId: string;
  partialKey: string | null;
  status: LicenceStatus | null;
  esuProduct: EsuProduct | null;
  observedAt: string | null;
}

export interface ReconcileOutcome {
  /** Devices whose imported records show the year's add-on licensed, now counted (source 'slmgr-import'). */
  readonly added: readonly string[];
  readonly notActivated: readonly string[];
  readonly otherKey: readonly { readonly deviceId: string; readonly partialKey: string }[];
  /**
   * Devices the records show licensed that the limit leaves no room for: Windows did activate them, so the
   * limit on record is probably short of what Microsoft granted (record it with kenri mak raise), or the
   * increase request is due.
   */
  readonly overLimit: readonly string[];
  readonly increaseRequest: IncreaseRequest | undefined;
  readonly used: number;
  readonly limit: number;
  readonly cites: readonly ClauseId[];
}

/**
 * Counts the devices whose imported slmgr / CIM records show the year's Windows 7 ESU add-on licensed with
 * the organisation's key, under the same limit as `kenri mak activate`, in one locked transaction.
 */
export const reconcileMak = (
  db: Db,
  org: string,
  year: number,
  options: RequestContext & { actor: string; today: string },
): Promise<ReconcileOutcome> =>
  db.transaction(async (tx) => {
    const state = await requireKey(tx, org, year);
    const rows = await tx.query<AddOnRow>(
      `select device_key as "deviceKey", activation_id as "activationId", partial_key as "partialKey", status,
              esu_product as "esuProduct", observed_at as "observedAt"
       from windows_licences where org_id = $1 and esu_year = $2 order by observed_at nulls last, device_key`,
      [org, state.ledger.year],
    );
    const byDevice = new Map<string, AddOnRow[]>();
    for (const r of rows) byDevice.set(r.deviceKey, [...(byDevice.get(r.deviceKey) ?? []), r]);
    let ledger = state.ledger;
    const added: string[] = [];
    const notActivated: string[] = [];
    const otherKey: { deviceId: string; partialKey: string }[] = [];
    const overLimit: string[] = [];
    for (const [deviceId, records] of byDevice) {
      // A device seen licensed before the notice arrived was activated by the day the key was on record.
      const seenAt = records[0]!.observedAt;
      const observed = seenAt ? observedDay(seenAt) : options.today;
      const on = [observed, ledger.receivedOn].sort()[1]!;
      const asRecords = records.map(
        (r): WindowsLicenceRecord => ({
          name: '',
          channel: 'VOLUME_MAK',
          status: r.status ?? 'unknown',
          ...(r.partialKey ? { partialProductKey: r.partialKey } : {}),
          esu: { year: state.ledger.year, product: r.esuProduct ?? 'other' },
        }),
      );
      const seen = reconcile(ledger, [{ deviceId, records: asRecords }], on);
      notActivated.push(...seen.notActivated);
      otherKey.push(...seen.otherKey);
      if (!seen.added.includes(deviceId)) continue;
      const step = activate(ledger, deviceId, on);
      if (step.outcome !== 'activated') {
        overLimit.push(deviceId);
        continue;
      }
      ledger = step.ledger;
      added.push(deviceId);
      await tx.query(
        `insert into mak_activations (org_id, year, device_key, activated_on, source)
         values ($1, $2, $3, $4, 'slmgr-import')`,
        [org, ledger.year, deviceId, on],
      );
      await writeAudit(tx, org, options.actor, 'insert', 'mak_activations', `${year}/${deviceId}`, {
        activated_on: on,
        source: 'slmgr-import',
      });
    }
    const increaseRequest =
      overLimit.length > 0
        ? await requestFor(tx, org, { ...state, ledger }, options, options.asked ?? overLimit.length)
        : undefined;
    return {
      added,
      notActivated,
      otherKey,
      overLimit,
      increaseRequest,
      used: ledger.activations.length,
      limit: ledger.limit,
      cites: [
        ...new Set([
          ...makLimit.clauses,
          ...makPerOrganisation.clauses,
          ...(overLimit.length ? makIncrease.clauses : []),
        ]),
      ],
    };
  });
