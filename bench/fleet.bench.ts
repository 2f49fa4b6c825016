import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Explainer } from '../src/planner/explanation.ts';
import { type DeviceRaws, deviceFromRaws, deviceRaws, licencesFromRows } from '../src/planner/from-rows.ts';
import { FleetPlanner, type PlanSummary } from '../src/planner/planner.ts';
import { planVerdictOf } from '../src/planner/run-plan.ts';
import { deviceRows, filesIn, fleetOf, keyOrder, pooledRows, writeFleet } from './fleet-data.ts';
import { startPgServer } from './pg-server.ts';

/**
 * The fleet benchmark: a seeded fleet written as CSVs, imported into the store and planned for one image,
 * on embedded PGlite (100,000 devices) and on a PostgreSQL server (1,000,000), beside the pure-engine floor
 * for the same fleet. Each part runs in its own process, so its peak memory is its own.
 *
 *   KENRI_BENCH_DEVICES      devices for PGlite (default 100,000)
 *   KENRI_BENCH_PG_DEVICES   devices for PostgreSQL (default 1,000,000)
 *   KENRI_BENCH_PG_URL       a PostgreSQL server to use (else DATABASE_URL, else a throwaway one is started)
 *   KENRI_BENCH_PG=off       skip PostgreSQL;  KENRI_BENCH_PGLITE=off  skip PGlite
 *   KENRI_BENCH_KEEP=1       keep the generated files (their folder is printed)
 *
 * Figures are printed, never asserted.
 */

const AS_OF = '2025-06-01';
const ORG = 'sample';
const SELF = fileURLToPath(import.meta.url);

interface Step {
  readonly name: string;
  readonly seconds: number;
  readonly rows?: number;
}

interface StoreResult {
  readonly kind: 'store';
  readonly backend: 'pglite' | 'postgres';
  readonly devices: number;
  readonly steps: Step[];
  readonly importSeconds: number;
  readonly planSeconds: number;
  readonly totalSeconds: number;
  readonly totals: PlanSummary['totals'];
  readonly peakRssMb: number;
  readonly notes: string[];
}

interface FloorResult {
  readonly kind: 'floor';
  readonly devices: number;
  /** FleetPlanner.decide on ready model objects: the pure engine with pools. */
  readonly engineSeconds: number;
  /** The store's facts text → model objects (JSON.parse, from-rows.ts), what the planner adds per device. */
  readonly fromRowsSeconds: number;
  /** The saved record per verdict: its explanation (ja and en, shared per reasons); the store adds the facts. */
  readonly recordSeconds: number;
  readonly totals: PlanSummary['totals'];
  readonly peakRssMb: number;
}

/** Creating the PGlite store (what `kenri init` does once per store): initdb runs in a second WASM instance. */
interface InitResult {
  readonly kind: 'init';
  readonly seconds: number;
  readonly peakRssMb: number;
}

type Result = StoreResult | FloorResult | InitResult;

// ---------------------------------------------------------------------------------------------------------
// Child processes: one part each, the result written as JSON to KENRI_BENCH_RESULT.

const rssSampler = () => {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  timer.unref();
  return {
    /** The larger of the 100 ms samples and the kernel's high-water mark (ru_maxrss, which catches spikes). */
    peakMb: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
      return peak / 1024 / 1024;
    },
  };
};

const log = (msg: string) => process.stderr.write(`  · ${msg}\n`);

const runFloor = (devices: number): FloorResult => {
  const rss = rssSampler();
  const fleet = fleetOf(devices);
  const order = keyOrder(fleet);
  const planner = new FleetPlanner({
    asOf: AS_OF,
    image: imageOf(),
    organisationLicences: licencesFromRows(pooledRows(fleet), 'organisation.licences'),
    imagedBy: 'customer',
  });
  const explainer = new Explainer();
  let engine = 0;
  let fromRows = 0;
  let record = 0;
  const CHUNK = 10_000;
  for (let start = 0; start < devices; start += CHUNK) {
    // What the store hands the planner: each device's facts as JSON text (store/fleet-facts.ts).
    const facts = [];
    for (let k = start; k < Math.min(devices, start + CHUNK); k++) {
      const rows = deviceRows(fleet, order[k]!);
      facts.push({ key: rows.device.key, facts: JSON.stringify(deviceRaws(rows)) });
    }
    const t0 = performance.now();
    const raws = facts.map((f) => JSON.parse(f.facts) as DeviceRaws);
    const models = raws.map(deviceFromRaws);
    const t1 = performance.now();
    const decisions = models.map((m) => planner.decide(m));
    const t2 = performance.now();
    let sink = 0;
    for (let k = 0; k < facts.length; k++)
      sink += planVerdictOf(explainer, facts[k]!, raws[k]!, decisions[k]!).subjects.length;
    const t3 = performance.now();
    if (sink < 0) log('never');
    fromRows += t1 - t0;
    engine += t2 - t1;
    record += t3 - t2;
  }
  return {
    kind: 'floor',
    devices,
    engineSeconds: engine / 1000,
    fromRowsSeconds: fromRows / 1000,
    recordSeconds: record / 1000,
    totals: planner.summary().totals,
    peakRssMb: rss.peakMb(),
  };
};

