import { describe, expect, it } from 'vitest';
import { storeBackends, useStore } from '../../test/store-harness.ts';
import { InputError } from '../model/input-error.ts';
import { auditEntries, countAudit } from './audit.ts';
import { getDevice, upsertDevices } from './devices.ts';
import { devicesWithLicences } from './fleet.ts';
import { auditNewRows, firstImportOf } from './insert-new.ts';
import { pooledLicences, upsertLicences } from './licences.ts';
import { stageOf, writeNewRows } from './merge.ts';
import { migrate } from './migrate.ts';
import { ensureOrganisation, getOrganisation, listOrganisations } from './organisations.ts';
import { listPlans, loadPlan, type PlanVerdict, planVerdicts, savePlan } from './plans.ts';
import { devicesTable, type LicenceRow } from './tables.ts';
import { questionParts } from './to-input.ts';
import { upsertUsers } from './users.ts';

const actor = 'test';

const windows10Pro = (
  key: string,
  extra: Partial<LicenceRow> = {},
): Partial<LicenceRow> & { key: string } => ({
  key,
  channel: 'oem',
  kind: 'full',
  assignment: 'device',
  softwareAssurance: false,
  product: 'windows',
  edition: 'pro',
  version: '10',
  language: 'ja-JP',
  ...extra,
});

