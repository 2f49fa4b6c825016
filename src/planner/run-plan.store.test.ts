import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshExplanation } from '../../test/fresh-explanation.ts';
import { storeBackends, useStore } from '../../test/store-harness.ts';
import type { Db } from '../store/db.ts';
import { upsertDevices } from '../store/devices.ts';
import { devicesWithLicences } from '../store/fleet.ts';
import { pooledLicences, upsertLicences } from '../store/licences.ts';
import { ensureOrganisation } from '../store/organisations.ts';
import { type PlanVerdict, planVerdicts } from '../store/plans.ts';
import { upsertUsers } from '../store/users.ts';
import { deviceFromRows, deviceRaws, imageFromRaw, licencesFromRows } from './from-rows.ts';
import { FleetPlanner } from './planner.ts';
import { runPlan } from './run-plan.ts';

const actor = 'test';
const imageInput = {
  id: 'win11-ent',
  media: 'volume' as const,
  product: 'windows',
  edition: 'enterprise',
  version: '11',
  language: 'ja-JP',
  architecture: 'x64' as const,
};

/** A small fleet with what makes explanations differ: keys inside keys, users, pools that run out. */
const seed = async (db: ReturnType<ReturnType<typeof useStore>>) => {
  await ensureOrganisation(db, 'acme', { actor });
  const users = Array.from({ length: 6 }, (_, i) => ({ key: `PC-${i}-user`, name: `利用者 ${i}` }));
  await upsertUsers(db, 'acme', users, { actor });
  await upsertDevices(
    db,
    'acme',
    Array.from({ length: 24 }, (_, i) => ({
      key: i === 7 ? '11' : `PC-${i}`,
      vendor: i % 5 === 0 ? 'HP \uE000' : 'HP',
      primaryUser: i < 6 ? `PC-${i}-user` : null,
      esuYears: i % 4 === 0 ? [1] : null,
      // The OS each came with: its preinstalled licence (store/preinstalled.ts).
      osChannel: 'oem' as const,
      osProduct: 'windows',
      osEdition: 'pro',
      osVersion: i % 3 === 0 ? '7' : '11',
      osLanguage: i % 7 === 0 ? 'en-US' : 'ja-JP',
    })),
    { actor },
  );
  // Licences of a device's own beside the one it came with: their keys sort before it and after it.
  const fpp = (key: string, device: string) => ({
    key,
    channel: 'fpp' as const,
    kind: 'full' as const,
    assignment: 'device' as const,
    softwareAssurance: false,
    product: 'windows',
    edition: 'pro',
    version: '11',
    deviceKey: device,
  });
  await upsertLicences(
    db,
    'acme',
    [
      fpp('PC-3/fpp', 'PC-3'),
      fpp('A/fpp/device:PC-4', 'PC-4'),
      {
        key: 'ea/ent',
        channel: 'volume' as const,
        programme: 'ea',
        agreementNumber: '67123456',
        kind: 'upgrade' as const,
        assignment: 'device' as const,
        softwareAssurance: true,
        quantity: 9,
        product: 'windows',
        edition: 'enterprise',
        version: '11',
      },
      {
        key: 'PC-1-user/ent',
        channel: 'volume' as const,
        programme: 'ea',
        agreementNumber: '67123456',
        kind: 'upgrade' as const,
        assignment: 'user' as const,
        softwareAssurance: true,
        product: 'windows',
        edition: 'enterprise',
        version: '11',
        userKey: 'PC-1-user',
      },
    ],
    { actor },
  );
};

describe.each(storeBackends())('a fleet planned on $name', (backend) => {
  const store = useStore(backend);

  it('is shown again exactly as each device decided and rendered afresh would read', async () => {
    const db = store();
    await seed(db);
    const image = imageFromRaw(imageInput, 'image');
    const { planId } = await runPlan(db, {
      org: 'acme',
      asOf: '2025-06-01',
      image,
      imageInput,
      imageKey: 'win11-ent',
      imagedBy: 'customer',
      actor,
      batchSize: 5,
    });
    // The same decisions in the same order, each explanation rendered from its own question.
    const planner = new FleetPlanner({
      asOf: '2025-06-01',
      image,
      organisationLicences: licencesFromRows(await pooledLicences(db, 'acme'), 'organisation.licences'),
      imagedBy: 'customer',
    });
    const expected: PlanVerdict[] = [];
    for await (const page of devicesWithLicences(db, 'acme'))
      for (const row of page) {
        const { question: q, verdict: v, allocated } = planner.decide(deviceFromRows(row));
        const { cites, reasons, remedies } = freshExplanation(q, v);
        expected.push({
          deviceKey: row.device.key,
          verdict: v.verdict,
          cites,
          reasons,
          remedies,
          input: { ...deviceRaws(row), allocated: allocated?.id ?? null },
        });
      }
    const shown: PlanVerdict[] = [];
    for await (const page of planVerdicts(db, 'acme', planId, { batchSize: 7 })) shown.push(...page);
    expect(new Set(expected.map((v) => v.verdict))).toEqual(new Set(['allowed', 'denied']));
    expect(shown).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it.runIf(backend.name === 'postgres')(
    'reads the whole fleet in one snapshot: a device another client adds meanwhile is not half in the plan',
    async () => {
      const db = store();
      await seed(db);
      const other = new pg.Client({ connectionString: backend.lastUrl()! });
      await other.connect();
      let added = false;
      // Between the plan's first read (the pooled licences) and its reading of the devices, another
      // client commits a new device.
      const watched: Db = {
        ...db,
        transaction: (fn) =>
          db.transaction((tx) =>
            fn({
              ...tx,
              query: async (sql, params) => {
                if (!added && sql.includes('kenri_plan_users')) {
                  added = true;
                  await other.query("insert into devices (org_id, key) values ('acme', 'PC-late')");
                }
                return tx.query(sql, params);
              },
            }),
          ),
      };
      try {
        const { planId, summary } = await runPlan(watched, {
          org: 'acme',
          asOf: '2025-06-01',
          image: imageFromRaw(imageInput, 'image'),
          imageInput,
          imageKey: 'win11-ent',
          imagedBy: 'customer',
          actor,
        });
        expect(added).toBe(true);
        const shown: string[] = [];
        for await (const page of planVerdicts(db, 'acme', planId))
          shown.push(...page.map((v) => v.deviceKey));
        expect(shown).toHaveLength(24);
        expect(shown).not.toContain('PC-late');
        expect(summary.totals.devices).toBe(24);
      } finally {
        await other.end();
      }
    },
  );
});