let image: ReturnType<typeof import('../src/planner/from-rows.ts').imageFromRaw> | undefined;
let imageRawInput: unknown;
const imageOf = () => {
  if (!image) throw new Error('image not loaded');
  return image;
};

const loadImage = async (file: string) => {
  const { readStructured } = await import('../src/cli/read-input.ts');
  const { parseWith } = await import('../src/model/normalise.ts');
  const { ImageInput } = await import('../src/model/facts.ts');
  const { imageFromRaw } = await import('../src/planner/from-rows.ts');
  const raw = parseWith(ImageInput, readStructured(file), file);
  imageRawInput = raw;
  image = imageFromRaw(raw, file);
  return raw;
};

const timed = async <T>(steps: Step[], name: string, fn: () => Promise<T>, rows?: (t: T) => number) => {
  const t0 = performance.now();
  const out = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const n = rows?.(out);
  steps.push({ name, seconds, ...(n === undefined ? {} : { rows: n }) });
  log(`${name}: ${seconds.toFixed(2)} s${n === undefined ? '' : ` (${n.toLocaleString('en-US')} rows)`}`);
  return out;
};

const runStore = async (
  backend: 'pglite' | 'postgres',
  devices: number,
  dir: string,
): Promise<StoreResult> => {
  const rss = rssSampler();
  const { openStore } = await import('../src/store/db.ts');
  const { importFile } = await import('../src/importers/tabular/import-file.ts');
  const { upsertImages } = await import('../src/store/images.ts');
  const { runPlan } = await import('../src/planner/run-plan.ts');
  const files = filesIn(dir);
  const raw = await loadImage(files.image);
  const steps: Step[] = [];
  const notes: string[] = [];
  const started = performance.now();
  let url = process.env.KENRI_BENCH_URL;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (backend === 'postgres' && url) {
    // A database of its own on the server, dropped at the end: the benchmark never writes into yours.
    const pg = (await import('pg')).default;
    const name = `kenri_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      url = u.toString();
      dropDatabase = async () => {
        const c = new pg.Client({ connectionString: process.env.KENRI_BENCH_URL });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`).finally(() => c.end());
      };
    } catch (error) {
      notes.push(`could not create a database (${(error as Error).message}); used the one given`);
    } finally {
      await admin.end();
    }
  }
  const db = await timed(steps, 'open store + migrate', () =>
    backend === 'pglite' ? openStore({ dataDir: join(dir, 'store') }) : openStore({ url: url! }),
  );
  const importOne = (kind: 'agreements' | 'users' | 'devices' | 'licences') =>
    timed(
      steps,
      `import ${kind}`,
      () => importFile(db, { org: ORG, kind, file: files[kind], actor: 'bench' }),
      (r) => r.rows,
    );
  const t0 = performance.now();
  await importOne('agreements');
  await importOne('users');
  await importOne('devices');
  await importOne('licences');
  const importSeconds = (performance.now() - t0) / 1000;
  const p0 = performance.now();
  await timed(steps, 'store the image', () =>
    upsertImages(
      db,
      ORG,
      [
        {
          key: raw.id!,
          media: raw.media,
          product: imageOf().product,
          edition: imageOf().edition,
          version: imageOf().version,
          components: null,
          language: imageOf().language ?? null,
          muiPacks: null,
          architecture: raw.architecture ?? null,
          vendor: null,
          modified: null,
          fppLicence: null,
        },
      ],
      { actor: 'bench' },
    ),
  );
  const plan = await timed(
    steps,
    'plan (read, decide, save every verdict)',
    () =>
      runPlan(db, {
        org: ORG,
        asOf: AS_OF,
        image: imageOf(),
        imageInput: imageRawInput,
        imageKey: raw.id ?? null,
        imagedBy: 'customer',
        actor: 'bench',
      }),
    (r) => r.summary.totals.devices,
  );
  const planSeconds = (performance.now() - p0) / 1000;
  await timed(steps, 'close store', () => db.close());
  const totalSeconds = (performance.now() - started) / 1000;
  if (backend === 'pglite') {
    const size = duBytes(join(dir, 'store'));
    notes.push(`store folder after the run: ${(size / 1024 / 1024).toFixed(0)} MB`);
  }
  await dropDatabase?.();
  return {
    kind: 'store',
    backend,
    devices,
    steps,
    importSeconds,
    planSeconds,
    totalSeconds,
    totals: plan.summary.totals,
    peakRssMb: rss.peakMb(),
    notes,
  };
};

