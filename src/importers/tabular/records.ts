import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CsvError, type Options, parse } from 'csv-parse';
import { InputError } from '../../model/input-error.ts';
import { decodeChunks } from './decode.ts';

/**
 * Reads a CSV or JSON file as records aligned with its header, keeping where each record is (CSV line,
 * header = line 1; JSON array index) for the messages. CSV is streamed, so a file of any size reads in flat
 * memory; JSON is parsed whole, so very large fleets should come as CSV.
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
  // Errors (unreadable file, bad encoding, broken quoting) surface through the parser.
  pipeline(Readable.from(decoded.text), parser).catch(() => {});
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
    line += 1 + lineBreaks(record);
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

const openJson = async (file: string, bytesTotal: number): Promise<RecordSource> => {
  const decoded = decodeChunks(
    (async function* () {
      yield await readFile(file);
    })(),
    file,
  );
  let text = '';
  for await (const part of decoded.text) text += part;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw fileError(file, `not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) throw fileError(file, 'expected a JSON array of objects, one per row');
  const header: string[] = [];
  const seen = new Set<string>();
  for (const item of data)
    if (item && typeof item === 'object' && !Array.isArray(item))
      for (const k of Object.keys(item))
        if (!seen.has(k)) {
          seen.add(k);
          header.push(k);
        }
  const bad = data.flatMap((item, i) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? []
      : [{ path: `[${i}]`, file, message: 'expected an object with the row fields' }],
  );
  if (bad.length) throw new InputError(bad, file);
  const items = data as Record<string, unknown>[];
  async function* batches(): AsyncGenerator<SourceRecord[]> {
    for (let start = 0; start < items.length; start += BATCH)
      yield items.slice(start, start + BATCH).map((item, i) => ({
        line: undefined,
        item: start + i,
        cells: header.map((h) => item[h]),
        extra: 0,
      }));
  }
  return { header, batches: batches(), bytesTotal, bytesRead: () => bytesTotal, close: () => {} };
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
