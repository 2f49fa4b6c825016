import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storeBackends, useStore } from '../../test/store-harness.ts';
import { deviceRaws } from '../planner/from-rows.ts';
import type { Db } from './db.ts';
import { upsertDevices } from './devices.ts';
import { devicesWithLicences } from './fleet.ts';
import { type DeviceFacts, fleetFacts } from './fleet-facts.ts';
import { upsertLicences } from './licences.ts';
import { ensureOrganisation } from './organisations.ts';
import { createPlan, planVerdicts, prepareVerdict, saveVerdicts } from './plans.ts';
import type { DeviceRow, LicenceRow, UserRow } from './tables.ts';
import { upsertUsers } from './users.ts';

const actor = 'test';

/** Texts that JSON and SQL both have to carry: quotes, backslashes, line breaks, tabs, CJK, emoji. */
const text = fc.constantFrom(
  'a',
  'HP',
  '富士通',
  'say "hi"',
  'C:\\path',
  'two\nlines',
  'tab\there',
  '😀',
  '',
);
const key = fc.constantFrom('k1', 'k2', 'k"3', 'k\\4', 'ユーザー5', 'k6');

const licence = (owner: Partial<LicenceRow>) =>
  fc
    .record({
      channel: fc.constantFrom('oem', 'fpp', 'volume') as fc.Arbitrary<LicenceRow['channel']>,
      programme: fc.option(fc.constantFrom('ea', 'open-license'), { nil: null }),
      agreementNumber: fc.option(text, { nil: null }),
      sku: fc.option(text, { nil: null }),
      kind: fc.constantFrom('full', 'upgrade') as fc.Arbitrary<LicenceRow['kind']>,
      softwareAssurance: fc.boolean(),
      quantity: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null }),
      product: fc.constantFrom('windows', 'office'),
      edition: fc.constantFrom('pro', 'enterprise'),
      version: fc.constantFrom('7', '11'),
      components: fc.option(fc.array(text, { maxLength: 3 }), { nil: null }),
      language: fc.option(fc.constantFrom('ja-JP', 'en-US'), { nil: null }),
      muiPacks: fc.option(fc.array(fc.constantFrom('ja-JP', 'en-US'), { maxLength: 2 }), { nil: null }),
      oemVendor: fc.option(text, { nil: null }),
      expires: fc.option(fc.constantFrom('2025-12-31', '2030-01-01'), { nil: null }),
    })
    .map((l) => ({ ...l, ...owner }));

/** A fleet whose users repeat, go missing, are primary or not, and carry licences of their own. */
const fleet = fc
  .record({
    users: fc.uniqueArray(fc.record({ key, name: fc.option(text, { nil: null }) }), {
      selector: (u) => u.key,
      maxLength: 4,
    }),
    devices: fc.uniqueArray(
      fc.record({
        key: fc.constantFrom('PC-1', 'PC-2', 'PC"3', 'PC\\4', '端末5', 'PC-6', 'PC-7'),
        vendor: fc.option(text, { nil: null }),
        firstImagedWith: fc.option(text, { nil: null }),
        primaryUser: fc.option(key, { nil: null }),
        users: fc.option(fc.array(key, { maxLength: 3 }), { nil: null }),
        esuYears: fc.option(fc.subarray([1, 2, 3]), { nil: null }),
        os: fc.option(
          fc.record({
            osChannel: fc.constantFrom('oem', 'fpp') as fc.Arbitrary<'oem' | 'fpp'>,
            osProduct: fc.constantFrom('windows', 'office'),
            osEdition: fc.constantFrom('pro', 'home'),
            osVersion: fc.constantFrom('7', '11'),
            osComponents: fc.option(fc.array(text, { maxLength: 2 }), { nil: null }),
            osLanguage: fc.option(fc.constantFrom('ja-JP', 'en-US'), { nil: null }),
          }),
          { nil: null },
        ),
        licences: fc.integer({ min: 0, max: 2 }),
      }),
      { selector: (d) => d.key, minLength: 1, maxLength: 6 },
    ),
    perUser: fc.array(fc.tuple(key, fc.integer({ min: 0, max: 2 })), { maxLength: 3 }),
  })
  .chain((f) =>
    fc
      .tuple(
        fc.tuple(
          ...f.devices.map((d) =>
            fc.array(licence({ deviceKey: d.key }), { minLength: d.licences, maxLength: d.licences }),
          ),
        ),
        fc.tuple(
          ...f.perUser.map(([u, n]) =>
            fc.array(licence({ userKey: u, assignment: 'user' }), { minLength: n, maxLength: n }),
          ),
        ),
      )
      .map(([deviceLicences, userLicences]) => ({
        ...f,
        licences: [...deviceLicences.flat(), ...userLicences.flat()],
      })),
  );

const header = { actor, imageKey: null, asOf: '2025-06-01', rulesVersion: 'test', input: {} };

/** The facts of an organisation's devices, kept with a new plan in `tx`, its id first. */
async function* factsOfNewPlan(tx: Db, org: string, options?: { batchSize?: number }) {
  const id = await createPlan(tx, org, header);
  yield* fleetFacts(tx, org, id, options);
}

