import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeBackends, useStore } from '../../../test/store-harness.ts';
import { InputError } from '../../model/input-error.ts';
import { countAudit } from '../../store/audit.ts';
import type { Db } from '../../store/db.ts';
import { getDevice } from '../../store/devices.ts';
import { devicesWithLicences } from '../../store/fleet.ts';
import { getLicence, pooledLicences } from '../../store/licences.ts';
import { importFile } from './import-file.ts';

const fixture = (name: string): string =>
  new URL(`../../../test/fixtures/tabular/${name}`, import.meta.url).pathname;

const counts = async (db: Db) =>
  Object.fromEntries(
    await Promise.all(
      ['devices', 'licences', 'users', 'agreements', 'audit_log'].map(async (t) => [
        t,
        (await db.query<{ n: number }>(`select count(*)::int as n from ${t}`))[0]!.n,
      ]),
    ),
  );

const failure = async (p: Promise<unknown>): Promise<InputError> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof InputError)) throw new Error(`expected an InputError, got ${String(error)}`);
  return error;
};

const importAll = async (db: Db, org = 'sample') => {
  for (const [kind, file] of [
    ['users', 'users.csv'],
    ['agreements', 'agreements.csv'],
    ['devices', 'devices.csv'],
    ['licences', 'licences.csv'],
  ] as const)
    await importFile(db, { org, kind, file: fixture(file), actor: 'tester' });
};

