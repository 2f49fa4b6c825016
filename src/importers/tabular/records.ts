import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import JSONParser from '@streamparser/json/jsonparser.js';
import { type CsvError, type Options, parse } from 'csv-parse';
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

/** Records handed over per batch; a batch is what the parser has buffered, at most this many. */
const BATCH = 1000;

const openCsv = async (file: string, bytesTotal: number): Promise<RecordSource> => {
  const counter = { bytes: 0 };
  // No `info` and no `skip_empty_lines`: csv-parse's per-record info object cost more than the parse itself,
  // and lines are counted here instead (an empty line comes through as a blank record, skipped below).
  const options: Options & { readableHighWaterMark: number } = {
    relax_column_count: true,
    relax_quotes: false,
    readableHighWaterMark: BATCH, // passed on to the stream: lets a batch be a thousand records
  };
  const parser = parse(options);
  const decoded = decodeChunks(countingChunks(file, counter), file);
  // Only a quoted cell can hold a line break, and most files quote nothing: until the text has shown a
  // quote, records need not be searched for line breaks. Every chunk a record came from was read before it.
  let quoted = false;
  const text = (async function* () {
    for await (const chunk of decoded.text) {
      if (!quoted && chunk.includes('"')) quoted = true;
      yield chunk;
    }
  })();
  // Errors (unreadable file, bad encoding, broken quoting) surface through the parser.
  pipeline(Readable.from(text), parser).catch(() => {});
  const wrap = (error: unknown): unknown => {
    if (error instanceof InputError) return error;
    const csv = error as CsvError & { lines?: number };
    if (typeof csv.code === 'string' && csv.code.startsWith('CSV_'))
      return fileError(
        file,
        `the CSV cannot be read: ${csv.message.replace(/^Invalid [^:]*: /, '')}`,
        csv.lines,
      );
    if ((error as NodeJS.ErrnoException).code) return fileError(file, (error as Error).message);
    return error;
  };
  /** Resolves once the parser has records, has ended or was closed; rejects with its error. */
  const ready = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        parser.off('readable', done).off('end', done).off('close', done).off('error', failed);
        resolve();
      };
      const failed = (error: unknown) => {
        done();
        reject(wrap(error));
      };
      parser.on('readable', done).on('end', done).on('close', done).on('error', failed);
    });
  /** The next raw record, or null at the end of the file. */
  const next = async (): Promise<string[] | null> => {
    for (;;) {
      if (parser.errored) throw wrap(parser.errored);
      const record = parser.read() as string[] | null;
      if (record !== null) return record;
      if (parser.readableEnded || parser.destroyed) return null;
      await ready();
    }
  };
  /** The line the next record starts on. */
  let line = 1;
  const advance = (record: readonly string[]): number => {
    const at = line;
    line += quoted ? 1 + lineBreaks(record) : 1;
    return at;
  };
  let first = await next();
  while (first?.every(isBlankText)) {
    advance(first);
    first = await next();
  }
  if (first === null) throw fileError(file, 'the file is empty: expected a header line and rows');
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
      const first = await next();
      if (first === null) return;
      const batch: SourceRecord[] = [];
      // Take what the parser already holds without awaiting, so a batch costs one await.
      for (let record: string[] | null = first; record !== null; ) {
        const source = toSource(record);
        if (source) batch.push(source);
        record = batch.length < BATCH && !parser.errored ? (parser.read() as string[] | null) : null;
      }
      if (batch.length > 0) yield batch;
    }
  }
  return {
    header,
    batches: batches(),
    bytesTotal,
    bytesRead: () => counter.bytes,
    close: () => parser.destroy(),
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
