import { setImmediate as toEventLoop } from 'node:timers/promises';
import { rulesVersion } from '../engine/rules-version.ts';
import type { Image, Question } from '../model/question.ts';
import type { Db } from '../store/db.ts';
import { type DeviceFacts, fleetFacts } from '../store/fleet-facts.ts';
import { pooledLicences } from '../store/licences.ts';
import { createPlan, type PreparedVerdict, saveVerdicts } from '../store/plans.ts';
import { Explainer } from './explanation.ts';
import { type DeviceRaws, deviceFromRaws, licencesFromRows } from './from-rows.ts';
import { type DeviceDecision, FleetPlanner, type PlanSummary } from './planner.ts';

export interface PlanRequest {
  readonly org: string;
  readonly asOf: string;
  readonly image: Image;
  /** The image as given (stored with the plan so it can be shown again exactly). */
  readonly imageInput: unknown;
  readonly imageKey: string | null;
  readonly imagedBy: Question['imagedBy'];
  readonly actor: string;
  /** Devices decided between two returns to the event loop (default SLICE). */
  readonly batchSize?: number;
  readonly onProgress?: (devices: number) => void;
}

export interface PlanResult {
  readonly planId: number;
  readonly summary: PlanSummary;
  readonly rulesVersion: string;
}

/**
 * What is saved for one device: the verdict, its explanation (reasons in both languages, shared by the
 * devices decided for the same reasons), and the facts decided on, as the store kept them with the plan,
 * with the pooled licence the plan assigned.
 */
export const planVerdictOf = (
  explainer: Explainer,
  facts: DeviceFacts,
  raws: DeviceRaws,
  { question, verdict, allocated }: DeviceDecision,
): PreparedVerdict => {
  const subjects = raws.users.map((u) => u.id);
  return {
    deviceKey: raws.device.id,
    explanation: explainer.explain(question, verdict, subjects),
    subjects,
    input: { facts, allocated: allocated?.id ?? null },
  };
};

/**
 * Plans one image for a whole organisation: streams its devices from the store, decides each with the
 * pure engine, and saves every verdict with the facts it was decided on, the as-of date and the rules
 * version, so the plan can be shown later exactly as decided. One transaction reads the fleet and writes
 * the plan: the plan is decided on one snapshot of the fleet and is saved whole or not at all.
 */
export const runPlan = (db: Db, req: PlanRequest): Promise<PlanResult> =>
  db.transaction(async (tx) => {
    // One snapshot for every read: under READ COMMITTED each statement would see what had committed by its
    // start, and an import committing between the fleet's chunks would be half in the plan.
    await tx.exec('set transaction isolation level repeatable read');
    return planIn(tx, req);
  });

/**
 * Devices decided between two returns to the event loop. Every statement of a plan waits for this process
 * to come back to read the store's reply, and a write of verdicts (COPY) takes two of them: at 500 devices
 * (about 11 ms of work here), a million devices' plan waited 4.9-6.6 s in all for its writes; at 100,
 * 1.6-2.0 s, and the plan took 31.5-33.8 s against 32.5-36.2 s.
 */
const SLICE = 100;

const planIn = async (db: Db, req: PlanRequest): Promise<PlanResult> => {
  const organisationLicences = licencesFromRows(await pooledLicences(db, req.org), 'organisation.licences');
  const planner = new FleetPlanner({
    asOf: req.asOf,
    image: req.image,
    organisationLicences,
    imagedBy: req.imagedBy,
  });
  const version = rulesVersion();
  const explainer = new Explainer();
  const planId = await createPlan(db, req.org, {
    actor: req.actor,
    imageKey: req.imageKey,
    asOf: req.asOf,
    rulesVersion: version,
    input: {
      image: req.imageInput,
      imagedBy: req.imagedBy,
      organisationLicences: organisationLicences.map((l) => l.id),
    },
  });
  let done = 0;
  async function* verdicts(): AsyncGenerator<PreparedVerdict[]> {
    for await (const batch of fleetFacts(db, req.org, planId, { batchSize: req.batchSize ?? SLICE })) {
      yield batch.map((device) => {
        const raws = JSON.parse(device.facts) as DeviceRaws;
        return planVerdictOf(explainer, device, raws, planner.decide(deviceFromRaws(raws)));
      });
      done += batch.length;
      req.onProgress?.(done);
      // Back to the event loop between slices: the store's replies (the next chunk of facts, megabytes;
      // each write of verdicts done) are read only there, and while a whole chunk was decided without it
      // the server sat blocked on sending, with the verdicts queued behind that reply.
      await toEventLoop();
    }
  }
  await saveVerdicts(db, req.org, planId, verdicts(), () => planner.summary());
  return { planId, summary: planner.summary(), rulesVersion: version };
};
