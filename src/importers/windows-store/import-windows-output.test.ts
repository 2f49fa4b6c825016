import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends } from '../../../test/store-harness.ts';
import { InputError } from '../../model/input-error.ts';
import { auditEntries } from '../../store/audit.ts';
import type { Db } from '../../store/db.ts';
import { upsertDevices } from '../../store/devices.ts';
import { ensureOrganisation } from '../../store/organisations.ts';
import { importWindowsOutput, parseWindowsFile } from './import-windows-output.ts';

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
