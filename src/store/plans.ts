import { copyInto, type Db } from './db.ts';
import { type DeviceFacts, planKeeping } from './fleet-facts.ts';
import { factorOut, putBack } from './plan-outcomes.ts';

/** What a plan was asked: kept whole so the plan can be shown again exactly as decided (STYLE §5). */
export interface PlanHeader {
  readonly actor: string;
  readonly imageKey: string | null;
  readonly asOf: string;
  /** Hash of the rules and data the verdicts came from. */
  readonly rulesVersion: string;
  /** The image and the options, as given. */
  readonly input: unknown;
}

export interface StoredPlan extends PlanHeader {
  readonly id: number;
  readonly org: string;
  readonly createdAt: string;
  readonly summary: unknown;
}

export interface PlanVerdict {
  readonly deviceKey: string;
  readonly verdict: 'allowed' | 'denied' | 'conditional';
  readonly cites: readonly string[];
  readonly reasons: unknown;
  readonly remedies: unknown;
  /** The question facts as decided. */
  readonly input: unknown;
  /**
   * Keys besides the device's that its reason texts name (its users'): saved once per device, so devices
   * decided for the same reasons share one stored explanation. Not part of what planVerdicts returns.
   */
  readonly subjects?: readonly string[];
}

/**
 * A verdict's explanation as stored (migration 0003), prepared by the caller: the JSON texts, with the
 * device's and its users' keys replaced by markers when `factored`. The planner makes these itself, shared
 * by the devices decided for the same reasons (planner/explanation.ts).
 */
export interface Explanation {
  readonly verdict: PlanVerdict['verdict'];
  /** JSON texts. */
  readonly cites: string;
  readonly reasons: string;
  readonly remedies: string;
  /** False when a text held a marker character: stored as it reads, and the device's subjects are not saved. */
  readonly factored: boolean;
  /** Equal for equal explanations: what a plan stores once. */
  readonly key: string;
}

/**
 * A verdict whose facts fleetFacts kept with the plan (plan_inputs, migration 0009), with what the plan added
 * to them: the pooled licence it assigned, if any.
 */
export interface FactsKept {
  /** The facts as fleetFacts handed them out. */
  readonly facts: DeviceFacts;
  readonly allocated: string | null;
}

/** A verdict ready to save: its explanation prepared, its facts as JSON text or kept with the plan. */
export interface PreparedVerdict {
  readonly deviceKey: string;
  readonly explanation: Explanation;
  /** The keys besides the device's that the explanation's markers stand for (its users'). */
  readonly subjects: readonly string[];
  readonly input: string | FactsKept;
}

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** A verdict as given, its keys factored out of the explanation here. */
export const prepareVerdict = (v: PlanVerdict): PreparedVerdict => {
  const subjects = v.subjects ?? [];
  const f = factorOut(v.deviceKey, subjects, v.reasons, v.remedies);
  const cites = json(v.cites);
  return {
    deviceKey: v.deviceKey,
    explanation: {
      verdict: v.verdict,
      cites,
      reasons: f.reasons,
      remedies: f.remedies,
      factored: f.factored,
      key: `${v.verdict}\n${cites}\n${f.reasons}\n${f.remedies}`,
    },
    subjects,
    input: json(v.input),
  };
};

const planColumns = `id, org_id as "org", created_at as "createdAt", actor, image_key as "imageKey",
  as_of as "asOf", rules_version as "rulesVersion", input, summary`;

/** Verdicts per COPY. */
const VERDICT_BATCH = 5000;
const VERDICT_COLUMNS = [
  'plan_id',
  'org_id',
  'device_key',
  'verdict',
  'outcome',
  'subjects',
  'input',
  'allocated',
];
/** Batches of verdicts queued for the store while the next are produced. */
const WRITES_AHEAD = 8;

/** Explanations remembered while saving, to share; a fleet rarely has more than a few hundred. */
const MAX_REMEMBERED = 10_000;

/**
 * A verdict's input as its last two columns (input, allocated): its own facts as text, or, for facts kept
 * with the plan, only the licence the plan allocated, once the facts are known to be the very ones
 * fleetFacts handed out for its device and this plan.
 */
const inputColumns = (id: number, v: PreparedVerdict): [string | null, string | null] => {
  if (typeof v.input === 'string') return [v.input, null];
  const { facts, allocated } = v.input;
  if (facts.key !== v.deviceKey || planKeeping(facts) !== id)
    throw new Error(`plan ${id}: the verdict of ${v.deviceKey} was not decided on facts kept with the plan`);
  return [null, allocated];
};

