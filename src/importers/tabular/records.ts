import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CsvError, parse } from 'csv-parse';
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
  readonly records: AsyncIterable<SourceRecord>;
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

const newlines = (cells: readonly string[]): number => {
  let n = 0;
  for (const c of cells) for (let i = c.indexOf('\n'); i >= 0; i = c.indexOf('\n', i + 1)) n += 1;
  return n;
};

const isBlankText = (s: string | undefined): boolean => s === undefined || s.trim() === '';

interface CsvRow {
  record: string[];
  info: { lines: number };
}

const openCsv = async (file: string, bytesTotal: number): Promise<RecordSource> => {
  const counter = { bytes: 0 };
  const parser = parse({ info: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: false });
  const decoded = decodeChunks(countingChunks(file, counter), file);
  // Errors (unreadable file, bad encoding, broken quoting) surface through the parser's iterator.
  pipeline(Readable.from(decoded.text), parser).catch(() => {});
  const rows = parser[Symbol.asyncIterator]() as AsyncIterator<CsvRow>;
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
  const next = async (): Promise<IteratorResult<CsvRow>> => {
    try {
      return await rows.next();
    } catch (error) {
      throw wrap(error);
    }
  };
  let first = await next();
  while (!first.done && first.value.record.every(isBlankText)) first = await next();
  if (first.done) throw fileError(file, 'the file is empty: expected a header line and rows');
  const header = first.value.record.map((h) => h.trim());
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  async function* records(): AsyncGenerator<SourceRecord> {
    for (let r = await next(); !r.done; r = await next()) {
      const { record, info } = r.value;
      if (record.every(isBlankText)) continue; // Excel leaves rows of bare commas below the data
      yield {
        line: info.lines - newlines(record),
        item: undefined,
        cells: record.slice(0, header.length),
        extra: record.slice(header.length).filter((c) => !isBlankText(c)).length,
      };
    }
  }
  return {
    header,
    records: records(),
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
  async function* records(): AsyncGenerator<SourceRecord> {
    for (const [i, item] of (data as Record<string, unknown>[]).entries())
      yield { line: undefined, item: i, cells: header.map((h) => item[h]), extra: 0 };
  }
  return { header, records: records(), bytesTotal, bytesRead: () => bytesTotal, close: () => {} };
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