describe.each(storeBackends())('store on $name', (backend) => {
  const store = useStore(backend);

  it('applies migrations once: a second run applies nothing and changes nothing', async () => {
    const db = store();
    expect(await migrate(db)).toEqual([]);
    const versions = await db.query<{ version: string }>('select version from schema_migrations');
    expect(versions.map((v) => v.version)).toEqual([
      '0001_init',
      '0002_esu',
      '0003_plan_outcomes',
      '0004_bulk_writes',
      '0005_plan_verdict_references',
      '0006_reference_probes',
      '0007_plan_input_text',
      '0008_preinstalled_on_device',
      '0009_plan_inputs',
    ]);
  });

  it('returns dates as YYYY-MM-DD and timestamps as ISO strings', async () => {
    const [row] = await store().query<{ d: string; t: string; n: number }>(
      `select date '2024-03-01' as d, timestamptz '2024-03-01 09:00:00+09' as t, 5::bigint as n`,
    );
    expect(row).toEqual({ d: '2024-03-01', t: '2024-03-01T00:00:00.000Z', n: 5 });
  });

  it('creates an organisation once, auditing its creation', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { name: 'Acme 株式会社', actor });
    await ensureOrganisation(db, 'acme', { name: 'ignored', actor });
    expect((await getOrganisation(db, 'acme'))?.name).toBe('Acme 株式会社');
    expect((await listOrganisations(db)).map((o) => o.id)).toEqual(['acme']);
    expect(await countAudit(db, 'acme')).toBe(1);
    await expect(ensureOrganisation(db, 'no spaces', { actor })).rejects.toThrow(InputError);
  });

  it('audits inserts and changes, and writes nothing for an unchanged row', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    const first = await upsertDevices(
      db,
      'acme',
      [{ key: 'SN1', name: 'PC-001', vendor: 'Dell', esuYears: [1] }],
      {
        actor,
      },
    );
    expect(first).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const again = await upsertDevices(
      db,
      'acme',
      [{ key: 'SN1', name: 'PC-001', vendor: 'Dell', esuYears: [1] }],
      {
        actor,
      },
    );
    expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    const changed = await upsertDevices(
      db,
      'acme',
      [{ key: 'SN1', name: 'PC-001', vendor: 'HP', esuYears: [1, 2] }],
      {
        actor: 'someone',
      },
    );
    expect(changed).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const entries = await auditEntries(db, 'acme', { entity: 'devices', key: 'SN1' });
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ['update', 'someone'],
      ['insert', 'test'],
    ]);
    expect(entries[0]!.detail).toEqual({
      vendor: { from: 'Dell', to: 'HP' },
      esu_years: { from: [1], to: [1, 2] },
    });
    // The insert is its import's chunk of inserted keys (migration 0004), here a chunk of one.
    expect(entries[1]).toMatchObject({ entityKey: null, entityKeys: ['SN1'], detail: { count: 1 } });
  });

  it('audits inserts a chunk of 10,000 keys at a time, and finds a key in its chunk', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    const keys = Array.from({ length: 10_001 }, (_, i) => `SN${String(i).padStart(5, '0')}`);
    await upsertDevices(
      db,
      'acme',
      [...keys].reverse().map((key) => ({ key })),
      { actor },
    );
    const chunks = await auditEntries(db, 'acme', { entity: 'devices' });
    expect(chunks.map((e) => [e.action, e.entityKey, e.entityKeys?.length, e.detail])).toEqual([
      ['insert', null, 1, { count: 1 }],
      ['insert', null, 10_000, { count: 10_000 }],
    ]);
    expect(chunks[1]!.entityKeys).toEqual(keys.slice(0, 10_000)); // in key order
    expect(chunks[0]!.entityKeys).toEqual(['SN10000']);
    await upsertDevices(db, 'acme', [{ key: 'SN04711', vendor: 'NEC' }], { actor: 'someone' });
    const found = await auditEntries(db, 'acme', { entity: 'devices', key: 'SN04711' });
    expect(found.map((e) => [e.action, e.actor, e.entityKey, e.id])).toEqual([
      ['update', 'someone', 'SN04711', expect.any(Number)],
      ['insert', 'test', null, chunks[1]!.id],
    ]);
    expect((await auditEntries(db, 'acme', { key: 'SN10000' })).map((e) => e.id)).toEqual([chunks[0]!.id]);
    expect(await auditEntries(db, 'acme', { key: 'SN10001' })).toEqual([]);
    expect(await auditEntries(db, 'acme', { entity: 'licences', key: 'SN04711' })).toEqual([]);
  });

  it("names an insert chunk's source: the one its rows share, or each of them", async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await upsertDevices(db, 'acme', [{ key: 'SN1' }, { key: 'SN2' }], { actor });
    await upsertLicences(
      db,
      'acme',
      [
        windows10Pro('fpp/windows:pro:10/device:SN1', { deviceKey: 'SN1', source: 'devices.csv' }),
        windows10Pro('fpp/windows:pro:10/device:SN2', { deviceKey: 'SN2', source: 'devices.csv' }),
      ],
      { actor },
    );
    await upsertLicences(
      db,
      'acme',
      [
        windows10Pro('pool-a', { channel: 'volume', programme: 'ea', quantity: 5, source: 'a.csv' }),
        windows10Pro('pool-b', { channel: 'volume', programme: 'ea', quantity: 5, source: 'b.csv' }),
        windows10Pro('pool-c', { channel: 'volume', programme: 'ea', quantity: 5, source: 'b.csv' }),
      ],
      { actor },
    );
    const entries = await auditEntries(db, 'acme', { entity: 'licences' });
    expect(entries.map((e) => [e.entityKeys, e.detail])).toEqual([
      [['pool-a', 'pool-b', 'pool-c'], { count: 3, source: ['a.csv', 'b.csv'] }],
      [
        ['fpp/windows:pro:10/device:SN1', 'fpp/windows:pro:10/device:SN2'],
        { count: 2, source: 'devices.csv' },
      ],
    ]);
  });

  it('writes a first import straight into its table and audits only the rows it wrote', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await ensureOrganisation(db, 'other', { actor });
    const stage = stageOf(devicesTable, ['key', 'vendor']);
    expect(await firstImportOf(db, 'acme', [stage])).toBe(true);
    await upsertDevices(db, 'other', [{ key: 'SN9' }], { actor });
    expect(await firstImportOf(db, 'acme', [stage])).toBe(true);
    // A device stored by an earlier transaction: no longer a first import, and not audited again below.
    await upsertDevices(db, 'acme', [{ key: 'SN0' }], { actor: 'earlier' });
    expect(await firstImportOf(db, 'acme', [stage])).toBe(false);
    const audited = await db.transaction(async (tx) => {
      const rows = ['SN2', 'SN1', 'SN3'].map((key, i) => ({ line: i + 2, row: { key, vendor: 'HP' } }));
      expect(await writeNewRows(tx, stage, 'acme', rows)).toBe(3);
      return auditNewRows(tx, stage, 'acme', 'importer');
    });
    expect(audited).toBe(3);
    expect(await getDevice(db, 'acme', 'SN2')).toMatchObject({ vendor: 'HP' });
    const entries = await auditEntries(db, 'acme', { entity: 'devices' });
    expect(entries.map((e) => [e.actor, e.action, e.entityKeys, e.detail])).toEqual([
      ['importer', 'insert', ['SN1', 'SN2', 'SN3'], { count: 3 }],
      ['earlier', 'insert', ['SN0'], { count: 1 }],
    ]);
  });

  it('leaves fields it was not given alone', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await upsertDevices(db, 'acme', [{ key: 'SN1', name: 'PC-001', model: 'Latitude 5420' }], { actor });
    await upsertDevices(db, 'acme', [{ key: 'SN1', vendor: 'Dell' }], { actor, fields: ['key', 'vendor'] });
    expect(await getDevice(db, 'acme', 'SN1')).toMatchObject({
      name: 'PC-001',
      model: 'Latitude 5420',
      vendor: 'Dell',
    });
  });

  it('rejects a key listed twice and writes nothing', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    const error = await upsertDevices(db, 'acme', [{ key: 'A' }, { key: 'B' }, { key: 'A' }], {
      actor,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues[0]?.message).toMatch(/'A' is listed more than once/);
    expect(await getDevice(db, 'acme', 'B')).toBeUndefined();
  });

  it('refuses to write for an unknown organisation', async () => {
    await expect(upsertDevices(store(), 'nobody', [{ key: 'A' }], { actor })).rejects.toThrow(
      /unknown organisation/,
    );
  });

  it('keeps organisations apart: same device keys, no crossing', async () => {
    const db = store();
    for (const org of ['alpha', 'beta']) {
      await ensureOrganisation(db, org, { actor });
      await upsertUsers(db, org, [{ key: 'tanaka', name: `${org} 田中` }], { actor });
      await upsertDevices(
        db,
        org,
        [
          {
            key: 'SN1',
            vendor: org === 'alpha' ? 'Dell' : 'NEC',
            primaryUser: 'tanaka',
            osChannel: 'oem',
            osProduct: 'windows',
            osEdition: 'pro',
            osVersion: org === 'alpha' ? '10' : '11',
          },
        ],
        { actor },
      );
      await upsertLicences(
        db,
        org,
        [
          windows10Pro(`${org}-ea/E3/user:tanaka`, {
            channel: 'volume',
            programme: 'ea',
            kind: 'upgrade',
            userKey: 'tanaka',
            assignment: 'user',
            edition: 'enterprise',
          }),
        ],
        { actor },
      );
      await upsertLicences(
        db,
        org,
        [windows10Pro(`${org}-pool`, { channel: 'volume', programme: 'ea', kind: 'upgrade', quantity: 10 })],
        {
          actor,
        },
      );
    }
    const pages = [];
    for await (const page of devicesWithLicences(db, 'beta')) pages.push(...page);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.device.vendor).toBe('NEC');
    expect(pages[0]!.licences.map((l) => [l.key, l.oemVendor, l.version])).toEqual([
      ['SN1#preinstalled', 'NEC', '11'],
    ]);
    expect(pages[0]!.users.map((u) => [u.user.name, u.licences.map((l) => l.key)])).toEqual([
      ['beta 田中', ['beta-ea/E3/user:tanaka']],
    ]);
    expect((await pooledLicences(db, 'alpha')).map((l) => l.key)).toEqual(['alpha-pool']);
    expect(
      (await auditEntries(db, 'alpha', { limit: 1000 })).every((e) => !JSON.stringify(e).includes('beta')),
    ).toBe(true);
  });

  it('streams a fleet in key order, in pages, with users not imported yet', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    const keys = Array.from({ length: 25 }, (_, i) => `SN${String(i).padStart(3, '0')}`);
    await upsertDevices(
      db,
      'acme',
      [...keys].reverse().map((key) => ({ key, users: ['suzuki', 'sato'], primaryUser: 'yamada' })),
      { actor },
    );
    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const page of devicesWithLicences(db, 'acme', { batchSize: 10 })) {
      sizes.push(page.length);
      seen.push(...page.map((d) => d.device.key));
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(keys);
    const next = await devicesWithLicences(db, 'acme', { batchSize: 1 }).next();
    if (next.done) throw new Error('no devices');
    const first = next.value[0]!;
    expect(first.users.map((u) => u.user)).toEqual([
      { key: 'suzuki', name: null, email: null },
      { key: 'sato', name: null, email: null },
      { key: 'yamada', name: null, email: null },
    ]);
    expect(questionParts(first).device).toEqual({
      id: 'SN000',
      licences: [],
      primaryUser: 'yamada',
      users: ['suzuki', 'sato', 'yamada'],
    });
  });

  it('makes the audit log append-only', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await expect(db.query(`update audit_log set actor = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(db.query('delete from audit_log')).rejects.toThrow(/append-only/);
    await expect(db.exec('truncate audit_log cascade')).rejects.toThrow(/append-only/);
    expect(await countAudit(db, 'acme')).toBe(1);
  });

  it('saves a plan and shows it again as decided; an unfinished save stays hidden', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    const verdicts: PlanVerdict[] = Array.from({ length: 5 }, (_, i) => ({
      deviceKey: `SN${i}`,
      verdict: i % 2 ? 'denied' : 'allowed',
      cites: ['RR-19', 'RR-Q4'],
      reasons: [{ rule: 'reimaging.volume-media', text: { ja: '…', en: '…' } }],
      remedies: i % 2 ? ['buy-windows-enterprise'] : [],
      input: { device: { id: `SN${i}` } },
    }));
    async function* stream() {
      yield* verdicts;
    }
    const header = {
      actor,
      imageKey: 'win11-ent',
      asOf: '2024-03-01',
      rulesVersion: 'abc123',
      input: { image: 'win11-ent' },
    };
    const id = await savePlan(db, 'acme', header, stream(), () => ({ allowed: 3, denied: 2 }));
    const plan = await loadPlan(db, 'acme', id);
    expect(plan).toMatchObject({ ...header, id, org: 'acme', summary: { allowed: 3, denied: 2 } });
    const back: PlanVerdict[] = [];
    for await (const page of planVerdicts(db, 'acme', id, { batchSize: 2 })) back.push(...page);
    expect(back).toEqual(verdicts);
    expect(await loadPlan(db, 'other', id)).toBeUndefined();
    await db.query(
      `insert into plans (org_id, actor, as_of, rules_version, input) values ('acme', 'x', '2024-03-01', 'v', '{}')`,
    );
    expect((await listPlans(db, 'acme')).map((p) => p.id)).toEqual([id]);
    // The same verdicts handed over a batch at a time, and one alone, save the same plan.
    async function* batches() {
      yield verdicts.slice(0, 2);
      yield verdicts[2]!;
      yield [];
      yield verdicts.slice(3);
    }
    const again = await savePlan(db, 'acme', header, batches(), {});
    const backAgain: PlanVerdict[] = [];
    for await (const page of planVerdicts(db, 'acme', again)) backAgain.push(...page);
    expect(backAgain).toEqual(verdicts);
  });
});
