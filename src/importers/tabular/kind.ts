import { z } from 'zod';
import { fromZod, type InputIssue } from '../../model/input-error.ts';
import type { Db } from '../../store/db.ts';
import type { Stage } from '../../store/merge.ts';
import type { TableDef } from '../../store/tables.ts';
import type { RowReader } from './row-reader.ts';

/** Where a row goes: a table, the fields the file gives, and defaults written only for new rows. */
export interface Target<Row> {
  readonly def: TableDef<Row>;
  readonly fields: readonly (keyof Row & string)[];
  readonly insertOnly?: readonly (keyof Row & string)[];
}

/** A stored-state check run after staging (references to devices and users), reported like row problems. */
export type StoreCheck = (
  tx: Db,
  org: string,
  stages: ReadonlyMap<string, Stage<unknown>>,
) => Promise<{ line: number; column: string; message: string; expected?: readonly string[] }[]>;

/** What one kind of file (devices, licences, …) does with its rows. */
export interface ImportKindHandler {
  /** The tables written, in order (devices before the licences that refer to them). */
  targets(columns: ReadonlySet<string>): readonly Target<unknown>[];
  /** A header problem beyond missing required columns (devices: neither serial nor name). */
  headerProblem?(columns: ReadonlySet<string>): string | undefined;
  /** The column a duplicated key is reported at. */
  keyColumn(columns: ReadonlySet<string>): string;
  /** The row for each target table (by table name), or undefined when the row has problems. */
  read(r: RowReader, source: string): Readonly<Record<string, object>> | undefined;
  check?: StoreCheck;
}

export const target = <Row>(
  def: TableDef<Row>,
  fields: readonly (keyof Row & string)[],
  insertOnly: readonly (keyof Row & string)[] = [],
): Target<unknown> => ({ def, fields, insertOnly }) as unknown as Target<unknown>;

/**
 * Runs a zod schema over a row built from the cells and reports its problems at the columns they concern.
 * `columnOf` maps a schema field to the file column; a field whose cell was unreadable is not reported twice.
 */
export const checkWith = <T extends z.ZodType>(
  r: RowReader,
  schema: T,
  value: unknown,
  columnOf: Readonly<Record<string, string>>,
): z.output<T> | undefined => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  reportAt(r, fromZod(parsed.error), columnOf);
  return undefined;
};

/** Reports model issues (paths like 'licence.product') at the file columns they concern. */
export const reportAt = (
  r: RowReader,
  issues: readonly InputIssue[],
  columnOf: Readonly<Record<string, string>>,
) => {
  for (const issue of issues) {
    const field =
      issue.path
        .split('.')
        .pop()
        ?.replace(/\[\d+\]$/, '') ?? '';
    const column = columnOf[field] ?? field;
    if (r.failed(column)) continue;
    if (!r.has(column) && /required/.test(issue.message)) continue; // the missing column is reported once, at the header
    const message =
      r.has(column) && /required field missing/.test(issue.message)
        ? 'empty: a value is required'
        : issue.message;
    r.issue(column, message, issue.expected);
  }
};

export const nullable = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export { z };
