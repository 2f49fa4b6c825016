import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;

/** Folders for question files, removed once the tests are done. */
const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kenri-esu-check-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/kenri.js', 'esu', 'check', ...args], { cwd: root, encoding: 'utf8' });
const example = 'examples/questions/esu-win7-downgrade-2021.yaml';

describe('kenri esu check', () => {
  it('denies a downgraded Windows 7 PC without the ESU year covering the date, in both languages', () => {
    const ja = run(example, '--lang', 'ja');
    expect(ja.status).toBe(1);
    expect(ja.stdout).toContain('ESU 第 2 年度');
    expect(ja.stdout).toContain('ESU-04');
    const en = run(example, '--lang', 'en');
    expect(en.stdout).toMatch(/year 2/);
  });

  it('answers as JSON with both parts, their clauses and the remedies', () => {
    const r = run(example, '--json');
    const v = JSON.parse(r.stdout);
    expect(v.licensed.verdict).toBe('denied');
    expect(v.licensed.cites).toEqual(expect.arrayContaining(['ESU-04', 'ESU-05']));
    expect(v.updates.verdict).toBe('denied');
    expect(v.licensed.remedies.map((m: { id: string }) => m.id)).toContain('buy-esu-year-2');
    expect(v.licensed.reasons[0].text.en).not.toContain('{');
  });

  it('is allowed once year 2 is bought too', () => {
    const dir = tempDir();
    const file = join(dir, 'q.yaml');
    writeFileSync(
      file,
      `asOf: 2021-06-01
device:
  id: PC-W7-0007
  running: { edition: professional, version: '7' }
  licences: [{ channel: oem, product: windows, edition: pro, version: '10', language: ja-JP }]
  esuYears: [1, 2]
  esuKey: { installed: true, activated: true }
  installedUpdates: [KB4519976, KB4516655, KB4474419, KB4490628, KB4538483]
`,
    );
    const r = run(file, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).licensed.cites).toContain('ESU-06');
  });

  it('refuses bad input with the field and the accepted values', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      "asOf: 2021-06-01\ndevice: { id: X, running: { edition: professional, version: '7' }, esuYears: [4] }\n",
    );
    const r = run(file);
    expect(r.status).toBe(65);
    expect(r.stderr).toContain('device.esuYears[0]');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
