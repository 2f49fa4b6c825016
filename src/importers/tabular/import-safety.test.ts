import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeBackends, useStore } from '../../../test/store-harness.ts';
import { auditEntries } from '../../store/audit.ts';
import { type Db, openStore } from '../../store/db.ts';
import { lockOrganisationForImport } from '../../store/import-lock.ts';
import { openPostgres } from '../../store/postgres.ts';
import { importFile } from './import-file.ts';

const fixture = (name: string): string =>
  new URL(`../../../test/fixtures/tabular/${name}`, import.meta.url).pathname;
const childScript = fixture('import-child.ts');
const root = new URL('../../../', import.meta.url).pathname;

const scratch = mkdtempSync(join(tmpdir(), 'kenri-import-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fleet big enough that importing it takes seconds, so a kill lands in the middle. */
const bigFleet = (rows: number): string => {
  const file = join(scratch, `fleet-${rows}.csv`);
  const vendors = ['Dell', 'HP', 'Lenovo', '富士通', 'NEC'];
  const lines = [
    'serial,name,vendor,model,primary_user,os_product,os_edition,os_version,os_language,esu_years',
  ];
  for (let i = 0; i < rows; i += 1)
    lines.push(
      `SN${String(i).padStart(7, '0')},PC-${i},${vendors[i % 5]},Model ${i % 17},user${i % 900},windows,pro,${i % 3 ? '10' : '7'},ja-JP,${i % 3 ? '' : '1;2'}`,
    );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};

const counts = async (db: Db) =>
  Object.fromEntries(
    await Promise.all(
      ['devices', 'licences', 'audit_log', 'organisations'].map(async (t) => [
        t,
        (await db.query<{ n: number }>(`select count(*)::int as n from ${t}`))[0]!.n,
      ]),
    ),
  );

/** Runs the child import and SIGKILLs it when `when` says so; resolves with what it printed. */
const killChild = (target: string, file: string, when: (line: string, total: number) => boolean) =>
  new Promise<{ killed: boolean; lines: string[]; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, target, 'sample', file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    let buffered = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
    });
    child.stdout.on('data', (d: string) => {
      buffered += d;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (!killed && when(line, lines.length)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ killed: signal === 'SIGKILL', lines, stderr }));
  });

const progress = (line: string) => {
  const m = /^progress (\d+) (\d+) (\d+)$/.exec(line);
  return m ? { rows: Number(m[1]), bytes: Number(m[2]), total: Number(m[3]) } : undefined;
};

/** Kill while rows are still being read and staged, or once they all are (while the tables are written). */
const moments = {
  'while reading the file': (line: string) => (progress(line)?.rows ?? 0) >= 20_000,
  'while writing the tables': (line: string) => {
    const p = progress(line);
    return p !== undefined && p.bytes === p.total && p.rows === 60_000;
  },
};

describe.each(storeBackends())('import safety on $name', (backend) => {
  const store = useStore(backend);

  it.each(Object.entries(moments))(
    'leaves the store as it was when the importing process is killed %s',
    async (_moment, when) => {
      const file = bigFleet(60_000);
      let target: string;
      let reopen: () => Promise<Db>;
      if (backend.name === 'pglite') {
        target = mkdtempSync(join(scratch, 'data-'));
        reopen = () => openStore({ dataDir: target });
      } else {
        target = backend.lastUrl()!;
        reopen = () => openPostgres(target);
      }
      const seed = await reopen();
      await importFile(seed, { org: 'sample', kind: 'devices', file: fixture('devices.csv'), actor: 'seed' });
      const before = await counts(seed);
      await seed.close(); // PGlite: one process at a time on a data directory

      const run = await killChild(target, file, (line) => {
        if (/^(done)$/.test(line)) return false;
        return when(line);
      });
      expect(run.stderr).toBe('');
      expect(run.killed).toBe(true);
      expect(run.lines).not.toContain('done');

      const after = await reopen();
      try {
        expect(await counts(after)).toEqual(before);
        // The store still works, and keeps what it is given.
        await importFile(after, {
          org: 'sample',
          kind: 'devices',
          file: fixture('devices-sjis.csv'),
          actor: 'after',
        });
        expect((await counts(after)).devices).toBe(before.devices! + 1);
      } finally {
        await after.close();
      }
      const again = await reopen();
      expect((await counts(again)).devices).toBe(before.devices! + 1);
      await again.close();
    },
    180_000,
  );

  it('serialises imports of one organisation: an import waits for the one holding the lock', async () => {
    if (backend.name === 'pglite') return; // one connection: PGlite runs transactions one after another anyway
    const db = store();
    const other = await openPostgres(backend.lastUrl()!);
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => {
        locked = r;
      });
      const holder = other.transaction(async (tx) => {
        await lockOrganisationForImport(tx, 'sample');
        locked();
        await held;
      });
      await isLocked;
      let finished = false;
      const waiting = importFile(db, {
        org: 'sample',
        kind: 'devices',
        file: fixture('devices.csv'),
        actor: 'x',
      }).then((r) => {
        finished = true;
        return r;
      });
      // Another organisation's import does not wait.
      await importFile(db, { org: 'elsewhere', kind: 'devices', file: fixture('devices.csv'), actor: 'x' });
      await new Promise((r) => setTimeout(r, 300));
      expect(finished).toBe(false);
      release();
      await holder;
      expect((await waiting).written.devices?.inserted).toBe(6);
    } finally {
      await other.close();
    }
  });

  it('writes a file imported twice at the same time once: one import inserts, the other finds it unchanged', async () => {
    const db = store();
    const second = backend.name === 'postgres' ? await openPostgres(backend.lastUrl()!) : db;
    try {
      const file = bigFleet(3000);
      const results = await Promise.all(
        [db, second].map((d, i) =>
          importFile(d, { org: 'sample', kind: 'devices', file, actor: `importer-${i}` }),
        ),
      );
      expect(results.map((r) => r.written.devices?.inserted).sort()).toEqual([0, 3000]);
      const inserts = await db.query<{ n: number }>(
        `select count(*)::int as n from audit_log, unnest(entity_keys)
         where entity = 'devices' and action = 'insert'`,
      );
      expect(inserts[0]!.n).toBe(3000);
      const entries = await auditEntries(db, 'sample', { entity: 'devices', limit: 5000 });
      expect(new Set(entries.map((e) => e.actor)).size).toBe(1);
    } finally {
      if (second !== db) await second.close();
    }
  });
});
