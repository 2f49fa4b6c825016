import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/db.ts';

// The ESU commands end to end through the real CLI on an embedded store: a Windows 7 fleet imported, year 1
// ordered, the key entered from a file, devices activated and reconciled, the status decided and the scripts
// written. Then everything the CLI printed, every file it wrote and every table is searched for the key.

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kenri-esu-cli-'));
const data = join(dir, 'data');
const kit = join(dir, 'kit');

// A made-up key in the product-key alphabet, ending as the slmgr fixture's ESU add-on does.
const KEY = 'BCDFG-HJKMP-QRTVW-XY234-QG7XW';
const keyForms = [KEY, KEY.replace(/-/g, ''), KEY.toLowerCase(), KEY.slice(0, 23)];

const printed: string[] = [];

const kenri = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/kenri.js', ...args, '--data', data, '--org', 'acme'], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      LANG: 'C',
      LC_ALL: 'C',
      LC_MESSAGES: '',
      HOME: dir,
      TZ: 'Asia/Tokyo',
      KENRI_ACTOR: 'e2e',
      KENRI_SECRET: Buffer.alloc(32, 3).toString('base64'),
      KENRI_SECRET_FILE: '',
      DATABASE_URL: '',
    },
    timeout: 60_000,
  });
  printed.push(r.stdout, r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** A fixture copied into the work folder, dated as if saved on `savedAt` (the import's observation time). */
const saved = (fixture: string, savedAt: string): string => {
  const to = join(dir, fixture.split('/').pop()!);
  copyFileSync(join(root, 'test/fixtures', fixture), to);
  utimesSync(to, new Date(savedAt), new Date(savedAt));
  return to;
};

const filesUnder = (path: string): string[] =>
  readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kenri esu, mak and deploy end to end', () => {
  it('takes a Windows 7 fleet from import to scripts, and never shows the full key', async () => {
    const keyFile = join(dir, 'notice.txt');
    writeFileSync(keyFile, `CSP 開通案内\nWindows 7 ESU MAK キー: ${KEY}\n`);

    // The devices import creates the store and the organisation.
    expect(kenri('import', 'devices', 'test/fixtures/esu/devices-win7.csv').status).toBe(0);
    const order = kenri(
      'esu',
      'order',
      '--year',
      '1',
      '--quantity',
      '2',
      '--date',
      '2019-12-10',
      '--partner',
      'DIS',
      '--reference',
      'PO-1',
    );
    expect(order.stdout).toContain('ESU-10');

    const add = kenri(
      'mak',
      'add',
      '--year',
      '1',
      '--key-file',
      keyFile,
      '--notice-date',
      '2019-12-20',
      '--lang',
      'ja',
    );
    expect(add.status).toBe(0);
    expect(add.stdout).toContain('末尾 QG7XW');

    expect(kenri('mak', 'activate', '--year', '1', '--device', 'W7-0001', '--on', '2020-02-01').status).toBe(
      0,
    );
    const slmgr = saved(
      'windows/slmgr/10_constructed_en_dlv_all_win7_pro_oem_slp_esu_year1.txt',
      '2020-04-02T10:15:32+09:00',
    );
    expect(kenri('import', 'slmgr', slmgr, '--device', 'W7-0002').status).toBe(0);
    const hotfix = saved(
      'windows/hotfix/05_constructed_get-hotfix_table_win7_esu_prereqs.txt',
      '2020-04-02T10:20:00+09:00',
    );
    const listing = kenri('import', 'windows', hotfix, '--device', 'W7-0002', '--lang', 'en');
    expect(listing.stdout).toContain('not proof');

    const reconciled = kenri('mak', 'reconcile', '--year', '1', '--lang', 'en');
    expect(reconciled.stdout).toContain('Newly counted: W7-0002');
    const refused = kenri(
      'mak',
      'activate',
      '--year',
      '1',
      '--device',
      'W10-0003',
      '--on',
      '2020-05-01',
      '--lang',
      'en',
    );
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/Request to raise a MAK activation limit[\s\S]*QG7XW/);
    expect(refused.stdout).toContain('ESU-19');

    const status = kenri('esu', 'status', '--as-of', '2020-06-01', '--json');
    expect(status.status).toBe(2);
    const json = JSON.parse(status.stdout) as {
      devices: { device: string; licensed: { verdict: string }; esuKey: unknown; runningFrom: string }[];
    };
    expect(json.devices.map((d) => [d.device, d.runningFrom, d.licensed.verdict, d.esuKey])).toEqual([
      ['W7-0001', 'running', 'allowed', { installed: true, activated: true }],
      ['W7-0002', 'windows-report', 'allowed', { installed: true, activated: true }],
    ]);
    const text = kenri('esu', 'status', '--as-of', '2020-06-01', '--device', 'W7-0002', '--lang', 'ja');
    expect(text.stdout).toContain('KB4519976');
    expect(text.stdout).toContain('ESU-12');

    const makStatus = kenri('mak', 'status', '--lang', 'en');
    expect(makStatus.stdout).toMatch(/1\s+QG7XW\s+2019-12-20\s+2\s+2\s+2\s+0\s+0/);

    const scripts = kenri(
      'deploy',
      'script',
      '--year',
      '1',
      '--device',
      'W7-0001',
      '--out',
      kit,
      '--as-of',
      '2020-06-01',
      '--lang',
      'en',
    );
    expect(scripts.status).toBe(0);
    expect(readdirSync(kit).sort()).toEqual([
      'esu-year1-activate-W7-0001.cmd',
      'esu-year1-activate-W7-0001.ps1',
    ]);
    const ps1 = readFileSync(join(kit, 'esu-year1-activate-W7-0001.ps1'), 'utf8');
    expect(ps1).toContain("[string]$EsuKey = '<ESU-MAK-KEY>'");
    expect(ps1).toContain('ending in QG7XW');
    expect(kenri('deploy', 'readiness', '--as-of', '2020-06-01', '--lang', 'ja').stdout).toContain(
      '未インストールの証明ではありません',
    );

    // Nothing printed, no file written (the key file given aside), no table holds the key.
    const written = filesUnder(dir).filter((f) => f !== keyFile);
    expect(written.some((f) => f.startsWith(data))).toBe(true);
    for (const form of keyForms) {
      expect(printed.join('\n')).not.toContain(form);
      for (const f of written) expect(readFileSync(f).includes(form), f).toBe(false);
    }
    const db = await openStore({ dataDir: data });
    try {
      const tables = await db.query<{ name: string }>(
        `select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      expect(tables.length).toBeGreaterThan(10);
      let dump = '';
      for (const t of tables)
        for (const r of await db.query<{ row: string }>(`select t::text as row from "${t.name}" t`))
          dump += `${r.row}\n`;
      for (const form of keyForms) expect(dump).not.toContain(form);
      expect(dump).toContain('QG7XW');
      expect(dump).toMatch(/v1:[A-Za-z0-9+/=]+:/);
    } finally {
      await db.close();
    }

    // Only when asked does a script hold the key, and then only its owner may read it.
    const withKey = kenri(
      'deploy',
      'script',
      '--year',
      '1',
      '--format',
      'cmd',
      '--out',
      join(dir, 'secret-kit'),
      '--include-key',
    );
    expect(withKey.status).toBe(0);
    expect(withKey.stdout).not.toContain(KEY);
    const cmd = join(dir, 'secret-kit', 'esu-year1-activate.cmd');
    expect(readFileSync(cmd, 'latin1')).toContain(`set "ESU_KEY=${KEY}"`);
    expect(statSync(cmd).mode & 0o777).toBe(0o600);
  }, 150_000);
});
