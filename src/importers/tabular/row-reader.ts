import type { InputIssue } from '../../model/input-error.ts';
import { CellError, type CellReader, cellReader, isBlank } from './cells.ts';
import type { ColumnSpec } from './columns.ts';
import type { SourceRecord } from './records.ts';

/** A column as the file has it: its header text, 1-based position, and the documented column it is. */
export interface FileColumn {
  readonly header: string;
  readonly index: number;
  readonly spec: ColumnSpec;
}

/** Where in the file a problem is, in the words of the file: its line (or JSON item) and its header text. */
export const locate = (
  file: string,
  at: { line: number | undefined; item: number | undefined },
  column: FileColumn | undefined,
  fallbackName?: string,
): Pick<InputIssue, 'file' | 'line' | 'column' | 'path'> => {
  const name = column
    ? column.header === column.spec.name
      ? column.header
      : `${column.header} (${column.spec.name})`
    : '';
  if (at.item !== undefined)
    return {
      file,
      path: `[${at.item}]${column ? `.${column.header}` : fallbackName ? `.${fallbackName}` : ''}`,
    };
  return { file, line: at.line, column: column?.index, path: name || fallbackName || 'row' };
};

/** How one file's columns are read, worked out once per file rather than once per row. */
interface Layout {
  readonly slot: ReadonlyMap<string, number>;
  readonly columns: readonly FileColumn[];
  readonly read: readonly CellReader[];
}

const layouts = new WeakMap<ReadonlyMap<string, FileColumn>, Layout>();

const layoutOf = (columns: ReadonlyMap<string, FileColumn>): Layout => {
  let layout = layouts.get(columns);
  if (!layout) {
    const list = [...columns.values()];
    layout = {
      slot: new Map([...columns.keys()].map((name, i) => [name, i])),
      columns: list,
      read: list.map((c) => cellReader(c.spec)),
    };
    layouts.set(columns, layout);
  }
  return layout;
};

const FAILED: unique symbol = Symbol('failed');

/**
 * One record's cells, converted to their column types; conversion problems are collected, not thrown, so
 * every problem in the file is reported at once.
 */
export class RowReader {
  readonly #layout: Layout;
  /** Per column slot: the value, undefined (empty), or FAILED (unreadable, already reported). */
  readonly #values: unknown[];
  readonly issues: InputIssue[] = [];

  constructor(
    readonly file: string,
    readonly record: SourceRecord,
    readonly columns: ReadonlyMap<string, FileColumn>,
  ) {
    const layout = layoutOf(columns);
    this.#layout = layout;
    const n = layout.columns.length;
    const values: unknown[] = new Array(n);
    const cells = record.cells;
    for (let i = 0; i < n; i++) {
      const column = layout.columns[i]!;
      const raw = cells[column.index - 1];
      if (isBlank(raw)) continue;
      const value = layout.read[i]!(raw);
      if (value instanceof CellError) {
        values[i] = FAILED;
        this.issues.push({ ...locate(file, record, column), message: value.error, expected: value.expected });
      } else if (!(Array.isArray(value) && value.length === 0)) values[i] = value;
    }
    this.#values = values;
    if (record.extra > 0)
      this.issues.push({
        ...locate(file, record, undefined),
        message: `${record.extra} more cell(s) than the header has columns`,
      });
  }

  /** The converted value, or undefined when the cell is empty, the column absent or the value unreadable. */
  get<T = string>(name: string): T | undefined {
    const slot = this.#layout.slot.get(name);
    const value = slot === undefined ? undefined : this.#values[slot];
    return value === FAILED ? undefined : (value as T | undefined);
  }

  has(name: string): boolean {
    return this.columns.has(name);
  }

  /** True when the cell had a value that could not be read (already reported). */
  failed(name: string): boolean {
    const slot = this.#layout.slot.get(name);
    return slot !== undefined && this.#values[slot] === FAILED;
  }

  issue(name: string | undefined, message: string, expected?: readonly string[]): void {
    const column = name === undefined ? undefined : this.columns.get(name);
    this.issues.push({ ...locate(this.file, this.record, column, name), message, expected });
  }
}
