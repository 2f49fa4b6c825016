import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, storeBackends } from '../../test/store-harness.ts';
import { decryptKey, parseProductKey, revealProductKey } from '../esu/product-key.ts';
import { importWindowsOutput } from '../importers/windows-store/import-windows-output.ts';
import { InputError } from '../model/input-error.ts';
import { upsertAgreements } from './agreements.ts';
import { auditEntries } from './audit.ts';
import { type Db, openStore } from './db.ts';
import { upsertDevices } from './devices.ts';
import {
  activateDevice,
  addMakKey,
  makIncreaseRequest,
  makStatus,
  raiseMakLimit,
  reconcileMak,
  removeFromDevice,
  sealedMakKey,
} from './esu-mak.ts';
import { addEsuOrder, listEsuOrders } from './esu-orders.ts';
import { esuPriceList, setEsuPrice } from './esu-prices.ts';
import { migrate } from './migrate.ts';
import { ensureOrganisation } from './organisations.ts';

// A made-up key in the product-key alphabet, ending as the constructed slmgr and CIM fixtures' ESU add-on does.
const KEY = 'BCDFG-HJKMP-QRTVW-XY234-QG7XW';
const OTHER_KEY = 'BCDFG-HJKMP-QRTVW-XY234-6789N';
const secret = Buffer.alloc(32, 7);
const actor = 'test';

const fixture = (path: string): Buffer =>
  readFileSync(new URL(`../../test/fixtures/windows/${path}`, import.meta.url));

/** An organisation with devices PC-1…PC-n, `licences` year-1 licences ordered and the year-1 key entered. */
const seed = async (db: Db, o: { org?: string; devices?: number; licences?: number; key?: string } = {}) => {
  const org = o.org ?? newOrg('acme');
  await ensureOrganisation(db, org, { actor });
  const keys = Array.from({ length: o.devices ?? 3 }, (_, i) => `PC-${i + 1}`);
  await upsertDevices(
    db,
    org,
    keys.map((key) => ({ key })),
    { actor },
  );
  if ((o.licences ?? 2) > 0)
    await addEsuOrder(
      db,
      org,
      { year: 1, quantity: o.licences ?? 2, orderedOn: '2019-12-10', partner: 'DIS', reference: `PO-${org}` },
      actor,
    );
  const added = await addMakKey(
    db,
    org,
    { year: 1, key: parseProductKey(o.key ?? KEY), secret, noticeReceivedOn: '2019-12-20' },
    actor,
  );
  expect(added).toMatchObject({ ok: true, created: true });
  return { org, keys };
};

const failure = async (p: Promise<unknown>): Promise<InputError> => {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(e instanceof InputError)) throw new Error(`expected an InputError, got ${String(e)}`);
  return e;
};

/**
 * One database per back end for the whole file: every test works in organisations of its own, which the
 * store keeps apart by design (and the last test checks), so no test sees another's rows. A fresh database
 * per test costs about a second on PGlite.
 */
const useSharedStore = (backend: Backend): (() => Db) => {
  let db: Db | undefined;
  beforeAll(async () => {
    await backend.setup();
    db = await backend.fresh();
  });
  afterAll(async () => {
    await db?.close();
    await backend.teardown();
  });
  return () => db!;
};

let orgs = 0;
/** A new organisation id for each test. */
const newOrg = (name: string): string => `${name}-${++orgs}`;

