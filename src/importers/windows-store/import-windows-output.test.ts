import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends } from '../../../test/store-harness.ts';
import { InputError } from '../../model/input-error.ts';
import { auditEntries } from '../../store/audit.ts';
import type { Db } from '../../store/db.ts';
import { upsertDevices } from '../../store/devices.ts';
import { ensureOrganisation } from '../../store/organisations.ts';
import { importWindowsFile, importWindowsOutput, parseWindowsFile } from './import-windows-output.ts';

const fixture = (path: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/windows/${path}`, import.meta.url));

const SLMGR_WIN7 = 'slmgr/10_constructed_en_dlv_all_win7_pro_oem_slp_esu_year1.txt';
const HOTFIX_UTF16 = 'hotfix/07_constructed_get-hotfix_format-list_utf16le_crlf.txt';

const failure = (f: () => unknown): InputError => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
};

describe('parseWindowsFile', () => {
  it('decodes UTF-16 with a BOM and tells an update listing from a licence listing', () => {
    const parsed = parseWindowsFile(fixture(HOTFIX_UTF16), 'windows', 'hotfix.txt');
    expect(parsed.table).toBe('installed_updates');
    if (parsed.table === 'installed_updates')
      expect(parsed.updates.map((u) => u.kb)).toEqual(['KB4490628', 'KB4474419']);
  });

  it('reads cp932 text from a Japanese cmd.exe and reports the labels it did not recognise', () => {
    // Constructed for kenri tests: slmgr /dli on a Japanese Windows 7 saved by cmd.exe `>` (cp932). The
    // Japanese labels are not verbatim Windows strings; the parser must say it did not read them.
    const text = [
      '名前: Windows(R) 7, Professional edition',
      '説明: Windows Operating System - Windows(R) 7, OEM_SLP channel',
      '部分プロダクト キー: 3V66T',
      'ライセンスの状態: ライセンスされています',
      '',
    ].join('\r\n');
    const parsed = parseWindowsFile(iconv.encode(text, 'cp932'), 'slmgr', 'dli.txt');
    expect(parsed.table).toBe('windows_licences');
    expect(parsed.warnings.map((w) => w.code)).toContain('unrecognised-labels');
    expect(parsed.warnings.map((w) => w.message).join('\n')).toContain('名前');
  });

  it('refuses a file that is plainly another command’s output, naming the kind to use', () => {
    const e = failure(() => parseWindowsFile(fixture(HOTFIX_UTF16), 'slmgr', 'hotfix.txt'));
    expect(e.issues[0]).toMatchObject({ path: 'kind', expected: ['hotfix', 'windows'] });
  });

  it('reports an unreadable file at its line', () => {
    const e = failure(() => parseWindowsFile(Buffer.from('hello\nworld\n'), 'windows', 'notes.txt'));
    expect(e.issues[0]).toMatchObject({ file: 'notes.txt', line: 1 });
  });
});

describe.each(storeBackends())('importWindowsOutput on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    await backend.setup();
    db = await backend.fresh();
    await ensureOrganisation(db, 'acme', { actor: 'test' });
    await upsertDevices(db, 'acme', [{ key: 'PC-1' }], { actor: 'test' });
  });
  afterAll(async () => {
    await db.close();
    await backend.teardown();
  });

  const slmgr = (bytes: Buffer, device = 'PC-1') =>
    importWindowsOutput(db, {
      org: 'acme',
      device,
      kind: 'slmgr',
      bytes,
      file: 'dlv.txt',
      actor: 'test',
      observedAt: '2020-04-02T01:00:00.000Z',
    });

  it('writes what slmgr reported, and writes nothing when the same output comes again', async () => {
    const first = await slmgr(fixture(SLMGR_WIN7));
    expect(first).toMatchObject({ kind: 'slmgr', table: 'windows_licences', rows: 3 });
    expect(first.written).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(first.esu).toEqual([
      { year: 1, status: 'licensed', partialKey: 'QG7XW' },
      { year: 2, status: 'unlicensed' },
    ]);
    expect((await slmgr(fixture(SLMGR_WIN7))).written).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    const rows = await db.query(
      `select activation_id, os_version, edition, channel, partial_key, status, esu_year, esu_product, installed
       from windows_licences where org_id = 'acme' order by activation_id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ os_version: '7', edition: 'pro', channel: 'OEM_SLP', status: 'licensed' }),
      expect.objectContaining({
        esu_year: 2,
        esu_product: 'windows-7',
        status: 'unlicensed',
        installed: false,
      }),
      expect.objectContaining({ esu_year: 1, partial_key: 'QG7XW', status: 'licensed' }),
    ]);
  });

  it('updates a row whose reported status changed, auditing from and to', async () => {
    const changed = fixture(SLMGR_WIN7)
      .toString('utf8')
      .replace(/Unlicensed/, 'Notification');
    expect((await slmgr(Buffer.from(changed))).written).toEqual({ inserted: 0, updated: 1, unchanged: 2 });
    const [entry] = await auditEntries(db, 'acme', { entity: 'windows_licences', limit: 1 });
    expect(entry).toMatchObject({
      action: 'update',
      entityKey: 'PC-1/0e00c25d-8795-4fb7-9572-3803d91b6880',
      detail: { status: { from: 'unlicensed', to: 'notification' } },
    });
  });

  it('refuses an output for a device the store does not know, writing nothing', async () => {
    const e = await slmgr(fixture(SLMGR_WIN7), 'PC-404').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).issues[0]?.path).toBe('device');
    expect(await db.query(`select 1 from windows_licences where device_key = 'PC-404'`)).toEqual([]);
  });

  it('writes an update listing to installed_updates with the hot-fix caveat', async () => {
    const r = await importWindowsOutput(db, {
      org: 'acme',
      device: 'PC-1',
      kind: 'hotfix',
      bytes: fixture('hotfix/05_constructed_get-hotfix_table_win7_esu_prereqs.txt'),
      file: 'hotfix.txt',
      actor: 'test',
    });
    expect(r).toMatchObject({ table: 'installed_updates', rows: 5, written: { inserted: 5 } });
    expect(r.caveat?.en).toMatch(/not proof/);
    const kbs = await db.query<{ kb: string }>(
      `select kb from installed_updates where org_id = 'acme' order by kb`,
    );
    expect(kbs.map((k) => k.kb)).toEqual(['KB4474419', 'KB4490628', 'KB4536952', 'KB4538483', 'KB976902']);
  });
});