/**
 * Starts a plan: its header, with no verdicts and no summary yet. It counts as saved only once saveVerdicts
 * writes its summary: a plan whose save was interrupted has none, and loadPlan and listPlans do not show it.
 */
export const createPlan = async (db: Db, org: string, header: PlanHeader): Promise<number> => {
  const [row] = await db.query<{ id: number }>(
    `insert into plans (org_id, actor, image_key, as_of, rules_version, input)
     values ($1, $2, $3, $4, $5, $6) returning id`,
    [org, header.actor, header.imageKey, header.asOf, header.rulesVersion, JSON.stringify(header.input)],
  );
  return row!.id;
};

type Given = PlanVerdict | PreparedVerdict;

/**
 * Verdicts to save, one at a time or a batch at a time: a fleet's planner hands over batches, since an
 * asynchronous stream that stops for each of a million verdicts costs more than writing its row.
 */
export type Verdicts = AsyncIterable<Given | readonly Given[]> | Iterable<Given | readonly Given[]>;

const isBatch = (given: Given | readonly Given[]): given is readonly Given[] => Array.isArray(given);

/** Saves a plan and its verdicts (createPlan, then saveVerdicts). */
export const savePlan = async (
  db: Db,
  org: string,
  header: PlanHeader,
  verdicts: Verdicts,
  summary: unknown | (() => unknown),
): Promise<number> => {
  const id = await createPlan(db, org, header);
  await saveVerdicts(db, org, id, verdicts, summary);
  return id;
};

/**
 * Saves a plan's verdicts, then its summary, last. Verdicts may be a stream (a fleet's worth), written by
 * COPY in batches while the next are produced; `db` may be a transaction the caller also reads the fleet in
 * (runPlan). Each distinct explanation is stored once (migration 0003); verdicts may come prepared
 * (PreparedVerdict) or be prepared here. A batch's verdicts go in after the explanations they name. A verdict
 * whose facts fleetFacts kept with the plan is saved without them, and only with the very facts fleetFacts
 * handed out for its device and this plan: never a verdict saved without the facts it was decided on.
 */
export const saveVerdicts = async (
  db: Db,
  org: string,
  id: number,
  verdicts: Verdicts,
  summary: unknown | (() => unknown),
): Promise<void> => {
  // A batch's new explanations first (committed, so the references of its verdicts find them), then its
  // verdicts. References are checked once per statement (migration 0005).
  const writeBatch = async (outcomes: string[], rows: unknown[][]) => {
    if (outcomes.length > 0)
      await db.query(
        `insert into plan_outcomes (org_id, plan_id, id, verdict, cites, reasons, remedies)
         select $2, $1, o.id, o.verdict, o.cites, o.reasons, o.remedies
         from json_to_recordset($3::json) as o(id int, verdict text, cites text[], reasons jsonb, remedies jsonb)`,
        [id, org, `[${outcomes.join(',')}]`],
      );
    await copyInto(db, 'plan_verdicts', VERDICT_COLUMNS, rows);
  };
  const known = new Map<string, number>();
  let outcomes: string[] = [];
  let rows: unknown[][] = [];
  let nextOutcome = 1;
  // Batches are written one after another, each once the one before is stored (its explanations must be,
  // before the rows naming them), while the next are produced: up to WRITES_AHEAD queued, so the store
  // always has the next one to write rather than waiting for this process to finish one.
  let written: Promise<unknown> = Promise.resolve();
  const queued: Promise<unknown>[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    const [o, v] = [outcomes, rows];
    outcomes = [];
    rows = [];
    written = written.then(() => writeBatch(o, v));
    written.catch(() => {}); // reported where it is awaited
    queued.push(written);
    if (queued.length > WRITES_AHEAD) await queued.shift();
  };
  /** Adds one verdict's row; true when the batch is full. */
  const add = (given: Given): boolean => {
    const v = 'explanation' in given ? given : prepareVerdict(given);
    const e = v.explanation;
    let outcome = known.get(e.key);
    if (outcome === undefined) {
      outcome = nextOutcome++;
      if (known.size < MAX_REMEMBERED) known.set(e.key, outcome);
      outcomes.push(
        `{"id":${outcome},"verdict":${json(e.verdict)},"cites":${e.cites},"reasons":${e.reasons},"remedies":${e.remedies}}`,
      );
    }
    const subjects = e.factored ? v.subjects : null;
    rows.push([id, org, v.deviceKey, e.verdict, outcome, subjects, ...inputColumns(id, v)]);
    return rows.length >= VERDICT_BATCH;
  };
  for await (const given of verdicts)
    for (const v of isBatch(given) ? given : [given]) if (add(v)) await flush();
  await flush();
  await written;
  const final = typeof summary === 'function' ? (summary as () => unknown)() : summary;
  await db.query('update plans set summary = $3 where org_id = $1 and id = $2', [
    org,
    id,
    JSON.stringify(final ?? {}),
  ]);
};