const scratch = mkdtempSync(join(tmpdir(), 'kenri-first-import-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes a CSV file to the scratch folder and returns its path. */
const csv = (name: string, lines: readonly string[]): string => {
  const file = join(scratch, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};

/** A fleet of `n` devices in no key order, their users, and licences for some of both. */
const generatedFleet = (n: number) => {
  // A fixed shuffle: serials in the order of i * 7919 mod n, so the file is not in key order.
  const serial = (i: number) => `SN${String((i * 7919) % n).padStart(6, '0')}`;
  const users = csv('gen-users.csv', [
    'key,name,email',
    ...Array.from({ length: n / 10 }, (_, i) => `user${i},User ${i},user${i}@example.co.jp`),
  ]);
  const devices = csv('gen-devices.csv', [
    'serial,name,vendor,model,primary_user,os_product,os_edition,os_version,os_language,esu_years',
    ...Array.from(
      { length: n },
      (_, i) =>
        `${serial(i)},PC-${i},${['Dell', 'HP', 'NEC'][i % 3]},Model ${i % 7},user${i % (n / 10)},windows,pro,${i % 4 ? '10' : '7'},ja-JP,${i % 4 ? '' : '1;2'}`,
    ),
  ]);
  const licences = csv('gen-licences.csv', [
    'agreement_number,sku,channel,programme,kind,assignment,software_assurance,quantity,product,edition,version,language,expires,device,user',
    '67123456,KW5-00359,volume,ea,upgrade,device,yes,500,windows,enterprise,11,,2027-03-31,,',
    ...Array.from(
      { length: n / 20 },
      (_, i) => `,,fpp,,full,device,no,,office,home-business,2019,ja-JP,,${serial(i * 3)},`,
    ),
    ...Array.from(
      { length: n / 20 },
      (_, i) => `67123456,AAA-04311,volume,ea,upgrade,user,yes,1,windows,enterprise,11,,2027-03-31,,user${i}`,
    ),
  ]);
  return { users, devices, licences, serial };
};

/** What an organisation's import wrote, without the organisation and the times, for comparing two. */
const written = async (db: Db, org: string) => ({
  users: await db.query(`select key, name, email from users where org_id = $1 order by key`, [org]),
  devices: await db.query(
    `select to_jsonb(d) - 'org_id' - 'created_at' - 'updated_at' as row from devices d where org_id = $1 order by key`,
    [org],
  ),
  licences: await db.query(
    `select to_jsonb(l) - 'org_id' - 'created_at' - 'updated_at' as row from licences l where org_id = $1 order by key`,
    [org],
  ),
  audit: await db.query(
    `select actor, action, entity, entity_key, entity_keys, detail from audit_log
     where org_id = $1 and entity <> 'organisations' order by id`,
    [org],
  ),
});

/** The store, noting each statement run on it, to tell whether an import merged (compared with the store). */
const noting = (db: Db, statements: string[]): Db => ({
  ...db,
  query: (sql, params) => {
    statements.push(sql);
    return db.query(sql, params);
  },
  exec: (sql) => {
    statements.push(sql);
    return db.exec(sql);
  },
  transaction: (fn) => db.transaction((tx) => fn(noting(tx, statements))),
});

/** Whether statements show the file was merged: keys listed twice looked for in a stage. */
const merged = (statements: readonly string[]) => statements.some((s) => /array_agg\(line/.test(s));

/** Whether statements show the file went through stage tables rather than straight into its table. */
const viaStage = (statements: readonly string[]) => statements.some((s) => s.includes('kenri_stage_'));

/** Whether statements show inserts the store refused and that were rolled back. */
const refused = (statements: readonly string[]) =>
  statements.includes('rollback to savepoint kenri_insert_new');

describe.each(storeBackends())('tabular import on $name', (backend) => {
  const store = useStore(backend);

  it('imports users, agreements, devices with their preinstalled licences, and licences', async () => {
    const db = store();
    await importAll(db);
    // Six devices with the licence each came with on its row (migration 0008), five licences bought.
    expect(await counts(db)).toMatchObject({ users: 5, agreements: 2, devices: 6, licences: 5 });
    expect(await getDevice(db, 'sample', 'R2Z12345')).toEqual({
      key: 'R2Z12345',
      name: 'PC-OSK-002',
      serial: 'R2Z12345',
      vendor: '富士通',
      model: 'LIFEBOOK U9311/F',
      firstImagedWith: null,
      primaryUser: 'yamada.yuki',
      users: null,
      esuYears: [1, 2],
      runningEdition: null,
      runningVersion: null,
      osChannel: 'oem',
      osProduct: 'windows',
      osEdition: 'pro',
      osVersion: '7',
      osComponents: null,
      osLanguage: 'ja-JP',
    });
    // …and read as a licence of the device, under its own key.
    expect(await getLicence(db, 'sample', 'R2Z12345#preinstalled')).toEqual({
      key: 'R2Z12345#preinstalled',
      programme: null,
      agreementNumber: null,
      sku: null,
      softwareAssurance: false,
      assignment: 'device',
      quantity: null,
      components: null,
      language: 'ja-JP',
      muiPacks: null,
      expires: null,
      userKey: null,
      source: null,
      channel: 'oem',
      kind: 'full',
      product: 'windows',
      edition: 'pro',
      version: '7',
      oemVendor: '富士通',
      deviceKey: 'R2Z12345',
    });
    // A device named only by its name takes the name as its key.
    expect((await getDevice(db, 'sample', 'KIOSK-RECEPTION'))?.serial).toBeNull();
    expect((await pooledLicences(db, 'sample')).map((l) => [l.key, l.quantity, l.kind])).toEqual([
      ['67123456/79P-05729', 150, 'full'],
      ['67123456/KW5-00359', 150, 'upgrade'],
      ['V4820173/FQC-02306', 20, 'upgrade'],
    ]);
    const fleet = [];
    for await (const page of devicesWithLicences(db, 'sample')) fleet.push(...page);
    const hp = fleet.find((d) => d.device.key === '5CG1234XYZ')!;
    expect(hp.users.map((u) => [u.user.name, u.licences.map((l) => l.key)])).toEqual([
      ['鈴木 花子', ['67123456/AAA-04311/user:suzuki.hanako']],
      ['佐藤 一郎', []],
    ]);
    const dell = fleet.find((d) => d.device.key === '8HJK2L3')!;
    expect(dell.licences.map((l) => l.key)).toEqual([
      '8HJK2L3#preinstalled',
      'fpp/office:home-business:2019/device:8HJK2L3',
    ]);
  });

  it('changes nothing when the same files are imported again: no writes, no audit rows', async () => {
    const db = store();
    await importAll(db);
    const before = await counts(db);
    const again = await importFile(db, {
      org: 'sample',
      kind: 'devices',
      file: fixture('devices.csv'),
      actor: 'tester',
    });
    expect(again.written).toEqual({ devices: { inserted: 0, updated: 0, unchanged: 6 } });
    const licences = await importFile(db, {
      org: 'sample',
      kind: 'licences',
      file: fixture('licences.csv'),
      actor: 'x',
    });
    expect(licences.written.licences).toEqual({ inserted: 0, updated: 0, unchanged: 5 });
    await importFile(db, { org: 'sample', kind: 'users', file: fixture('users.csv'), actor: 'x' });
    await importFile(db, { org: 'sample', kind: 'agreements', file: fixture('agreements.csv'), actor: 'x' });
    expect(await counts(db)).toEqual(before);
  });

  it('updates only the columns a file has, auditing what changed', async () => {
    const db = store();
    await importAll(db);
    const audit = await countAudit(db, 'sample');
    const result = await importFile(db, {
      org: 'sample',
      kind: 'devices',
      file: fixture('devices-model-only.csv'),
      actor: 'x',
    });
    expect(result.written).toEqual({ devices: { inserted: 0, updated: 1, unchanged: 0 } });
    expect(await getDevice(db, 'sample', '8HJK2L3')).toMatchObject({
      name: 'PC-TKY-001',
      vendor: 'Dell',
      model: 'Latitude 5430',
    });
    expect(await countAudit(db, 'sample')).toBe(audit + 1);
    const [entry] = await db.query<{ detail: unknown }>(
      `select detail from audit_log order by id desc limit 1`,
    );
    expect(entry!.detail).toEqual({ model: { from: 'Latitude 5420', to: 'Latitude 5430' } });
  });

  it('writes nothing from a file with one bad row among many, and says where it is', async () => {
    const db = store();
    const error = await failure(
      importFile(db, { org: 'sample', kind: 'devices', file: fixture('devices-one-bad.csv'), actor: 'x' }),
    );
    expect(error.issues).toEqual([
      {
        file: fixture('devices-one-bad.csv'),
        line: 15,
        column: 9,
        path: 'ESU年 (esu_years)',
        message: "'4' is not a list of ESU years",
        expected: ['1', '2', '3', '1;2', '1;2;3'],
      },
    ]);
    expect(await counts(db)).toMatchObject({ devices: 0, licences: 0, audit_log: 0 });
    expect(await db.query('select * from organisations')).toEqual([]);
  });

  it('reports every problem of a licences file at once, each with its line and column', async () => {
    const db = store();
    await importFile(db, { org: 'sample', kind: 'users', file: fixture('users.csv'), actor: 'x' });
    await importFile(db, { org: 'sample', kind: 'devices', file: fixture('devices.csv'), actor: 'x' });
    const before = await counts(db);
    const error = await failure(
      importFile(db, { org: 'sample', kind: 'licences', file: fixture('licences-errors.csv'), actor: 'x' }),
    );
    expect(error.issues.map((i) => [i.line, i.column, i.path, i.message])).toEqual([
      [5, 6, '製品 (product)', "unknown product 'Windos'"],
      [7, 5, '数量 (quantity)', "'十' is not a whole number"],
      [9, 10, '有効期限 (expires)', "'2024-02-30' is not a date"],
      [10, 7, 'エディション (edition)', "unknown edition 'ultimate' of windows 10"],
      [11, 11, 'デバイス (device)', "no device 'NOPE-0001' in this organisation: import the devices first"],
      [12, 12, 'ユーザー (user)', "no user 'nobody' in this organisation: import the users first"],
      [13, 4, 'プログラム (programme)', 'a volume licence needs its programme'],
    ]);
    // The unknown product names the products the catalogue knows.
    expect(error.issues[0]!.expected).toEqual(['windows', 'windows-server', 'office', 'm365-apps']);
    expect(error.message).toContain('line 5, column 6');
    expect(await counts(db)).toEqual(before);
  });

  it('reads Shift_JIS with Japanese headers, DSP版, full-width letters and 1年目', async () => {
    const bytes = readFileSync(fixture('devices-sjis.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(); // really Shift_JIS
    const db = store();
    const result = await importFile(db, {
      org: 'sample',
      kind: 'devices',
      file: fixture('devices-sjis.csv'),
      actor: 'x',
    });
    expect(result.written.devices).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(await getDevice(db, 'sample', '9Z012345A')).toMatchObject({
      name: '営業-PC02',
      vendor: 'NEC',
      model: 'Mate MKM21/B',
      primaryUser: 'takahashi.ken',
      esuYears: [1],
    });
    expect((await getDevice(db, 'sample', 'R2Z12345'))?.esuYears).toEqual([1, 2]);
    expect(await getLicence(db, 'sample', '9Z012345A#preinstalled')).toMatchObject({
      channel: 'oem',
      product: 'windows',
      edition: 'pro',
      language: 'ja-JP',
      oemVendor: 'NEC',
    });
  });

  it('reads UTF-8 with a byte order mark', async () => {
    const db = store();
    expect([...readFileSync(fixture('devices-bom.csv')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const result = await importFile(db, {
      org: 'sample',
      kind: 'devices',
      file: fixture('devices-bom.csv'),
      actor: 'x',
    });
    expect(result.written.devices?.inserted).toBe(2);
    expect(await getDevice(db, 'sample', '8HJK2L3')).toMatchObject({ name: 'PC-TKY-001', serial: '8HJK2L3' });
  });

  it('reads JSON: an array of objects with the same field names', async () => {
    const db = store();
    const result = await importFile(db, {
      org: 'sample',
      kind: 'devices',
      file: fixture('devices.json'),
      actor: 'x',
    });
    expect(result.written.devices?.inserted).toBe(2);
    expect(await getDevice(db, 'sample', 'MJ0ABCDE')).toMatchObject({
      users: ['yamada.yuki', 'takahashi.ken'],
      esuYears: [1, 2, 3],
    });
    expect((await getDevice(db, 'sample', '8HJK2L3'))?.esuYears).toBeNull();
  });

  it('names an unknown column and lists the accepted ones', async () => {
    const db = store();
    const error = await failure(
      importFile(db, {
        org: 'sample',
        kind: 'devices',
        file: fixture('devices-unknown-column.csv'),
        actor: 'x',
      }),
    );
    expect(error.issues.map((i) => [i.line, i.column, i.message])).toEqual([
      [1, 4, "unknown column '部署'"],
      [1, 5, "unknown column 'colour'"],
    ]);
    expect(error.issues[0]!.expected).toContain('serial');
    expect(error.issues[0]!.expected).toContain('os_product');
    expect(await counts(db)).toMatchObject({ devices: 0 });
  });

  it('refuses a key listed twice in one file', async () => {
    const db = store();
    const error = await failure(
      importFile(db, { org: 'sample', kind: 'users', file: fixture('users-duplicate.csv'), actor: 'x' }),
    );
    expect(error.issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [4, 'ユーザーID (key)', "'tanaka.taro' is listed more than once (lines 2, 4)"],
    ]);
  });

  it('keeps organisations apart: the same file in two organisations', async () => {
    const db = store();
    await importAll(db, 'tokyo');
    await importFile(db, { org: 'osaka', kind: 'devices', file: fixture('devices-bom.csv'), actor: 'x' });
    const osaka = [];
    for await (const page of devicesWithLicences(db, 'osaka')) osaka.push(...page);
    expect(osaka.map((d) => [d.device.key, d.licences.map((l) => l.key)])).toEqual([
      ['8HJK2L3', ['8HJK2L3#preinstalled']],
      ['R2Z12345', ['R2Z12345#preinstalled']],
    ]);
    expect(await pooledLicences(db, 'osaka')).toEqual([]);
    // A licence of one organisation cannot point at another organisation's user (osaka has its own 8HJK2L3).
    const error = await failure(
      importFile(db, { org: 'osaka', kind: 'licences', file: fixture('licences.csv'), actor: 'x' }),
    );
    expect(error.issues.map((i) => [i.line, i.message])).toEqual([
      [3, "no user 'suzuki.hanako' in this organisation: import the users first"],
    ]);
  });

  it('inserts a first import without merging it: the same rows and audit rows as merging it', async () => {
    const db = store();
    const fleet = generatedFleet(12_000);
    const results: Record<string, unknown>[] = [];
    for (const [org, insertNew] of [
      ['direct', true],
      ['merged', false],
    ] as const) {
      const result: Record<string, unknown> = {};
      for (const kind of ['users', 'devices', 'licences'] as const) {
        const statements: string[] = [];
        const options = { org, kind, file: fleet[kind], actor: 'tester', batchSize: 500, insertNew };
        result[kind] = (await importFile(noting(db, statements), options)).written;
        // A first import goes straight into its table, with no stage; a merge stages every row.
        expect([merged(statements), refused(statements), viaStage(statements)]).toEqual([
          !insertNew,
          false,
          !insertNew,
        ]);
      }
      results.push(result);
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.devices).toEqual({ devices: { inserted: 12_000, updated: 0, unchanged: 0 } });
    const direct = await written(db, 'direct');
    expect(direct).toEqual(await written(db, 'merged'));
    // Two chunks a table of 12,000 new rows, keys in key order, each with its count and source.
    expect(
      direct.audit.map((a) => [a.entity, (a.entity_keys as string[]).length, a.entity_key, a.detail]),
    ).toEqual([
      ['users', 1200, null, { count: 1200 }],
      ['devices', 10_000, null, { count: 10_000 }],
      ['devices', 2000, null, { count: 2000 }],
      ['licences', 1201, null, { count: 1201, source: 'gen-licences.csv' }],
    ]);
    const keys = direct.audit.filter((a) => a.entity === 'devices').flatMap((a) => a.entity_keys as string[]);
    expect(keys).toEqual(Array.from({ length: 12_000 }, (_, i) => `SN${String(i).padStart(6, '0')}`));
  }, 60_000);

  it('reports every problem of a first import at once when the store refuses its rows', async () => {
    const db = store();
    const statements: string[] = [];
    const devices = csv('first-devices.csv', [
      'serial,name,os_product,os_edition,os_version',
      ...Array.from({ length: 30 }, (_, i) => `SN${i},PC-${i},windows,pro,10`),
      'SN3,PC-again,windows,pro,10', // line 32: listed again
      ...Array.from({ length: 10 }, (_, i) => `SN${100 + i},PC-${100 + i},windows,pro,10`),
    ]);
    let error = await failure(
      importFile(noting(db, statements), {
        org: 'sample',
        kind: 'devices',
        file: devices,
        actor: 'x',
        batchSize: 4,
      }),
    );
    expect(error.issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [32, 'serial', "'SN3' is listed more than once (lines 5, 32)"],
    ]);
    expect(await counts(db)).toMatchObject({ devices: 0, licences: 0, audit_log: 0 });
    expect([refused(statements), merged(statements)]).toEqual([true, true]);

    await importFile(db, { org: 'sample', kind: 'devices', file: fixture('devices.csv'), actor: 'x' });
    const before = await counts(db);
    const licences = csv('first-licences.csv', [
      'sku,channel,product,edition,version,device',
      ...Array.from({ length: 20 }, (_, i) => `SKU-${i},fpp,office,home-business,2019,8HJK2L3`),
      'SKU-X,fpp,office,home-business,2019,NOPE-1', // line 22: no such device
      ...Array.from({ length: 5 }, (_, i) => `SKU-${30 + i},fpp,office,home-business,2019,PF2ABCDE`),
      'SKU-Y,fpp,office,home-business,2019,NOPE-2', // line 28
    ]);
    statements.length = 0;
    error = await failure(
      importFile(noting(db, statements), { org: 'sample', kind: 'licences', file: licences, actor: 'x' }),
    );
    expect(error.issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [22, 'device', "no device 'NOPE-1' in this organisation: import the devices first"],
      [28, 'device', "no device 'NOPE-2' in this organisation: import the devices first"],
    ]);
    expect(await counts(db)).toEqual(before);
    expect(refused(statements)).toBe(true);
  });

  it('merges a file whose first rows are new and a later one stored, auditing its change', async () => {
    const db = store();
    await importFile(db, { org: 'sample', kind: 'devices', file: fixture('devices.csv'), actor: 'x' });
    const file = csv('later-stored.csv', [
      'serial,name,vendor',
      ...Array.from({ length: 9 }, (_, i) => `NEW${i},PC-NEW-${i},HP`),
      'R2Z12345,PC-OSK-002,HP', // stored with vendor 富士通
    ]);
    const result = await importFile(db, {
      org: 'sample',
      kind: 'devices',
      file,
      actor: 'later',
      batchSize: 2,
    });
    expect(result.written).toEqual({ devices: { inserted: 9, updated: 1, unchanged: 0 } });
    expect(await getDevice(db, 'sample', 'R2Z12345')).toMatchObject({
      vendor: 'HP',
      model: 'LIFEBOOK U9311/F',
    });
    const audit = await db.query<{
      action: string;
      entity_key: string | null;
      entity_keys: string[] | null;
      detail: unknown;
    }>(
      `select action, entity_key, entity_keys, detail from audit_log where actor = 'later' order by action desc`,
    );
    expect(audit).toEqual([
      {
        action: 'update',
        entity_key: 'R2Z12345',
        entity_keys: null,
        detail: { vendor: { from: '富士通', to: 'HP' } },
      },
      {
        action: 'insert',
        entity_key: null,
        entity_keys: Array.from({ length: 9 }, (_, i) => `NEW${i}`),
        detail: { count: 9 },
      },
    ]);
  });
});