const duBytes = (path: string): number => {
  let total = 0;
  const walk = (p: string) => {
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const f of readdirSync(p)) walk(join(p, f));
    } else total += s.size;
  };
  try {
    walk(path);
  } catch {
    return 0;
  }
  return total;
};

const child = async (): Promise<void> => {
  const phase = process.env.KENRI_BENCH_PHASE!;
  const devices = Number(process.env.KENRI_BENCH_COUNT);
  const dir = process.env.KENRI_BENCH_DIR!;
  let result: Result;
  if (phase === 'pglite-init') {
    const rss = rssSampler();
    const { openStore } = await import('../src/store/db.ts');
    const t0 = performance.now();
    await (await openStore({ dataDir: join(dir, 'store') })).close();
    result = { kind: 'init', seconds: (performance.now() - t0) / 1000, peakRssMb: rss.peakMb() };
  } else if (phase === 'floor') {
    await loadImage(filesIn(dir).image);
    result = runFloor(devices);
  } else result = await runStore(phase as 'pglite' | 'postgres', devices, dir);
  writeFileSync(process.env.KENRI_BENCH_RESULT!, JSON.stringify(result));
};

// ---------------------------------------------------------------------------------------------------------
// The parent: generates the files, runs each part in a child process, prints the table.

const runChild = (phase: string, devices: number, dir: string, env: Record<string, string> = {}) =>
  new Promise<Result>((resolve, reject) => {
    const out = join(dir, `${phase}.result.json`);
    const p = spawn(process.execPath, ['--import', 'tsx', SELF], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        KENRI_BENCH_PHASE: phase,
        KENRI_BENCH_COUNT: String(devices),
        KENRI_BENCH_DIR: dir,
        KENRI_BENCH_RESULT: out,
        ...env,
      },
    });
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(readFileSync(out, 'utf8')) as Result)
        : reject(new Error(`the ${phase} part exited with ${code}`)),
    );
  });

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const perSecond = (count: number, seconds: number) => (seconds > 0 ? count / seconds : 0);

const printStore = (
  r: StoreResult,
  floor: FloorResult | undefined,
  target: { seconds: number; rssMb?: number },
  initSeconds = 0,
) => {
  const floorRate = floor ? perSecond(floor.devices, floor.engineSeconds) : 0;
  const ratio = (rate: number) =>
    floorRate && rate ? `  (floor ÷ this = ${(floorRate / rate).toFixed(0)}×)` : '';
  for (const s of r.steps)
    console.log(
      `    ${s.name.padEnd(42)} ${s.seconds.toFixed(2).padStart(8)} s${s.rows === undefined ? '' : `   ${fmt(s.rows).padStart(10)} rows  ${fmt(perSecond(s.rows, s.seconds)).padStart(9)} rows/s`}`,
    );
  const importRate = perSecond(r.devices, r.importSeconds);
  const planRate = perSecond(r.devices, r.planSeconds);
  console.log(
    `    ${'imports (4 files)'.padEnd(42)} ${r.importSeconds.toFixed(2).padStart(8)} s   ${fmt(importRate).padStart(9)} devices/s${ratio(importRate)}`,
  );
  console.log(
    `    ${'plan'.padEnd(42)} ${r.planSeconds.toFixed(2).padStart(8)} s   ${fmt(planRate).padStart(9)} devices/s${ratio(planRate)}`,
  );
  const total = r.totalSeconds;
  const ok = total < target.seconds;
  console.log(
    `    ${'TOTAL open + import + plan + close'.padEnd(42)} ${total.toFixed(2).padStart(8)} s   ${fmt(perSecond(r.devices, total)).padStart(9)} devices/s${ratio(perSecond(r.devices, total))}   target < ${target.seconds} s: ${ok ? 'met' : 'NOT MET'}`,
  );
  if (initSeconds)
    console.log(
      `    ${'  with creating the store first'.padEnd(42)} ${(total + initSeconds).toFixed(2).padStart(8)} s   (kenri init, once per store)`,
    );
  const rssOk = target.rssMb === undefined ? undefined : r.peakRssMb < target.rssMb;
  console.log(
    `    ${'peak memory (RSS, this process)'.padEnd(42)} ${fmt(r.peakRssMb).padStart(8)} MB${target.rssMb === undefined ? '' : `   target < ${target.rssMb} MB: ${rssOk ? 'met' : 'NOT MET'}`}`,
  );
  console.log(
    `    ${'verdicts'.padEnd(42)} ${fmt(r.totals.allowed)} allowed, ${fmt(r.totals.denied)} denied, ${fmt(r.totals.conditional)} conditional`,
  );
  if (floor) {
    const same = JSON.stringify(floor.totals) === JSON.stringify(r.totals);
    console.log(
      `    ${'same verdicts as the engine floor'.padEnd(42)} ${same ? 'yes' : `NO (floor: ${JSON.stringify(floor.totals)})`}`,
    );
  }
  for (const n of r.notes) console.log(`    note: ${n}`);
};

