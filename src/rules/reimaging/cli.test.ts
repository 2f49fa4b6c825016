import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The real CLI on the example questions: exit codes, both languages, JSON, and input errors a person can act on.

const root = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/kenri.js …` from the repository root, with an English locale unless --lang says otherwise. */
const kenri = (...args: string[]): Run => {
  const r = spawnSync(process.execPath, ['bin/kenri.js', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C', LC_ALL: 'C', LC_MESSAGES: '' },
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const q = (name: string): string => `examples/questions/${name}`;
const STACK_LINE = /^ {4}at /m;

describe('kenri check', () => {
  it('exits 0 for an allowed verdict and writes English with --lang en', () => {
    const r = kenri('check', q('dell-pro-enterprise-ea.yaml'), '--lang', 'en');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verdict');
    expect(r.stdout).toContain('ALLOWED');
    expect(r.stdout).toContain('RR-19');
  });

  it('exits 1 for a denied verdict and writes Japanese with --lang ja', () => {
    const r = kenri('check', q('hp-pro-no-enterprise.yaml'), '--lang', 'ja');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('判定');
    expect(r.stdout).toContain('不可');
    expect(r.stdout).toContain('RR-Q4');
  });

  it('exits 2 for a conditional verdict, and --json gives verdict, cites, reasons, trace and rulesVersion', () => {
    const r = kenri('check', q('lenovo-custom-image-first-imaged-unknown.yaml'), '--json');
    expect(r.status).toBe(2);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ verdict: 'conditional' });
    expect(json.cites).toEqual(expect.arrayContaining(['RR-23', 'RR-27']));
    expect(json.missing).toEqual([expect.objectContaining({ path: 'device.firstImagedWith' })]);
    expect(Array.isArray(json.reasons)).toBe(true);
    expect((json.trace as unknown[]).length).toBeGreaterThan(0);
    expect(json.rulesVersion).toEqual(expect.any(String));
    expect(String(json.rulesVersion).length).toBeGreaterThan(0);
  });
});

describe('kenri check on bad input', () => {
  const bad = (name: string): Run => {
    const r = kenri('check', q(`invalid/${name}`), '--lang', 'en');
    expect(r.status).toBeGreaterThanOrEqual(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_LINE);
    return r;
  };

  it('reports unparseable YAML with its line, exit ≥ 64', () => {
    const r = bad('unparseable.yaml');
    expect(r.stderr).toMatch(/line \d+/);
  });

  it('names an unknown field and the fields accepted there', () => {
    const r = bad('unknown-field.yaml');
    expect(r.stderr).toContain('image.arch');
    expect(r.stderr).toContain('unknown field');
    expect(r.stderr).toMatch(/accepted: .*architecture/);
  });

  // Known gap (reported): for a field inside a list (device.licences[0].lang) acceptedKeys in
  // src/model/normalise.ts looks the array index up as a field name and lists nothing. Red once fixed.
  it('names the fields accepted for an unknown field inside a licence', () => {
    const r = bad('unknown-licence-field.yaml');
    expect(r.stderr).toContain('device.licences[0].lang');
    expect(r.stderr).toMatch(/accepted: .*language/);
  });

  it('names an unknown product and the products kenri knows', () => {
    const r = bad('unknown-product.yaml');
    expect(r.stderr).toContain('image.product');
    expect(r.stderr).toContain("'visio'");
    expect(r.stderr).toMatch(/accepted: .*windows.*office/);
  });

  it('exits 66 for a file that does not exist, without a stack trace', () => {
    const r = kenri('check', q('no-such-question.yaml'));
    expect(r.status).toBe(66);
    expect(r.stderr).toContain('no such file');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe('kenri explain', () => {
  it.each([
    ['ja', 'よく寄せられるご質問 Q4', 'Windows Enterprise ライセンス'],
    ['en', 'FAQ Q4', 'Windows Enterprise licence'],
  ])('prints RR-Q4 in %s', (lang, section, summary) => {
    const r = kenri('explain', 'RR-Q4', '--lang', lang);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('RR-Q4');
    expect(r.stdout).toContain(section);
    expect(r.stdout).toContain(summary);
  });
});