/** `Get-HotFix -ComputerName PC-A,pc-b,SN-0003` as PowerShell prints it: one table, a Source per row. */
const FLEET_LISTING = [
  '',
  'Source        Description      HotFixID      InstalledBy          InstalledOn',
  '------        -----------      --------      -----------          -----------',
  'PC-A          Update           KB4490628     NT AUTHORITY\\SYSTEM  3/12/2019 00:00:00',
  'PC-A          Security Update  KB4474419     NT AUTHORITY\\SYSTEM  9/10/2019 00:00:00',
  'pc-b          Update           KB4490628     NT AUTHORITY\\SYSTEM  4/2/2019 00:00:00',
  'SN-0003       Update           KB4536952     NT AUTHORITY\\SYSTEM  1/14/2020 00:00:00',
  '',
].join('\r\n');

describe.each(storeBackends())('a fleet-wide update listing on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    await backend.setup();
    db = await backend.fresh();
    await ensureOrganisation(db, 'acme', { actor: 'test' });
    await upsertDevices(
      db,
      'acme',
      [
        { key: 'SN-0001', name: 'PC-A' },
        { key: 'SN-0002', name: 'PC-B' },
        { key: 'SN-0003', name: null },
        { key: 'SN-0004', name: 'PC-D' },
      ],
      { actor: 'test' },
    );
  });
  afterAll(async () => {
    await db.close();
    await backend.teardown();
  });

  const hotfix = (text: string, device?: string) =>
    importWindowsOutput(db, {
      org: 'acme',
      ...(device ? { device } : {}),
      kind: 'hotfix',
      bytes: Buffer.from(text),
      file: 'fleet-hotfix.txt',
      actor: 'test',
      observedAt: '2020-02-01T00:00:00.000Z',
    });
  const stored = () =>
    db.query<{ device_key: string; kb: string; installed_on: string }>(
      `select device_key, kb, installed_on from installed_updates where org_id = 'acme' order by device_key, kb`,
    );

  it('refuses a listing of several computers filed under one device, writing nothing', async () => {
    const e = await hotfix(FLEET_LISTING, 'SN-0001').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).issues[0]).toMatchObject({ path: 'device' });
    expect((e as InputError).issues[0]?.message).toMatch(/3 computers \(PC-A, PC-B, SN-0003\)/);
    expect(await stored()).toEqual([]);
  });

  it('refuses a listing naming a computer the store does not have, writing nothing', async () => {
    const e = await hotfix(
      `${FLEET_LISTING}PC-Z          Update           KB4490628     NT AUTHORITY\\SYSTEM  3/12/2019 00:00:00\r\n`,
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).issues.map((i) => i.message).join('\n')).toMatch(/PC-Z/);
    expect(await stored()).toEqual([]);
  });

  it('files each computer under the device of that name or key, case-insensitively, and re-imports as a no-op', async () => {
    const r = await hotfix(FLEET_LISTING);
    expect(r.devices).toEqual(['SN-0001', 'SN-0002', 'SN-0003']);
    expect(r.written).toEqual({ inserted: 4, updated: 0, unchanged: 0 });
    expect(await stored()).toEqual([
      { device_key: 'SN-0001', kb: 'KB4474419', installed_on: '2019-09-10' },
      { device_key: 'SN-0001', kb: 'KB4490628', installed_on: '2019-03-12' },
      { device_key: 'SN-0002', kb: 'KB4490628', installed_on: '2019-04-02' },
      { device_key: 'SN-0003', kb: 'KB4536952', installed_on: '2020-01-14' },
    ]);
    expect((await hotfix(FLEET_LISTING)).written).toEqual({ inserted: 0, updated: 0, unchanged: 4 });
  });

  it('audits an insert with its values and a changed date from → to', async () => {
    const [insert] = await auditEntries(db, 'acme', {
      entity: 'installed_updates',
      key: 'SN-0003/KB4536952',
    });
    expect(insert).toMatchObject({
      action: 'insert',
      detail: { installed_on: '2020-01-14', source: 'hotfix-table', observed_at: '2020-02-01T00:00:00.000Z' },
    });
    const r = await hotfix(FLEET_LISTING.replace('1/14/2020', '1/15/2020'));
    expect(r.written).toEqual({ inserted: 0, updated: 1, unchanged: 3 });
    const [update] = await auditEntries(db, 'acme', {
      entity: 'installed_updates',
      key: 'SN-0003/KB4536952',
      limit: 1,
    });
    expect(update).toMatchObject({
      action: 'update',
      detail: { installed_on: { from: '2020-01-14', to: '2020-01-15' }, source: 'hotfix-table' },
    });
  });

  it('warns when a one-computer listing is filed under a device of another name', async () => {
    const one = FLEET_LISTING.split('\r\n')
      .filter((l) => !/^(pc-b|SN-0003)/.test(l))
      .join('\r\n');
    const r = await hotfix(one, 'SN-0004');
    expect(r.devices).toEqual(['SN-0004']);
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'computer-mismatch' })]);
    expect(r.warnings[0]?.message).toMatch(/PC-A.*'SN-0004'.*'PC-D'/);
  });

  it('asks for the device when a listing does not name its computer, or for a licence output', async () => {
    const e = await importWindowsOutput(db, {
      org: 'acme',
      kind: 'hotfix',
      bytes: fixture('hotfix/04_wmic_qfe_format_list_win7.txt'),
      file: 'qfe.txt',
      actor: 'test',
    }).catch((x: unknown) => x);
    expect((e as InputError).issues[0]?.message).toMatch(/--device/);
    const s = await importWindowsOutput(db, {
      org: 'acme',
      kind: 'slmgr',
      bytes: fixture(SLMGR_WIN7),
      file: 'dlv.txt',
      actor: 'test',
    }).catch((x: unknown) => x);
    expect(s).toBeInstanceOf(InputError);
    expect((s as InputError).issues[0]?.message).toMatch(/--device KEY/);
  });
});

