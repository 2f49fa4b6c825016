import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A throwaway PostgreSQL server for the fleet benchmark, started as .ci/run starts one: initdb as the
 * `postgres` user when running as root (initdb refuses root), trust authentication on 127.0.0.1 only, a
 * free port, and stopped (and its folder removed) at the end.
 */

export interface PgServer {
  readonly url: string;
  readonly version: string;
  /** The settings that differ from a default server, printed with the figures. */
  readonly settings: readonly string[];
  stop(): void;
}

/** Durability is off (a benchmark's server dies with it); memory and WAL sized for a million-row import. */
export const SETTINGS = [
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'shared_buffers=512MB',
  'max_wal_size=4GB',
  'checkpoint_timeout=30min',
];

const binDir = (): string | undefined => {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.status === 0 ? dirname(which.stdout.trim()) : undefined;
  for (const dir of [found, '/usr/lib/postgresql/15/bin'])
    if (dir && ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)))) return dir;
  return undefined;
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const uidOf = (user: string): { uid: number; gid: number } | undefined => {
  const r = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout), gid: Number(g.stdout) } : undefined;
};

/** Starts a server, or says why it cannot (no binaries, root without a postgres user). */
export const startPgServer = async (): Promise<PgServer | { skipped: string }> => {
  const bin = binDir();
  if (!bin) return { skipped: 'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH' };
  const root = process.getuid?.() === 0;
  const pgUser = root ? uidOf('postgres') : undefined;
  if (root && !pgUser)
    return { skipped: "running as root and there is no 'postgres' user to run the server" };
  const as = (cmd: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' })
      : execFileSync(cmd, args, { stdio: 'pipe' });
  const work = mkdtempSync(join(tmpdir(), 'kenri-bench-pg-'));
  chmodSync(work, 0o755);
  if (pgUser) chownSync(work, pgUser.uid, pgUser.gid);
  const data = join(work, 'data');
  const port = await freePort();
  const stop = () => {
    if (existsSync(join(data, 'postmaster.pid')))
      try {
        as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      } catch {
        // already gone
      }
    rmSync(work, { recursive: true, force: true });
  };
  try {
    as(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
    ]);
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-c port=${port}`,
      `-c unix_socket_directories=${work}`,
      ...SETTINGS.map((s) => `-c ${s}`),
    ].join(' ');
    as(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(data, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      options,
      'start',
    ]);
  } catch (error) {
    stop();
    return { skipped: `the throwaway server did not start: ${(error as Error).message.split('\n')[0]}` };
  }
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, version, settings: SETTINGS, stop };
};
