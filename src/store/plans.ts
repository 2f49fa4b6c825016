import { arrayLiteral } from './copy-text.ts';
import { copyInto, type Db } from './db.ts';
import { type FactsRead, factsInput, factsOfBatch } from './fleet-facts.ts';
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

/** A verdict ready to save: its explanation prepared, its facts as JSON text or as fleetFacts read them. */
export interface PreparedVerdict {
  readonly deviceKey: string;
  readonly explanation: Explanation;
  /** The keys besides the device's that the explanation's markers stand for (its users'). */
  readonly subjects: readonly string[];
  readonly input: string | FactsRead;
}

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** Verdicts whose facts fleetFacts read, as the columns of one INSERT. */
interface FactsBatch {
  readonly keys: string[];
  readonly verdicts: string[];
  readonly outcomes: number[];
  readonly subjects: (string | null)[];
  readonly allocated: (string | null)[];
}

const factsBatch = (): FactsBatch => ({ keys: [], verdicts: [], outcomes: [], subjects: [], allocated: [] });

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
const VERDICT_COLUMNS = ['plan_id', 'org_id', 'device_key', 'verdict', 'outcome', 'subjects', 'input'];

/** Explanations remembered while saving, to share; a fleet rarely has more than a few hundred. */
const MAX_REMEMBERED = 10_000;

/**
 * Saves a plan and its verdicts. Verdicts may be a stream (a fleet's worth), written in batches, one batch
 * while the next is produced; `db` may be a transaction the caller also reads the fleet in (runPlan).
 * Each distinct explanation is stored once (migration 0003); verdicts may come prepared (PreparedVerdict)
 * or be prepared here. A batch's verdicts go in after the explanations they name. The plan counts as
 * saved only once its summary is written last: a plan whose save was interrupted has no summary, and
 * loadPlan and listPlans do not show it.
 */
export const savePlan = async (
  db: Db,
  org: string,
  header: PlanHeader,
  verdicts: AsyncIterable<PlanVerdict | PreparedVerdict> | Iterable<PlanVerdict | PreparedVerdict>,
  summary: unknown | (() => unknown),
): Promise<number> => {
  const [row] = await db.query<{ id: number }>(
    `insert into plans (org_id, actor, image_key, as_of, rules_version, input)
     values ($1, $2, $3, $4, $5, $6) returning id`,
    [org, header.actor, header.imageKey, header.asOf, header.rulesVersion, JSON.stringify(header.input)],
  );
  const id = row!.id;
  // A batch's new explanations first (committed, so the references of its verdicts find them), then its
  // verdicts: those with their facts as text by COPY, which the store parses far faster than a JSON document
  // of them; those whose facts fleetFacts read in this transaction (given in its order, one per device) by
  // one INSERT that takes the facts from where the store keeps them: a verdict that does not line up with
  // them is an error, never a verdict saved without its facts. References are checked once per statement
  // (migration 0005).
  const writeBatch = async (outcomes: string[], rows: unknown[][], read: FactsBatch) => {
    if (outcomes.length > 0)
      await db.query(
        `insert into plan_outcomes (org_id, plan_id, id, verdict, cites, reasons, remedies)
         select $2, $1, o.id, o.verdict, o.cites, o.reasons, o.remedies
         from json_to_recordset($3::json) as o(id int, verdict text, cites text[], reasons jsonb, remedies jsonb)`,
        [id, org, `[${outcomes.join(',')}]`],
      );
    await copyInto(db, 'plan_verdicts', VERDICT_COLUMNS, rows);
    if (read.keys.length === 0) return;
    const [saved] = await db.query<{ n: number }>(
      `with saved as (
         insert into plan_verdicts (plan_id, org_id, device_key, verdict, outcome, subjects, input)
         select $1, $2, f.key, v.verdict, v.outcome, v.subjects::text[], ${factsInput('v.allocated')}
         from ${factsOfBatch('$8', '$9')}
         join unnest($3::text[], $4::text[], $5::int[], $6::text[], $7::text[])
              as v(key, verdict, outcome, subjects, allocated) on v.key = f.key
         returning 1)
       select count(*)::int as n from saved`,
      [
        id,
        org,
        read.keys,
        read.verdicts,
        read.outcomes,
        read.subjects,
        read.allocated,
        read.keys[0],
        read.keys[read.keys.length - 1],
      ],
    );
    if (saved?.n !== read.keys.length)
      throw new Error(
        `plan ${id}: the facts of ${read.keys.length - (saved?.n ?? 0)} verdict(s) were not read`,
      );
  };
  const known = new Map<string, number>();
  let outcomes: string[] = [];
  let rows: unknown[][] = [];
  let read = factsBatch();
  let nextOutcome = 1;
  let writing: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    if (rows.length + read.keys.length === 0) return;
    const [o, v, r] = [outcomes, rows, read];
    outcomes = [];
    rows = [];
    read = factsBatch();
    await writing; // one batch in flight: its explanations must be stored before the rows naming them
    writing = writeBatch(o, v, r);
    writing.catch(() => {}); // reported where it is awaited
  };
  for await (const given of verdicts) {
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
    if (typeof v.input === 'string') rows.push([id, org, v.deviceKey, e.verdict, outcome, subjects, v.input]);
    else {
      read.keys.push(v.deviceKey);
      read.verdicts.push(e.verdict);
      read.outcomes.push(outcome);
      read.subjects.push(subjects && arrayLiteral(subjects));
      read.allocated.push(v.input.allocated);
    }
    if (rows.length + read.keys.length >= VERDICT_BATCH) await flush();
  }
  await flush();
  await writing;
  const final = typeof summary === 'function' ? (summary as () => unknown)() : summary;
  await db.query('update plans set summary = $3 where org_id = $1 and id = $2', [
    org,
    id,
    JSON.stringify(final ?? {}),
  ]);
  return id;
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
      `select device_key as "deviceKey", verdict, cites, reasons, remedies, input, outcome, subjects
       from plan_verdicts
       where org_id = $1 and plan_id = $2 and device_key > $3 order by device_key limit $4`,
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
