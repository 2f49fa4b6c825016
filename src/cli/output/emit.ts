import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../lang.ts';
import { FORMATS, type Format, renderCsv, renderText, type Table, writeXlsx } from './table.ts';

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

const write = (text: string, out: string | undefined): void => {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
};

/** Prints or writes a report's tables in the chosen format; JSON gets the data, not the tables. */
export const emit = async (
  tables: readonly Table[],
  format: Format,
  out: string | undefined,
  json: unknown,
): Promise<void> => {
  switch (format) {
    case 'json':
      return write(`${JSON.stringify(json, null, 2)}\n`, out);
    case 'csv':
      // One CSV holds one table: the most detailed one, which is last.
      return write(renderCsv(tables[tables.length - 1]!), out);
    case 'xlsx':
      await writeXlsx(tables, out!);
      process.stdout.write(`${out}\n`);
      return;
    case 'table':
      return write(`${tables.map(renderText).join('\n\n')}\n`, out);
  }
};
