import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { copyLine } from './copy-text.ts';
import { type Db, ident, type Statement } from './db.ts';

/**
 * A PGlite store whose database runs in a worker thread (pglite-worker.mjs), so the WebAssembly PostgreSQL
 * and this thread's JavaScript use two cores: an import parses the next batch while the last one is
 * staged, a plan decides one page while the next is read and the last one written. Still one connection:
 * every statement runs in order, and a transaction holds the store from BEGIN to COMMIT as PGlite's own does.
 */

interface Reply {
  readonly id?: number;
  readonly ready?: boolean;
  readonly result?: unknown;
  readonly error?: { readonly message: string } & Record<string, unknown>;
}

type Op =
  | { op: 'query'; sql: string; params: unknown[] }
  | { op: 'exec'; sql: string }
  | { op: 'batch'; params: Statement[] }
  | { op: 'copy'; sql: string; text: string }
  | { op: 'close' };

/** Rebuilds an error thrown in the worker (PostgreSQL's code, detail, constraint … included). */
const errorFrom = (e: Reply['error']): Error => {
  const { message, stack: _, ...rest } = e ?? { message: 'PGlite worker failed' };
  return Object.assign(new Error(message), rest);
};

/**
 * PGlite's WebAssembly and its worker share this process with the JavaScript that uses them, and importing
 * and planning 100,000 devices must stay under 500 MB. V8's flags belong to the process and are read where they
 * are used, so the store sets two before its worker starts; they stay set for the life of the process, and
 * neither changes what any code computes:
 *
 * - PostgreSQL is compiled by Liftoff only. TurboFan's recompiles of its hot functions, on background
 *   threads, left 50-70 MB in those threads' malloc arenas that the process never gave back.
 * - A heap grows to 1.5 times what outlived its last full collection, not up to 4 times (V8's choice on a
 *   machine with plenty of memory). Between collections both threads' heaps are mostly garbage (pages of the
 *   fleet, results on their way through, COPY text): at the plan's peak this thread's heap was 160-185 MB
 *   with 30-35 MB live, and is now about 100 MB; the worker's went from 55-70 MB to about 30 MB.
 *
 * Measured on the fleet benchmark (100,000 devices, one process): peak RSS 567-569 MB → 401-402 MB, about
 * 9% more CPU (Liftoff 0.7 s, the heap factor 0.5 s), open + import + plan 15.7-16.4 s → 17.2-17.4 s. In
 * the CLI, `kenri plan` on the same fleet peaked at 577 MB → 372 MB, `kenri import devices` at 441 MB →
 * 353 MB.
 */
const V8_FLAGS = ['--liftoff-only', '--heap-growing-percent=50'];

export const openPgliteThread = async (dir: string, settings: readonly string[]): Promise<Db> => {
  for (const flag of V8_FLAGS) setFlagsFromString(flag);
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
    workerData: { dir, params: [...settings] },
    // Every result passes through this thread's heap as short-lived objects; a small young generation
    // collects them sooner (measured: 40-70 MB less at the peak of a 100,000-device plan, 10-15% slower).
    resourceLimits: { maxYoungGenerationSizeMb: 12 },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let broken: Error | undefined;
  const fail = (error: Error) => {
    broken ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    worker.unref();
  };
  await new Promise<void>((resolve, reject) => {
    const early = (error: Error) => reject(error);
    worker.once('error', early);
    worker.once('message', (m: Reply) => {
      worker.off('error', early);
      if (m.ready) resolve();
      else reject(errorFrom(m.error));
    });
  });
  worker.on('message', (m: Reply) => {
    const p = m.id === undefined ? undefined : pending.get(m.id);
    if (!p) return;
    pending.delete(m.id!);
    if (pending.size === 0) worker.unref(); // an idle store does not keep the process alive
    if (m.error) p.reject(errorFrom(m.error));
    else p.resolve(m.result);
  });
  worker.on('error', (error: unknown) =>
    fail(error instanceof Error ? error : new Error(`the PGlite worker failed: ${String(error)}`)),
  );
  worker.on('exit', (code) => fail(new Error(`the PGlite worker stopped (exit code ${code})`)));
  worker.unref();

  const call = <T>(op: Op): Promise<T> => {
    if (broken) return Promise.reject(broken);
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, ...op });
    });
  };

  // The worker runs messages in the order posted, so a statement is posted at once — the worker need not
  // wait for this thread to come back from its own work to start it — unless a transaction is open or
  // waiting: its statements are posted one by one as its callback runs, and nothing may come between them.
  let transactions: Promise<unknown> = Promise.resolve();
  let open = 0;
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    open += 1;
    const run = transactions.then(fn, fn);
    const done = () => {
      open -= 1;
    };
    transactions = run.then(done, done);
    return run;
  };
  const whenFree = <T>(fn: () => Promise<T>): Promise<T> =>
    open === 0 ? fn() : transactions.then(() => whenFree(fn));

  const copyRows = async (
    table: string,
    columns: readonly string[],
    rows: AsyncIterable<readonly unknown[]> | readonly (readonly unknown[])[],
  ): Promise<number> => {
    let text = '';
    let count = 0;
    for await (const row of rows) {
      text += copyLine(row);
      count += 1;
    }
    if (count > 0)
      await call({
        op: 'copy',
        sql: `copy ${ident(table)} (${columns.map(ident).join(', ')}) from '/dev/blob'`,
        text,
      });
    return count;
  };

  const batch = (statements: readonly Statement[]) =>
    call<unknown[][]>({
      op: 'batch',
      params: statements.map((st) => ({ sql: st.sql, params: [...(st.params ?? [])] })),
    });

  const inTransaction: Db = {
    kind: 'pglite',
    query: <T>(sql: string, p: readonly unknown[] = []) => call<T[]>({ op: 'query', sql, params: [...p] }),
    exec: async (sql) => {
      await call({ op: 'exec', sql });
    },
    transaction: (fn) => fn(inTransaction),
    batch: async (statements) => {
      const out: unknown[][] = [];
      for (const st of statements) out.push(await inTransaction.query(st.sql, st.params));
      return out;
    },
    copyRows,
    close: async () => {
      throw new Error('close the store, not a transaction');
    },
  };

  const transaction = <T>(fn: (tx: Db) => Promise<T>): Promise<T> =>
    exclusive(async () => {
      await inTransaction.exec('begin');
      try {
        const result = await fn(inTransaction);
        await inTransaction.exec('commit');
        return result;
      } catch (error) {
        await inTransaction.exec('rollback').catch(() => {});
        throw error;
      }
    });

  return {
    kind: 'pglite',
    query: (sql, p) => whenFree(() => inTransaction.query(sql, p)),
    exec: (sql) => whenFree(() => inTransaction.exec(sql)),
    transaction,
    batch: (statements) => whenFree(() => batch(statements)),
    copyRows: (table, columns, rows) => transaction((tx) => tx.copyRows!(table, columns, rows)),
    close: () =>
      exclusive(async () => {
        try {
          if (!broken) await call({ op: 'close' });
        } finally {
          await worker.terminate();
        }
      }),
  };
};