describe.each(storeBackends())('ESU store on $name', (backend) => {
  const store = useSharedStore(backend);

  it('migrates to 0002_esu: the ESU tables and the running_* device columns', async () => {
    const db = store();
    expect(await migrate(db)).toEqual([]);
    const tables = await db.query<{ table_name: string }>(
      `select table_name from information_schema.tables
       where table_schema = 'public' and table_name in ('esu_prices', 'esu_orders', 'mak_keys', 'mak_activations')
       order by table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'esu_orders',
      'esu_prices',
      'mak_activations',
      'mak_keys',
    ]);
    const org = newOrg('migrate');
    await ensureOrganisation(db, org, { actor });
    await upsertDevices(db, org, [{ key: 'PC-1', runningVersion: '7', runningEdition: 'pro' }], { actor });
    const [row] = await db.query('select running_version, running_edition from devices where org_id = $1', [
      org,
    ]);
    expect(row).toEqual({ running_version: '7', running_edition: 'pro' });
  });

  it('keeps an unknown price unknown and lets an entered price override the shipped list (ESU-09)', async () => {
    const db = store();
    const org = newOrg('prices');
    await ensureOrganisation(db, org, { actor });
    const shipped = await esuPriceList(db, org);
    expect(shipped.map((p) => [p.year, p.unitPrice])).toEqual([
      [1, 7259],
      [2, null],
      [3, null],
    ]);
    await expect(
      setEsuPrice(db, org, { year: 2, unitPrice: 0, source: 'x', checked: '2020-11-01' }, actor),
    ).rejects.toThrow(InputError);
    await setEsuPrice(
      db,
      org,
      { year: 2, unitPrice: 14_518, source: 'DIS 2020-11', checked: '2020-11-01' },
      actor,
    );
    await setEsuPrice(
      db,
      org,
      { year: 2, unitPrice: 14_518, source: 'DIS 2020-11', checked: '2020-11-01' },
      actor,
    );
    const list = await esuPriceList(db, org);
    expect(list.map((p) => [p.year, p.unitPrice])).toEqual([
      [1, 7259],
      [2, 14_518],
      [3, null],
    ]);
    expect((await auditEntries(db, org, { entity: 'esu_prices' })).length).toBe(1);
  });

  it('records orders, refuses the same partner reference twice, and never renews them (ESU-10)', async () => {
    const db = store();
    const org = newOrg('orders');
    await ensureOrganisation(db, org, { actor });
    const first = await addEsuOrder(
      db,
      org,
      { year: 1, quantity: 5, orderedOn: '2019-12-10', partner: 'DIS', reference: 'PO-1' },
      actor,
    );
    await addEsuOrder(db, org, { year: 1, quantity: 2, orderedOn: '2020-03-01', partner: 'DIS' }, actor);
    const dup = await failure(
      addEsuOrder(
        db,
        org,
        { year: 1, quantity: 5, orderedOn: '2019-12-10', partner: 'DIS', reference: 'PO-1' },
        actor,
      ),
    );
    expect(dup.issues[0]).toMatchObject({ path: 'order.reference' });
    const orders = await listEsuOrders(db, org);
    expect(orders.map((o) => [o.year, o.quantity, o.reference])).toEqual([
      [1, 5, 'PO-1'],
      [1, 2, `#${first.id + 1}`],
    ]);
    expect(orders.every((o) => o.year === 1)).toBe(true);
    expect((await makStatus(db, org, 1))[0]).toMatchObject({
      ordered: 7,
      limit: 7,
      used: 0,
      partialKey: undefined,
    });
  });

  it('stores the key only encrypted, shows its partial key, and refuses a second key for the year (ESU-16)', async () => {
    const db = store();
    const { org } = await seed(db);
    const sealed = await sealedMakKey(db, org, 1);
    expect(sealed).toMatch(/^v1:/);
    expect(revealProductKey(decryptKey(sealed!, secret))).toBe(KEY);
    const again = await addMakKey(
      db,
      org,
      { year: 1, key: parseProductKey(KEY), secret, noticeReceivedOn: '2019-12-20' },
      actor,
    );
    expect(again).toMatchObject({ ok: true, created: false, partialKey: 'QG7XW' });
    const other = await addMakKey(
      db,
      org,
      { year: 1, key: parseProductKey(OTHER_KEY), secret, noticeReceivedOn: '2019-12-21' },
      actor,
    );
    expect(other).toMatchObject({
      ok: false,
      partialKey: 'QG7XW',
      cites: expect.arrayContaining(['ESU-16']),
    });
    const dump =
      JSON.stringify(await db.query('select * from mak_keys where org_id = $1', [org])) +
      JSON.stringify(await db.query('select * from audit_log where org_id = $1', [org]));
    expect(dump).not.toContain(KEY.replace(/-/g, '').slice(0, 20));
    expect(dump).toContain('QG7XW');
  });

  it('counts activations up to the limit; re-activating and removing never give one back (ESU-17, ESU-18)', async () => {
    const db = store();
    const { org } = await seed(db, { licences: 2 });
    const on = '2020-02-01';
    expect((await activateDevice(db, org, 1, 'PC-1', on, { actor })).outcome).toBe('activated');
    expect((await activateDevice(db, org, 1, 'PC-1', on, { actor })).outcome).toBe('already-counted');
    const removed = await removeFromDevice(db, org, 1, 'PC-1', '2020-03-01', actor);
    expect(removed.activationsUsed).toBe(1);
    expect((await activateDevice(db, org, 1, 'PC-2', on, { actor })).outcome).toBe('activated');
    const refused = await activateDevice(db, org, 1, 'PC-3', on, {
      actor,
      profile: {
        agreementNumber: 'CSP-1',
        customerName: '株式会社テスト',
        contactName: '山田 花子',
        contactEmail: 'it@example.co.jp',
        contactPhone: '06-0000-0000',
      },
    });
    expect(refused.outcome).toBe('refused');
    if (refused.outcome !== 'refused') return;
    expect(refused.cites).toEqual(expect.arrayContaining(['ESU-18', 'ESU-19']));
    expect(refused.increaseRequest).toMatchObject({
      partialProductKey: 'QG7XW',
      currentLimit: 2,
      missing: [],
    });
    // The key back on PC-1 undoes the removal, still one activation.
    expect((await activateDevice(db, org, 1, 'PC-1', '2020-04-01', { actor })).outcome).toBe(
      'already-counted',
    );
    expect((await makStatus(db, org, 1))[0]).toMatchObject({ limit: 2, used: 2, removed: 0, remaining: 0 });
    // A granted increase (ESU-19) makes room; it never lowers the limit.
    await raiseMakLimit(db, org, 1, 3, actor);
    await expect(raiseMakLimit(db, org, 1, 1, actor)).rejects.toThrow(InputError);
    expect((await activateDevice(db, org, 1, 'PC-3', on, { actor })).outcome).toBe('activated');
    const audit = await auditEntries(db, org, { entity: 'mak_activations' });
    expect(audit.map((a) => [a.action, a.entityKey])).toEqual([
      ['insert', '1/PC-3'],
      ['update', '1/PC-1'],
      ['insert', '1/PC-2'],
      ['update', '1/PC-1'],
      ['insert', '1/PC-1'],
    ]);
  });

  it('refuses an activation for an unknown device or a year with no key, naming the field', async () => {
    const db = store();
    const { org } = await seed(db);
    expect((await failure(activateDevice(db, org, 1, 'NOPE', '2020-02-01', { actor }))).issues[0]?.path).toBe(
      'device',
    );
    expect(
      (await failure(activateDevice(db, org, 2, 'PC-1', '2021-02-01', { actor }))).issues[0]?.message,
    ).toMatch(/ESU-20/);
    expect((await failure(activateDevice(db, org, 1, 'PC-1', '2019-12-01', { actor }))).issues[0]?.path).toBe(
      'on',
    );
  });

  it('fills the increase request from the CSP agreement (RR-Q8)', async () => {
    const db = store();
    const { org } = await seed(db, { licences: 1 });
    await upsertAgreements(
      db,
      org,
      [
        {
          number: 'CSP-7654321',
          programme: 'csp',
          customerName: '株式会社大阪製作所',
          contact: '山田 花子 <it@example.co.jp> 06-1234-5678',
        },
      ],
      { actor },
    );
    const r = await makIncreaseRequest(db, org, 1, {
      asked: 10,
      justification: 'PC の入れ替え (再イメージング)',
    });
    expect(r).toMatchObject({
      agreementNumber: 'CSP-7654321',
      customerName: '株式会社大阪製作所',
      contactName: '山田 花子',
      contactEmail: 'it@example.co.jp',
      contactPhone: '06-1234-5678',
      additionalActivations: 10,
      missing: [],
    });
  });

  it('races for the last slot: exactly one client wins and the count never exceeds the limit', async () => {
    const db = store();
    const clients = 8;
    const { org, keys } = await seed(db, { devices: clients + 1, licences: 2 });
    expect((await activateDevice(db, org, 1, keys[0]!, '2020-02-01', { actor })).outcome).toBe('activated');
    // PostgreSQL: two separate stores (pools), several connections each; PGlite: concurrent calls on one Db.
    const url = backend.lastUrl();
    const extra = url
      ? [await openStore({ url, migrate: false }), await openStore({ url, migrate: false })]
      : [];
    try {
      const dbs = url ? extra : [db];
      const results = await Promise.all(
        keys
          .slice(1)
          .map((device, i) => activateDevice(dbs[i % dbs.length]!, org, 1, device, '2020-02-02', { actor })),
      );
      expect(results.filter((r) => r.outcome === 'activated')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'refused')).toHaveLength(clients - 1);
    } finally {
      await Promise.all(extra.map((d) => d.close()));
    }
    const [count] = await db.query<{ n: number }>(
      'select count(*)::int as n from mak_activations where org_id = $1',
      [org],
    );
    expect(count?.n).toBe(2);
  });

  it('reconciles from imported slmgr and CIM outputs under the same limit', async () => {
    const db = store();
    const { org } = await seed(db, { licences: 1 });
    await importWindowsOutput(db, {
      org,
      device: 'PC-2',
      kind: 'slmgr',
      bytes: fixture('slmgr/10_constructed_en_dlv_all_win7_pro_oem_slp_esu_year1.txt'),
      file: 'pc2.txt',
      actor,
      observedAt: '2020-04-02T01:15:32.000Z',
    });
    await importWindowsOutput(db, {
      org,
      device: 'PC-3',
      kind: 'windows',
      bytes: fixture('cim/02_constructed_get-ciminstance_convertto-json_win7_esu.txt'),
      file: 'pc3.json',
      actor,
      observedAt: '2020-04-03T00:00:00.000Z',
    });
    const r = await reconcileMak(db, org, 1, { actor, today: '2020-05-01' });
    expect(r).toMatchObject({ added: ['PC-2'], overLimit: ['PC-3'], used: 1, limit: 1 });
    expect(r.increaseRequest).toMatchObject({ additionalActivations: 1, partialProductKey: 'QG7XW' });
    const rows = await db.query(
      'select device_key, activated_on, source from mak_activations where org_id = $1',
      [org],
    );
    expect(rows).toEqual([{ device_key: 'PC-2', activated_on: '2020-04-02', source: 'slmgr-import' }]);
    // Reconciling again changes nothing.
    expect(await reconcileMak(db, org, 1, { actor, today: '2020-05-01' })).toMatchObject({
      added: [],
      used: 1,
    });
  });

  it('keeps organisations apart: same device keys, separate keys, orders and activations', async () => {
    const db = store();
    const alpha = newOrg('alpha');
    const beta = newOrg('beta');
    await seed(db, { org: alpha, licences: 1 });
    await seed(db, { org: beta, licences: 1, key: OTHER_KEY });
    expect((await activateDevice(db, alpha, 1, 'PC-1', '2020-02-01', { actor })).outcome).toBe('activated');
    expect((await activateDevice(db, beta, 1, 'PC-1', '2020-02-01', { actor })).outcome).toBe('activated');
    expect((await activateDevice(db, alpha, 1, 'PC-2', '2020-02-01', { actor })).outcome).toBe('refused');
    expect((await makStatus(db, alpha))[0]).toMatchObject({ partialKey: 'QG7XW', used: 1 });
    expect((await makStatus(db, beta))[0]).toMatchObject({ partialKey: '6789N', used: 1 });
    expect((await listEsuOrders(db, beta)).map((o) => o.reference)).toEqual([`PO-${beta}`]);
    expect(await makStatus(db, 'nobody')).toEqual([]);
  });
});