export const loadPlan = async (db: Db, org: string, id: number): Promise<StoredPlan | undefined> =>
  (
    await db.query<StoredPlan>(
      `select ${planColumns} from plans where org_id = $1 and id = $2 and summary is not null`,
      [org, id],
    )
  )[0];

export const listPlans = (db: Db, org: string, options: { limit?: number } = {}): Promise<StoredPlan[]> =>
  db.query<StoredPlan>(
    `select ${planColumns} from plans where org_id = $1 and summary is not null order by id desc limit $2`,
    [org, options.limit ?? 100],
  );

interface StoredVerdict {
  readonly deviceKey: string;
  readonly verdict: PlanVerdict['verdict'];
  readonly cites: readonly string[];
  readonly reasons: unknown;
  readonly remedies: unknown;
  /** JSON text (migration 0007). */
  readonly input: string | null;
  readonly outcome: number | null;
  readonly subjects: string[] | null;
}

interface Outcome {
  readonly id: number;
  readonly verdict: PlanVerdict['verdict'];
  readonly cites: readonly string[];
  readonly reasons: unknown;
  readonly remedies: unknown;
}

/**
 * A verdict's input as stored (SQL text): its own, or the facts kept with the plan (migration 0009) with
 * `allocated` added last, as the planner's JSON of the two would have it.
 */
const storedInput = `coalesce(v.input,
  left(i.facts, -1) || ',"allocated":' || coalesce(to_json(v.allocated)::text, 'null') || '}')`;

const inputOf = (v: StoredVerdict): unknown => (v.input === null ? null : JSON.parse(v.input));

/** A saved plan's verdicts in device-key order, one batch at a time, each exactly as it was saved. */
export async function* planVerdicts(
  db: Db,
  org: string,
  planId: number,
  options: { batchSize?: number } = {},
): AsyncGenerator<PlanVerdict[]> {
  const batchSize = options.batchSize ?? 1000;
  const outcomes = new Map<number, Outcome>();
  let after = '';
  for (;;) {
    const page = await db.query<StoredVerdict>(
      `select v.device_key as "deviceKey", v.verdict, v.cites, v.reasons, v.remedies, ${storedInput} as input,
              v.outcome, v.subjects
       from plan_verdicts v
       left join plan_inputs i
         on i.org_id = v.org_id and i.plan_id = v.plan_id and i.device_key = v.device_key and v.input is null
       where v.org_id = $1 and v.plan_id = $2 and v.device_key > $3 order by v.device_key limit $4`,
      [org, planId, after, batchSize],
    );
    if (page.length === 0) return;
    if (outcomes.size > MAX_REMEMBERED) outcomes.clear();
    const missing = [
      ...new Set(page.flatMap((v) => (v.outcome === null || outcomes.has(v.outcome) ? [] : [v.outcome]))),
    ];
    if (missing.length > 0)
      for (const o of await db.query<Outcome>(
        `select id, verdict, cites, reasons, remedies from plan_outcomes
         where org_id = $1 and plan_id = $2 and id = any($3::int[])`,
        [org, planId, missing],
      ))
        outcomes.set(o.id, o);
    yield page.map((v): PlanVerdict => {
      if (v.outcome === null)
        return {
          deviceKey: v.deviceKey,
          verdict: v.verdict,
          cites: v.cites,
          reasons: v.reasons,
          remedies: v.remedies,
          input: inputOf(v),
        };
      const o = outcomes.get(v.outcome);
      if (!o) throw new Error(`plan ${planId}: the explanation of ${v.deviceKey}'s verdict is missing`);
      const subjects = v.subjects ?? [];
      const back = (x: unknown) =>
        v.subjects === null ? structuredClone(x) : putBack(v.deviceKey, subjects, x);
      return {
        deviceKey: v.deviceKey,
        verdict: o.verdict,
        cites: [...o.cites],
        reasons: back(o.reasons),
        remedies: back(o.remedies),
        input: inputOf(v),
      };
    });
    if (page.length < batchSize) return;
    after = page[page.length - 1]!.deviceKey;
  }
}
