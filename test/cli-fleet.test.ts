import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const data = mkdtempSync(join(tmpdir(), 'kenri-cli-fleet-'));

const kenri = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/kenri.js', ...args, '--data', data], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C', KENRI_ACTOR: 'cli-test' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

// One store for the whole file: the embedded database takes seconds to create.
describe('the fleet commands on the embedded store, end to end', () => {
  let demo: ReturnType<typeof kenri>;
  beforeAll(() => {
    demo = kenri('demo', '--lang', 'ja', '--as-of', '2026-11-22');
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('loads the example fleet and prints a plan in Japanese (the README main job)', () => {
    expect(demo.err).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.out).toContain('判定の集計');
    expect(demo.out).toContain('不可を解消するために購入するもの');
    expect(demo.out).toMatch(/RR-Q4/);
  });

  it('re-running the imports changes nothing', () => {
    const again = kenri('demo', '--lang', 'en', '--as-of', '2026-11-22');
    expect(again.code).toBe(0);
    expect(again.out).toContain('imported devices: 22 rows (0 changed)');
    expect(again.out).toContain('imported licences: 5 rows (0 changed)');
  });

  it('plans as JSON with totals, counts per clause and what to buy', () => {
    const r = kenri(
      'plan',
      '--org',
      'example',
      '--image',
      'corp-win11-ent-ja-24h2',
      '--as-of',
      '2026-11-22',
      '--json',
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.summary.totals).toEqual({ devices: 22, allowed: 14, denied: 8, conditional: 0 });
    expect(plan.summary.byClause['RR-Q4']).toBeGreaterThan(0);
    const enterprise = plan.summary.purchases.find(
      (p: { remedy: string }) => p.remedy === 'buy-windows-enterprise',
    );
    expect(enterprise.quantity).toBeGreaterThan(0);
    expect(plan.summary.pools[0]).toMatchObject({ quantity: 12, allocated: 12 });
    expect(plan.rulesVersion).toMatch(/^sha256:/);

    const shown = kenri('plans', String(plan.planId), '--org', 'example', '--json');
    expect(shown.code).toBe(0);
    const stored = JSON.parse(shown.out);
    expect(stored.summary.totals).toEqual(plan.summary.totals);
    expect(stored.rulesVersion).toBe(plan.rulesVersion);
    expect(stored.devices).toHaveLength(22);
    const home = stored.devices.find((d: { deviceKey: string }) => d.deviceKey === '5CG1234XY4');
    expect(home.verdict).toBe('denied');
    expect(home.cites).toContain('RR-14');
  });

  it('writes the plan as XLSX with one sheet per table, and as CSV with a BOM for Excel', async () => {
    const xlsx = join(data, 'plan.xlsx');
    const r = kenri(
      'plan',
      '--org',
      'example',
      '--image',
      'corp-win11-ent-ja-24h2',
      '--as-of',
      '2026-11-22',
      '--format',
      'xlsx',
      '--out',
      xlsx,
      '--lang',
      'ja',
    );
    expect(r.code).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    const sheet = book.worksheets.find((w) => w.name.includes('デバイスごとの判定'));
    expect(sheet?.rowCount).toBe(23);

    const csv = kenri(
      'plan',
      '--org',
      'example',
      '--image',
      'corp-win11-ent-ja-24h2',
      '--as-of',
      '2026-11-22',
      '--format',
      'csv',
      '--lang',
      'en',
    );
    expect(csv.code).toBe(0);
    expect(csv.out.startsWith('\uFEFFdevice,verdict,clauses')).toBe(true);
    expect(csv.out.trim().split('\n')).toHaveLength(23);
  });

  it("reports the organisation's licence position as of a date", () => {
    const r = kenri('report', '--org', 'example', '--as-of', '2026-11-22', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const status = Object.fromEntries(
      report.agreements.map((a: { number: string; status: string }) => [a.number, a.status]),
    );
    expect(status).toEqual({ '67123456': 'active', V4820173: 'ended' });
    const pool = report.position.find(
      (p: { edition: string; pooled: number }) => p.edition === 'enterprise' && p.pooled > 0,
    );
    expect(pool.pooled).toBe(12);
  });

  it('refuses a bad file with its line and column, and writes nothing', () => {
    const bad = join(data, 'bad-devices.csv');
    writeFileSync(
      bad,
      'serial,name,vendor,os_product,os_edition,os_version\nX-1,PC-NEW-1,Dell,windows,pro,10\nX-2,PC-NEW-2,Dell,windoze,pro,10\n',
    );
    const r = kenri('import', 'devices', bad, '--org', 'example');
    expect(r.code).toBe(65);
    expect(r.err).toContain('line 3');
    expect(r.err).toContain("'windoze'");
    expect(r.err).not.toMatch(/\n\s+at /);
    const devices = JSON.parse(kenri('devices', '--org', 'example', '--json').out);
    expect(devices).toHaveLength(22);
    expect(readFileSync(bad, 'utf8')).toContain('X-1');
  });

  it('names the organisations it knows when asked for another', () => {
    const r = kenri('plan', '--org', 'nobody', '--image', 'corp-win11-ent-ja-24h2');
    expect(r.code).toBe(64);
    expect(r.err).toContain('unknown organisation');
    expect(r.err).toContain('example');
  });
});
