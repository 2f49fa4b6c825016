import type { Db } from './db.ts';

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
}

const planColumns = `id, org_id as "org", created_at as "createdAt", actor, image_key as "imageKey",
  as_of as "asOf", rules_version as "rulesVersion", input, summary`;

const VERDICT_BATCH = 1000;

/**
 * Saves a plan and its verdicts. Verdicts may be a stream (a fleet's worth), written in batches of short
 * transactions so the caller can keep reading the store while it produces them (PGlite has one
 * connection). The plan counts as saved only once its summary is written last: a plan whose save was
 * interrupted has no summary, and loadPlan and listPlans do not show it.
 */
export const savePlan = async (
  db: Db,
  org: string,
  header: PlanHeader,
  verdicts: AsyncIterable<PlanVerdict> | Iterable<PlanVerdict>,
  summary: unknown | (() => unknown),
): Promise<number> => {
  const [row] = await db.query<{ id: number }>(
    `insert into plans (org_id, actor, image_key, as_of, rules_version, input)
     values ($1, $2, $3, $4, $5, $6) returning id`,
    [org, header.actor, header.imageKey, header.asOf, header.rulesVersion, JSON.stringify(header.input)],
  );
  const id = row!.id;
  let batch: PlanVerdict[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await db.query(
      `insert into plan_verdicts (plan_id, org_id, device_key, verdict, cites, reasons, remedies, input)
       select $1, $2, v.device_key, v.verdict, array(select jsonb_array_elements_text(v.cites)), v.reasons, v.remedies, v.input
       from jsonb_to_recordset($3::jsonb)
         as v(device_key text, verdict text, cites jsonb, reasons jsonb, remedies jsonb, input jsonb)`,
      [
        id,
        org,
        JSON.stringify(
          rows.map((v) => ({
            device_key: v.deviceKey,
            verdict: v.verdict,
            cites: v.cites,
            reasons: v.reasons ?? null,
            remedies: v.remedies ?? null,
            input: v.input ?? null,
          })),
        ),
      ],
    );
  };
  for await (const v of verdicts) {
    batch.push(v);
    if (batch.length >= VERDICT_BATCH) await flush();
  }
  await flush();
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

/** A saved plan's verdicts in device-key order, one batch at a time. */
export async function* planVerdicts(
  db: Db,
  org: string,
  planId: number,
  options: { batchSize?: number } = {},
): AsyncGenerator<PlanVerdict[]> {
  const batchSize = options.batchSize ?? 1000;
  let after = '';
  for (;;) {
    const page = await db.query<PlanVerdict>(
      `select device_key as "deviceKey", verdict, cites, reasons, remedies, input from plan_verdicts
       where org_id = $1 and plan_id = $2 and device_key > $3 order by device_key limit $4`,
      [org, planId, after, batchSize],
    );
    if (page.length === 0) return;
    yield page;
    if (page.length < batchSize) return;
    after = page[page.length - 1]!.deviceKey;
  }
}