const printFloor = (f: FloorResult) => {
  const line = (name: string, seconds: number) =>
    console.log(
      `    ${name.padEnd(42)} ${seconds.toFixed(2).padStart(8)} s   ${fmt(perSecond(f.devices, seconds)).padStart(9)} devices/s`,
    );
  line('engine: FleetPlanner.decide (the floor)', f.engineSeconds);
  line('facts → model (JSON.parse, from-rows.ts)', f.fromRowsSeconds);
  line('saved record (texts ja/en)', f.recordSeconds);
  line('in-memory plan, all three', f.engineSeconds + f.fromRowsSeconds + f.recordSeconds);
  console.log(`    ${'peak memory (RSS)'.padEnd(42)} ${fmt(f.peakRssMb).padStart(8)} MB`);
};

const main = async () => {
  const devices = Number(process.env.KENRI_BENCH_DEVICES ?? 100_000);
  const pgDevices = Number(process.env.KENRI_BENCH_PG_DEVICES ?? 1_000_000);
  const work = mkdtempSync(join(tmpdir(), 'kenri-bench-fleet-'));
  console.log(`kenri fleet benchmark (Node ${process.version}, ${cpus().length} cores, as of ${AS_OF})`);
  console.log(`  files in ${work}`);
  let server: Awaited<ReturnType<typeof startPgServer>> | undefined;
  try {
    if (process.env.KENRI_BENCH_PGLITE !== 'off') {
      const t0 = performance.now();
      const dir = join(work, `fleet-${devices}`);
      writeFleet(dir, fleetOf(devices));
      console.log(
        `\n  generated ${fmt(devices)} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      console.log(`\n  Engine floor, ${fmt(devices)} devices, no database`);
      const floor = (await runChild('floor', devices, dir)) as FloorResult;
      printFloor(floor);
      console.log(
        `\n  PGlite (embedded, one process: its WASM heap is inside this RSS), ${fmt(devices)} devices`,
      );
      const init = (await runChild('pglite-init', devices, dir)) as InitResult;
      console.log(
        `    ${'create the store (kenri init, own process)'.padEnd(42)} ${init.seconds.toFixed(2).padStart(8)} s   peak ${fmt(init.peakRssMb)} MB (initdb in a second WASM instance; once per store)`,
      );
      const r = (await runChild('pglite', devices, dir)) as StoreResult;
      printStore(r, floor, { seconds: 30, rssMb: 500 }, init.seconds);
    }
    if (process.env.KENRI_BENCH_PG === 'off') {
      console.log('\n  PostgreSQL: skipped (KENRI_BENCH_PG=off)');
      return;
    }
    let url = process.env.KENRI_BENCH_PG_URL ?? process.env.DATABASE_URL;
    let serverNote = url ? `server at ${url.replace(/\/\/[^@]*@/, '//…@')}` : '';
    if (!url) {
      server = await startPgServer();
      if ('skipped' in server) {
        console.log(`\n  PostgreSQL: skipped — ${server.skipped}`);
        return;
      }
      url = server.url;
      serverNote = `throwaway ${server.version}, ${server.settings.join(' ')} (durability off: benchmark only)`;
    }
    const t0 = performance.now();
    const dir = join(work, `fleet-${pgDevices}`);
    writeFleet(dir, fleetOf(pgDevices));
    console.log(
      `\n  generated ${fmt(pgDevices)} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(`\n  Engine floor, ${fmt(pgDevices)} devices, no database`);
    const floor = (await runChild('floor', pgDevices, dir)) as FloorResult;
    printFloor(floor);
    console.log(`\n  PostgreSQL, ${fmt(pgDevices)} devices — ${serverNote}`);
    const r = (await runChild('postgres', pgDevices, dir, { KENRI_BENCH_URL: url })) as StoreResult;
    printStore(r, floor, { seconds: 60 });
  } finally {
    if (server && !('skipped' in server)) server.stop();
    if (process.env.KENRI_BENCH_KEEP === '1') console.log(`\n  kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
};

if (process.env.KENRI_BENCH_PHASE) await child();
else await main();
