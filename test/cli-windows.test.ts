import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `kenri import hotfix` through the real CLI on an embedded store: a listing taken with
// `Get-HotFix -ComputerName` over several PCs of the example fleet, filed under each PC's device.

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kenri-cli-windows-'));
const data = join(dir, 'data');

const kenri = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/kenri.js', ...args, '--data', data, '--org', 'acme'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C', LC_ALL: 'C', KENRI_ACTOR: 'cli-test', DATABASE_URL: '' },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const listing = join(dir, 'fleet-hotfix.txt');
writeFileSync(
  listing,
  Buffer.from(
    `\ufeff${[
      '',
      'Source        Description      HotFixID      InstalledBy          InstalledOn',
      '------        -----------      --------      -----------          -----------',
      'PC-TKY-001    Update           KB4490628     NT AUTHORITY\\SYSTEM  3/12/2019 00:00:00',
      'PC-TKY-002    Security Update  KB4474419     NT AUTHORITY\\SYSTEM  9/10/2019 00:00:00',
      '8HJK2L5       Update           KB4536952     NT AUTHORITY\\SYSTEM  1/14/2020 00:00:00',
      '',
    ].join('\r\n')}`,
    'utf16le',
  ),
);

describe('kenri import hotfix with a fleet-wide listing', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('files each computer under its device, and refuses the same listing under one device', () => {
    expect(kenri('import', 'devices', 'examples/fleet/devices.csv').code).toBe(0);
    const one = kenri('import', 'hotfix', listing, '--device', '8HJK2L3', '--lang', 'en');
    expect(one.code).toBe(65);
    expect(one.err).toMatch(/covers 3 computers .*without --device/);
    const all = kenri('import', 'hotfix', listing, '--lang', 'en');
    expect(all.err).toBe('');
    expect(all.code).toBe(0);
    expect(all.out).toContain('3 row(s) from hotfix-table output imported for 3 devices (acme)');
    expect(all.out).toContain('3 inserted, 0 updated, 0 unchanged');
  });

  it('still asks which device an slmgr output was taken on', () => {
    const r = kenri('import', 'slmgr', listing, '--lang', 'en');
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/needs --device KEY/);
  });
});
