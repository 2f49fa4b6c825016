import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import JSONParser from '@streamparser/json/jsonparser.js';
import Papa from 'papaparse';
import { InputError, type InputIssue } from '../../model/input-error.ts';
import { decodeChunks } from './decode.ts';

/**
 * Reads a CSV or JSON file as records aligned with its header, keeping where each record is (CSV line,
 * header = line 1; JSON array index) for the messages. Both are streamed, so a file of any size reads in
 * flat memory.
 */

export interface SourceRecord {
  /** CSV: the line the record starts on. */
  readonly line: number | undefined;
  /** JSON: the index of the object in the array. */
  readonly item: number | undefined;
  /** Cell values in header order (strings from CSV, any JSON value from JSON). */
  readonly cells: readonly unknown[];
  /** Non-empty cells beyond the header's columns (CSV). */
  readonly extra: number;
}

export interface RecordSource {
  readonly header: readonly string[];
  /** The records in file order, a batch at a time: one await per batch rather than per record. */
  readonly batches: AsyncIterable<readonly SourceRecord[]>;
  readonly bytesTotal: number;
  bytesRead(): number;
  /** Stops reading (the import failed before the end of the file). */
  close(): void;
}

const fileError = (file: string, message: string, line?: number): InputError =>
  new InputError([{ path: 'file', file, line, message }], file);

const countingChunks = (file: string, counter: { bytes: number }): AsyncIterable<Uint8Array> => {
  const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
  return (async function* () {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      counter.bytes += chunk.length;
      yield chunk;
    }
  })();
};

/**
 * Line breaks inside a record's cells (quoted cells may hold them), so the next record's line is known.
 * CRLF is one break, as an editor shows it; most cells have none, which two indexOf calls tell quickly.
 */
const lineBreaks = (cells: readonly string[]): number => {
  let n = 0;
  for (const c of cells)
    if (c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) n += c.match(/\r\n|\r|\n/g)!.length;
  return n;
};

const isBlankText = (s: string | undefined): boolean => s === undefined || s === '' || s.trim() === '';

/** Parsed rows held for the importer before reading pauses: a few of the 256 KiB chunks read at a time. */
const HELD_ROWS = 10_000;

/** Papa Parse's words for broken quoting, in the importer's. */
const QUOTE_PROBLEMS: Readonly<Record<string, string>> = {
  MissingQuotes: 'a quoted cell is not closed (a " without its closing ")',
  InvalidQuotes: 'a quoted cell has text after its closing quote (write "" for a " inside a quoted cell)',
};

/**
 * CSV is parsed by Papa Parse, streamed: about four times faster than csv-parse here (1.2 against 4.8 µs a
 * row of a devices file), which was most of the JavaScript an import spent once the cells were cheap.
 * Each chunk of text is parsed whole into rows (a row cut by the chunk's end waits for the next one) and
 * handed over as a batch; reading pauses while more than HELD_ROWS rows wait, so memory stays flat however
 * long the file. Lines are counted here: a record starts one line after the previous one plus the line
 * breaks in its cells.
 */
