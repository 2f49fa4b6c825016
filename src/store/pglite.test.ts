import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './db.ts';
import { getOrganisation } from './organisations.ts';

const dir = mkdtempSync(join(tmpdir(), 'kenri-pglite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PGlite data directory', () => {
  it('keeps what was written, and lets one process at a time use it', async () => {
    const data = join(dir, 'store'); // created on first use
    const first = await openStore({ dataDir: data });
    const { ensureOrganisation } = await import('./organisations.ts');
    await ensureOrganisation(first, 'sample', { name: '株式会社サンプル商事', actor: 'test' });
    await expect(openStore({ dataDir: data })).rejects.toThrow(/in use by this process/);
    await first.close();
    expect(existsSync(join(data, 'kenri.lock'))).toBe(false);

    // A lock left by a process that died (SIGKILL) is taken over.
    writeFileSync(join(data, 'kenri.lock'), '2147483646');
    const second = await openStore({ dataDir: data });
    try {
      expect((await getOrganisation(second, 'sample'))?.name).toBe('株式会社サンプル商事');
    } finally {
      await second.close();
    }
  }, 60_000);
});
