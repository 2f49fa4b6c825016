import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { UsageError } from '../lang.ts';
import {
  cell,
  FORMATS,
  type Format,
  type Row,
  renderText,
  sheetColumns,
  sheetName,
  type Table,
  textLayout,
} from './table.ts';

export interface OutputFlags {
  json?: boolean;
  format?: string;
  out?: string;
}

/** The output options every report command shares. */
export const withOutputOptions = (cmd: Command): Command =>
  cmd
    .option('--json', 'print as JSON')
    .option('--format <format>', `${FORMATS.join(', ')} (default table)`)
    .option('--out <file>', 'write the output to a file (needed for xlsx)');

export const formatOf = (flags: OutputFlags): Format => {
  const f = flags.json ? 'json' : (flags.format ?? 'table');
  if (!(FORMATS as readonly string[]).includes(f))
    throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}`);
  if (f === 'xlsx' && !flags.out) throw new UsageError('--format xlsx needs --out FILE');
  return f as Format;
};

/**
 * A table too long to hold in memory (a fleet's devices, a plan's verdicts): its rows arrive in batches and
 * are written as they come, after the other tables. In JSON its items go under `key` of the JSON object,
 * or make up the whole output when there is no key.
 */
export interface Tail<T> {
  readonly title: string;
  readonly columns: Table['columns'];
  readonly batches: AsyncIterable<readonly T[]>;
  readonly row: (item: T) => Row;
  readonly item: (item: T) => unknown;
  readonly key?: string;
}

interface Sink {
  write(text: string): Promise<void>;
  /** Keeps what was written: a file appears under its name only once it is whole. */
  done(): Promise<void>;
  /** Discards a file half written. */
  fail(): void;
}

const waitFor = async (stream: Writable, text: string): Promise<void> => {
  if (!stream.write(text)) await once(stream, 'drain');
};

/** A temporary name beside the target, renamed over it at the end: a failed run leaves no half file. */
const partialOf = (file: string): string => join(dirname(file), `.${basename(file)}.${process.pid}.partial`);

const openSink = (out: string | undefined): Sink => {
  if (!out)
    return {
      write: (text) => waitFor(process.stdout, text),
      done: async () => {},
      fail: () => {},
    };
  const partial = partialOf(out);
  const stream = createWriteStream(partial);
  let failed: Error | undefined;
  stream.on('error', (e) => {
    failed = e;
  });
  return {
    write: async (text) => {
      if (failed) throw failed;
      await waitFor(stream, text);
    },
    done: async () => {
      stream.end();
      await once(stream, 'close');
      if (failed) throw failed;
      renameSync(partial, out);
    },
    fail: () => {
      stream.destroy();
      rmSync(partial, { force: true });
    },
  };
};

/** JSON.stringify(value, null, 2) nested `depth` levels deep, as it would appear inside a larger document. */
const indented = (value: unknown, depth: number): string =>
  JSON.stringify(value ?? null, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);

/**
 * Writes the JSON document `{ ...json, [key]: [items] }` (or `[items]` with no key) byte for byte as
 * JSON.stringify(…, null, 2) would, one batch at a time.
 */
const writeJson = async <T>(sink: Sink, json: unknown, tail: Tail<T> | undefined): Promise<void> => {
  if (!tail) return sink.write(`${JSON.stringify(json, null, 2)}\n`);
  const depth = tail.key === undefined ? 1 : 2;
  if (tail.key === undefined) await sink.write('[');
  else {
    const head = JSON.stringify(json ?? {}, null, 2);
    const open = head === '{}' ? '{' : `${head.slice(0, -2)},`;
    await sink.write(`${open}\n  ${JSON.stringify(tail.key)}: [`);
  }
  let first = true;
  for await (const batch of tail.batches) {
    let text = '';
    for (const item of batch) {
      text += `${first ? '' : ','}\n${'  '.repeat(depth)}${indented(tail.item(item), depth)}`;
      first = false;
    }
    if (text) await sink.write(text);
  }
  const close = first ? ']' : `\n${'  '.repeat(depth - 1)}]`;
  await sink.write(tail.key === undefined ? `${close}\n` : `${close}\n}\n`);
};

const csvOf = (rows: readonly Row[], columns: Table['columns'], header: boolean): string =>
  stringify(
    rows.map((r) => columns.map((c) => cell(r[c.key]))),
    header ? { header: true, columns: columns.map((c) => c.label) } : {},
  );

/** Text: the tail's widths come from its header and first batch; a longer cell later just runs over. */
const writeText = async <T>(
  sink: Sink,
  tables: readonly Table[],
  tail: Tail<T> | undefined,
): Promise<void> => {
  if (tables.length > 0) await sink.write(`${tables.map(renderText).join('\n\n')}\n`);
  if (!tail) return;
  let layout: ReturnType<typeof textLayout> | undefined;
  const open = (rows: readonly Row[]) => {
    layout = textLayout(tail.columns, rows);
    return sink.write(`${tables.length > 0 ? '\n' : ''}${layout.head(tail.title).join('\n')}\n`);
  };
  for await (const batch of tail.batches) {
    const rows = batch.map(tail.row);
    if (!layout) await open(rows);
    if (rows.length > 0) await sink.write(`${rows.map(layout!.row).join('\n')}\n`);
  }
  if (!layout) await open([]);
};

/** XLSX through ExcelJS's streaming writer: each row is written to the file as it comes. */
const writeXlsx = async <T>(
  file: string,
  tables: readonly Table[],
  tail: Tail<T> | undefined,
): Promise<void> => {
  const partial = partialOf(file);
  try {
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: partial, useStyles: true });
    book.creator = 'kenri';
    const sheets: { title: string; columns: Table['columns'] }[] = [...tables, ...(tail ? [tail] : [])];
    const names = sheets.map((t, i) => sheetName(t.title, i));
    const open = (t: { columns: Table['columns'] }, i: number) => {
      const sheet = book.addWorksheet(names[i]!, { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.columns = sheetColumns(t.columns);
      sheet.getRow(1).font = { bold: true };
      return sheet;
    };
    for (const [i, t] of tables.entries()) {
      const sheet = open(t, i);
      for (const r of t.rows) sheet.addRow(r).commit();
      sheet.commit();
    }
    if (tail) {
      const sheet = open(tail, tables.length);
      for await (const batch of tail.batches) for (const item of batch) sheet.addRow(tail.row(item)).commit();
      sheet.commit();
    }
    await book.commit();
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
};

/**
 * Prints or writes a report's tables in the chosen format; JSON gets the data, not the tables. A tail, when
 * given, streams after the tables (in CSV it is the one table written: the most detailed one), so a report
 * on a million devices is written in flat memory. A file given with --out appears only once complete.
 */
export const emit = async <T = never>(
  tables: readonly Table[],
  format: Format,
  out: string | undefined,
  json: unknown,
  tail?: Tail<T>,
): Promise<void> => {
  if (format === 'xlsx') {
    await writeXlsx(out!, tables, tail);
    process.stdout.write(`${out}\n`);
    return;
  }
  const sink = openSink(out);
  try {
    switch (format) {
      case 'json':
        await writeJson(sink, json, tail);
        break;
      case 'csv':
        // One CSV holds one table: the most detailed one, which is last.
        if (tail) {
          await sink.write('\uFEFF');
          let header = true;
          for await (const batch of tail.batches) {
            await sink.write(csvOf(batch.map(tail.row), tail.columns, header));
            header = false;
          }
          if (header) await sink.write(csvOf([], tail.columns, true));
        } else {
          const last = tables[tables.length - 1]!;
          await sink.write(`\uFEFF${csvOf(last.rows, last.columns, true)}`);
        }
        break;
      case 'table':
        await writeText(sink, tables, tail);
        break;
    }
    await sink.done();
  } catch (error) {
    sink.fail();
    throw error;
  }
};