describe.each(storeBackends())('fleet facts on $name', (backend) => {
  const store = useStore(backend);

  it("are each device's raws, as the planner would make them from its rows, in key order", async () => {
    await fc.assert(
      fc.asyncProperty(fleet, async (f) => {
        const db = store();
        const org = `org-${Math.random().toString(36).slice(2)}`;
        await ensureOrganisation(db, org, { actor });
        const users: UserRow[] = f.users.map((u) => ({ ...u, email: null }));
        if (users.length) await upsertUsers(db, org, users, { actor });
        // A device may name a user never imported (kept as named); a per-user licence's user must exist.
        const owners = [...new Set(f.perUser.map(([u]) => u))].filter((k) => !users.some((u) => u.key === k));
        if (owners.length)
          await upsertUsers(
            db,
            org,
            owners.map((k) => ({ key: k, name: null, email: null })),
            { actor },
          );
        const devices: (Partial<DeviceRow> & { key: string })[] = f.devices.map(
          ({ licences: _, os, ...d }) => ({
            ...d,
            ...os,
          }),
        );
        await upsertDevices(db, org, devices, { actor });
        // Keys around the devices' preinstalled ones ('PC-1#preinstalled'): before them, after them.
        const licences = f.licences.map((l, i) => ({
          key: i % 2 ? `L${i}-"\\` : `PC-${i}/"\\`,
          assignment: 'device' as const,
          ...l,
        }));
        if (licences.length) await upsertLicences(db, org, licences, { actor });

        const expected: { key: string; raws: unknown }[] = [];
        for await (const page of devicesWithLicences(db, org))
          for (const row of page) expected.push({ key: row.device.key, raws: deviceRaws(row) });
        const got: { key: string; raws: unknown }[] = [];
        await db.transaction(async (tx) => {
          for await (const page of factsOfNewPlan(tx, org, { batchSize: 2 }))
            for (const d of page) got.push({ key: d.key, raws: JSON.parse(d.facts) });
        });
        // JSON leaves out what deviceRaws leaves undefined.
        expect(got).toEqual(JSON.parse(JSON.stringify(expected)));
      }),
      { numRuns: backend.name === 'pglite' ? 25 : 40 },
    );
  });

  it('leave the transaction able to write, its settings as before', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await upsertDevices(db, 'acme', [{ key: 'PC-1' }], { actor });
    const before = await db.query<{ setting: string }>(
      `select string_agg(name || '=' || setting, ',' order by name) as setting from pg_settings
       where name in ('enable_hashjoin', 'enable_mergejoin', 'enable_indexscan', 'enable_nestloop', 'jit', 'work_mem',
                      'max_parallel_workers_per_gather')`,
    );
    const after = await db.transaction(async (tx) => {
      for await (const _ of factsOfNewPlan(tx, 'acme')) {
        // read to the end
      }
      return tx.query<{ setting: string }>(
        `select string_agg(name || '=' || setting, ',' order by name) as setting from pg_settings
         where name in ('enable_hashjoin', 'enable_mergejoin', 'enable_indexscan', 'enable_nestloop', 'jit', 'work_mem',
                      'max_parallel_workers_per_gather')`,
      );
    });
    expect(after).toEqual(before);
  });

  it('are kept with the plan, give its verdicts their input, and refuse a verdict without them', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await upsertDevices(db, 'acme', [{ key: 'PC-1' }, { key: 'PC-2' }, { key: 'PC-3' }], { actor });
    const verdict = (deviceKey: string, facts: DeviceFacts) => ({
      ...prepareVerdict({ deviceKey, verdict: 'allowed', cites: [], reasons: [], remedies: [], input: null }),
      input: { facts, allocated: deviceKey === 'PC-2' ? 'ea/ent' : null },
    });
    /** Saves a plan of the verdicts `keys` give, each [device, facts of] (facts of a device read, or made up). */
    const saveAfterReading = (
      keys: readonly (readonly [string, string])[],
      handOn = (facts: DeviceFacts): DeviceFacts => facts,
    ) =>
      db.transaction(async (tx) => {
        const id = await createPlan(tx, 'acme', header);
        const read = new Map<string, DeviceFacts>();
        for await (const page of fleetFacts(tx, 'acme', id)) for (const d of page) read.set(d.key, d);
        await saveVerdicts(
          tx,
          'acme',
          id,
          keys.map(([k, of]) => verdict(k, handOn(read.get(of) ?? { key: of, facts: '{}' }))),
          {},
        );
        return id;
      });
    const inputs = async (id: number) => {
      const saved = [];
      for await (const page of planVerdicts(db, 'acme', id)) saved.push(...page);
      return saved.map((v) => v.input);
    };
    const expected = [
      { device: { id: 'PC-1', licences: [] }, users: [], allocated: null },
      { device: { id: 'PC-2', licences: [] }, users: [], allocated: 'ea/ent' },
      { device: { id: 'PC-3', licences: [] }, users: [], allocated: null },
    ];
    const own = (keys: readonly string[]) => keys.map((k) => [k, k] as const);
    expect(await inputs(await saveAfterReading(own(['PC-1', 'PC-2', 'PC-3'])))).toEqual(expected);
    // Verdicts pair with their facts by device, in whatever order they come.
    expect(await inputs(await saveAfterReading(own(['PC-3', 'PC-1', 'PC-2'])))).toEqual(expected);
    // A verdict for a device not read, or given another device's facts: nothing is saved.
    const plans = await db.query('select id from plans');
    await expect(saveAfterReading(own(['PC-1', 'PC-9']))).rejects.toThrow(
      /the verdict of PC-9 was not decided on facts kept with the plan/,
    );
    await expect(saveAfterReading([...own(['PC-1', 'PC-2']), ['PC-3', 'PC-2']])).rejects.toThrow(
      /the verdict of PC-3 was not decided/,
    );
    // Nor with a copy of the facts read, however like them.
    await expect(saveAfterReading(own(['PC-1']), (facts) => ({ ...facts }))).rejects.toThrow(
      /the verdict of PC-1 was not decided/,
    );
    expect(await db.query('select id from plans')).toEqual(plans);
  });
});