describe.each(storeBackends())('a fleet-wide update listing streamed from a file on $name', (backend) => {
  let db: Db;
  const dir = mkdtempSync(join(tmpdir(), 'kenri-hotfix-stream-'));
  beforeAll(async () => {
    await backend.setup();
    db = await backend.fresh();
    await ensureOrganisation(db, 'acme', { actor: 'test' });
    await upsertDevices(
      db,
      'acme',
      [
        { key: 'SN-0001', name: 'PC-A' },
        { key: 'SN-0002', name: 'PC-B' },
        { key: 'SN-0003', name: null },
      ],
      { actor: 'test' },
    );
  });
  afterAll(async () => {
    await db.close();
    await backend.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A listing as PowerShell `>` saves it (UTF-16LE with a BOM), `rows` updates over the computers given. */
  const listingFile = (name: string, computers: readonly string[], rows: number): string => {
    const lines = [
      '',
      'Source        Description      HotFixID      InstalledBy          InstalledOn',
      '------        -----------      --------      -----------          -----------',
    ];
    for (let i = 0; i < rows; i++)
      lines.push(
        `${computers[Math.floor((i * computers.length) / rows)]!.padEnd(14)}Update           KB${3_000_000 + i}     NT AUTHORITY\\SYSTEM  3/12/2019 00:00:00`,
      );
    const file = join(dir, name);
    writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf16le')]),
    );
    return file;
  };
  const stream = (file: string, device?: string) =>
    importWindowsFile(db, {
      org: 'acme',
      ...(device ? { device } : {}),
      kind: 'windows',
      file,
      actor: 'test',
      observedAt: '2020-02-01T00:00:00.000Z',
      streamFromBytes: 0,
    });
  const count = async () =>
    (
      await db.query<{ n: number }>(`select count(*)::int as n from installed_updates where org_id = 'acme'`)
    )[0]?.n;

  it('names every unknown computer, even one first seen after a batch was filed, and writes nothing', async () => {
    // PC-Z's rows start at 40,000: the first batch (about 20,000 rows of PC-A and PC-B) is filed before it.
    const file = listingFile('unknown.txt', ['PC-A', 'PC-B', 'PC-Z'], 60_000);
    const e = await stream(file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).issues[0]?.message).toMatch(/1 computer\(s\) the listing names: PC-Z \(/);
    expect(await count()).toBe(0);
  });

  it('refuses a listing of several computers under one device, however long', async () => {
    const file = listingFile('two.txt', ['PC-A', 'PC-B'], 30_000);
    const e = await stream(file, 'SN-0001').catch((x: unknown) => x);
    expect((e as InputError).issues[0]?.message).toMatch(/covers 2 computers \(PC-A, PC-B\)/);
    expect(await count()).toBe(0);
  });

  it('files a long listing in batches, as the whole-file path would, and re-imports as a no-op', async () => {
    const file = listingFile('fleet.txt', ['PC-A', 'pc-b', 'SN-0003'], 30_000);
    const progress: number[][] = [];
    const r = await importWindowsFile(db, {
      org: 'acme',
      kind: 'windows',
      file,
      actor: 'test',
      observedAt: '2020-02-01T00:00:00.000Z',
      streamFromBytes: 0,
      onProgress: (...p) => progress.push(p),
    });
    // Streamed: progress came chunk by chunk, and the last report is the whole file.
    expect(progress.length).toBeGreaterThan(3);
    const [rows, done, total] = progress[progress.length - 1]!;
    expect([rows, done]).toEqual([expect.any(Number), total]);
    expect(r).toMatchObject({
      kind: 'hotfix-table',
      table: 'installed_updates',
      rows: 30_000,
      devices: ['SN-0001', 'SN-0002', 'SN-0003'],
      written: { inserted: 30_000, updated: 0, unchanged: 0 },
    });
    expect(r.caveat?.en).toMatch(/not proof/);
    expect(await count()).toBe(30_000);
    const [last] = await db.query<{ device_key: string; installed_on: string }>(
      `select device_key, installed_on from installed_updates where org_id = 'acme' and kb = 'KB3029999'`,
    );
    expect(last).toEqual({ device_key: 'SN-0003', installed_on: '2019-03-12' });
    expect((await stream(file)).written).toEqual({ inserted: 0, updated: 0, unchanged: 30_000 });
  });

  it('reads a short file whole, with the same result', async () => {
    const file = join(dir, 'short.txt');
    writeFileSync(file, FLEET_LISTING.replace('PC-A   ', 'PC-A   '));
    const r = await importWindowsFile(db, { org: 'acme', kind: 'hotfix', file, actor: 'test' });
    expect(r.devices).toEqual(['SN-0001', 'SN-0002', 'SN-0003']);
  });
});
