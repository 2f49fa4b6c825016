// @ts-check
/**
 * PGlite in a worker thread (see pglite-thread.ts): PostgreSQL compiled to WebAssembly runs on one thread,
 * so in the importing or planning thread it and the JavaScript around it (reading CSV, deciding devices)
 * took turns on one core. Here they run side by side. Plain JavaScript, so the worker needs no TypeScript
 * loader whatever started the process (tsx, the kenri bin, vitest).
 *
 * Messages in: { id, op: 'query' | 'exec' | 'copy' | 'batch' | 'close', sql, params, text } (a batch's
 * params are its statements, run in one transaction). Out: { ready } once
 * PGlite is up, then { id, result } or { id, error } per message, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** As pglite.ts: dates stay 'YYYY-MM-DD', timestamps become ISO strings, bigints numbers. */
const parsers = {
  1082: (/** @type {string} */ s) => s,
  1114: (/** @type {string} */ s) => new Date(`${s.replace(' ', 'T')}Z`).toISOString(),
  1184: (/** @type {string} */ s) => new Date(s).toISOString(),
  20: (/** @type {string} */ s) => Number(s),
};

/**
 * What crosses back of an error: its message and PostgreSQL's fields (code, detail, constraint …), which are
 * strings and numbers; the query options it also carries hold functions, which cannot cross.
 * @param {unknown} e
 */
const errorOf = (e) => {
  if (!(e instanceof Error)) return { message: String(e) };
  /** @type {Record<string, unknown>} */
  const out = { name: e.name, message: e.message };
  for (const [k, v] of Object.entries(e)) if (['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  return out;
};

const port = parentPort;
if (!port) throw new Error('pglite-worker.mjs runs as a worker thread');

const pg = await PGlite.create(workerData.dir, {
  startParams: [...PGlite.defaultStartParams, ...workerData.params],
});

port.on('message', async ({ id, op, sql, params, text }) => {
  try {
    /** @type {unknown} */
    let result;
    if (op === 'query') result = (await pg.query(sql, params, { parsers })).rows;
    else if (op === 'exec') await pg.exec(sql, { parsers });
    else if (op === 'copy') result = (await pg.query(sql, [], { blob: new Blob([text]) })).affectedRows;
    else if (op === 'batch')
      result = await pg.transaction(async (tx) => {
        const out = [];
        for (const st of params) out.push((await tx.query(st.sql, st.params ?? [], { parsers })).rows);
        return out;
      });
    else if (op === 'close') await pg.close();
    else throw new Error(`unknown operation ${op}`);
    try {
      port.postMessage({ id, result });
    } catch (error) {
      port.postMessage({ id, error: errorOf(error) }); // a result that cannot cross (a function in a row)
    }
  } catch (error) {
    port.postMessage({ id, error: errorOf(error) });
  }
});
port.postMessage({ ready: true });