const openCsv = async (file: string, bytesTotal: number): Promise<RecordSource> => {
  const counter = { bytes: 0 };
  const decoded = decodeChunks(countingChunks(file, counter), file);
  // Only a quoted cell can hold a line break, and most files quote nothing: until the text has shown a
  // quote, records need not be searched for line breaks. Every chunk a record came from was read before it.
  let quoted = false;
  const text = Readable.from(
    (async function* () {
      for await (const chunk of decoded.text) {
        if (!quoted && chunk.includes('"')) quoted = true;
        yield chunk;
      }
    })(),
    { highWaterMark: 1 }, // a chunk of text ahead is enough; what waits is counted in rows below
  );
  const parsed: { rows: string[][]; problems: Papa.ParseError[] }[] = [];
  let held = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let closed = false;
  Papa.parse<string[]>(text, {
    delimiter: ',', // not guessed: a file of one column would otherwise be split on its semicolons
    quoteChar: '"',
    escapeChar: '"',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false, // empty lines come through as blank records, so the lines after them count right
    chunk: (results) => {
      if (closed) return;
      parsed.push({ rows: results.data, problems: results.errors });
      held += results.data.length;
      if (held > HELD_ROWS) text.pause();
      notify();
    },
    complete: () => {
      ended = true;
      notify();
    },
    error: (error) => {
      failure = error;
      notify();
    },
  });
  const wrap = (error: unknown): unknown => {
    if (error instanceof InputError) return error;
    if ((error as NodeJS.ErrnoException).code) return fileError(file, (error as Error).message);
    return error;
  };
  /** The next chunk's rows, or undefined at the end of the file. */
  const nextParsed = async () => {
    for (;;) {
      if (failure !== undefined) throw wrap(failure);
      const next = parsed.shift();
      if (next) {
        held -= next.rows.length;
        if (held <= HELD_ROWS && text.isPaused() && !closed) text.resume();
        return next;
      }
      if (ended || closed) return undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  /** The line the next record starts on. */
  let line = 1;
  const advance = (record: readonly string[]): number => {
    const at = line;
    line += quoted ? 1 + lineBreaks(record) : 1;
    return at;
  };
  /** The rows of the chunk being read, the next one to read, and the first row with broken quoting. */
  let rows: string[][] = [];
  let at = 0;
  let brokenAt = Number.POSITIVE_INFINITY;
  let broken: Papa.ParseError | undefined;
  const refill = async (): Promise<boolean> => {
    const next = await nextParsed();
    if (!next) return false;
    rows = next.rows;
    at = 0;
    broken = undefined;
    brokenAt = Number.POSITIVE_INFINITY;
    for (const p of next.problems)
      if ((p.row ?? 0) < brokenAt) {
        broken = p;
        brokenAt = p.row ?? 0;
      }
    return true;
  };
  /** Stops at broken quoting, reported at the line of the record it is in (the next one to be read). */
  const checkQuoting = () => {
    if (at >= brokenAt)
      throw fileError(
        file,
        `the CSV cannot be read: ${QUOTE_PROBLEMS[broken!.code] ?? broken!.message}`,
        line,
      );
  };
  const nextRecord = async (): Promise<string[] | undefined> => {
    for (;;) {
      checkQuoting();
      if (at < rows.length) return rows[at++];
      if (!(await refill())) return undefined;
    }
  };
  let first = await nextRecord();
  while (first?.every(isBlankText)) {
    advance(first);
    first = await nextRecord();
  }
  if (first === undefined) throw fileError(file, 'the file is empty: expected a header line and rows');
  advance(first);
  const header = first.map((h) => h.trim());
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  const width = header.length;
  const toSource = (record: string[]): SourceRecord | undefined => {
    const at = advance(record);
    if (record.every(isBlankText)) return undefined; // blank lines, and the rows of bare commas Excel leaves below the data
    if (record.length <= width) return { line: at, item: undefined, cells: record, extra: 0 };
    let extra = 0;
    for (let i = width; i < record.length; i++) if (!isBlankText(record[i])) extra += 1;
    return { line: at, item: undefined, cells: record.slice(0, width), extra };
  };
  async function* batches(): AsyncGenerator<SourceRecord[]> {
    for (;;) {
      const batch: SourceRecord[] = [];
      // The rest of the chunk in hand, without awaiting: a batch costs one await.
      for (; at < rows.length; at++) {
        checkQuoting();
        const source = toSource(rows[at]!);
        if (source) batch.push(source);
      }
      checkQuoting();
      if (batch.length > 0) yield batch;
      if (!(await refill())) return;
    }
  }
  return {
    header,
    batches: batches(),
    bytesTotal,
    bytesRead: () => counter.bytes,
    close: () => {
      closed = true;
      text.destroy();
      notify();
    },
  };
};

/** At most this many items that are not objects are listed: a wrong file would otherwise list them all. */
const MAX_JSON_ISSUES = 1000;

/**
 * The items of a file's top-level JSON array, a batch per chunk read: the array is never whole in memory.
 * The parser drops each item once handed over (keepStack: false).
 */
async function* jsonItems(file: string, counter: { bytes: number }): AsyncGenerator<unknown[]> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  let batch: unknown[] = [];
  parser.onValue = ({ value }) => {
    batch.push(value);
  };
  let started = false;
  const fail = (error: unknown): never => {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code) throw fileError(file, (error as Error).message);
    throw fileError(file, `not valid JSON: ${(error as Error).message}`);
  };
  try {
    for await (const text of decodeChunks(countingChunks(file, counter), file).text) {
      if (!started) {
        const first = text.replace(/^[\s\uFEFF]+/, '');
        if (first === '') continue;
        if (first[0] !== '[') throw fileError(file, 'expected a JSON array of objects, one per row');
        started = true;
      }
      // The parser ends itself with the array: after it, only white space may follow.
      if (parser.isEnded) {
        if (text.trim() !== '') throw fileError(file, 'not valid JSON: something follows the array');
        continue;
      }
      parser.write(text);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    if (!started) throw fileError(file, 'the file is empty: expected a JSON array of objects, one per row');
    if (!parser.isEnded) parser.end();
  } catch (error) {
    fail(error);
  }
  if (batch.length > 0) yield batch;
}

const isRow = (item: unknown): item is Record<string, unknown> =>
  item !== null && typeof item === 'object' && !Array.isArray(item);

/**
 * JSON is read twice, both times streamed: once for the field names (the header is every name any object
 * has, in order of first use) and to check every item is an object, then for the rows.
 */
const openJson = async (file: string, bytesTotal: number): Promise<RecordSource> => {
  const header: string[] = [];
  const seen = new Set<string>();
  const bad: InputIssue[] = [];
  let index = 0;
  for await (const batch of jsonItems(file, { bytes: 0 }))
    for (const item of batch) {
      if (isRow(item)) {
        for (const k of Object.keys(item))
          if (!seen.has(k)) {
            seen.add(k);
            header.push(k);
          }
      } else if (bad.length < MAX_JSON_ISSUES)
        bad.push({ path: `[${index}]`, file, message: 'expected an object with the row fields' });
      index += 1;
    }
  if (bad.length) throw new InputError(bad, file);
  const counter = { bytes: 0 };
  let stopped = false;
  async function* batches(): AsyncGenerator<SourceRecord[]> {
    let i = 0;
    for await (const items of jsonItems(file, counter)) {
      yield (items as Record<string, unknown>[]).map((item) => ({
        line: undefined,
        item: i++,
        cells: header.map((h) => item[h]),
        extra: 0,
      }));
      if (stopped) return;
    }
  }
  return {
    header,
    batches: batches(),
    bytesTotal,
    bytesRead: () => counter.bytes,
    close: () => {
      stopped = true;
    },
  };
};

export const openRecords = async (file: string, format: 'csv' | 'json'): Promise<RecordSource> => {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw fileError(file, 'not a file');
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fileError(
      file,
      `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return format === 'json' ? openJson(file, size) : openCsv(file, size);
};

/** The format a file name suggests: .json is JSON, anything else CSV. */
export const formatOf = (file: string): 'csv' | 'json' => (/\.json$/i.test(file) ? 'json' : 'csv');
