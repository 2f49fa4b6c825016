import type { InputIssue } from '../../model/input-error.ts';
import { convertCell, isBlank } from './cells.ts';
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

/**
 * One record's cells, converted to their column types; conversion problems are collected, not thrown, so
 * every problem in the file is reported at once.
 */
export class RowReader {
  readonly #values = new Map<string, unknown>();
  readonly #failed = new Set<string>();
  readonly issues: InputIssue[] = [];

  constructor(
    readonly file: string,
    readonly record: SourceRecord,
    readonly columns: ReadonlyMap<string, FileColumn>,
  ) {
    for (const [name, column] of columns) {
      const raw = record.cells[column.index - 1];
      if (isBlank(raw)) continue;
      const cell = convertCell(column.spec, raw);
      if ('error' in cell) {
        this.#failed.add(name);
        this.issues.push({ ...locate(file, record, column), message: cell.error, expected: cell.expected });
      } else if (!(Array.isArray(cell.value) && cell.value.length === 0)) this.#values.set(name, cell.value);
    }
    if (record.extra > 0)
      this.issues.push({
        ...locate(file, record, undefined),
        message: `${record.extra} more cell(s) than the header has columns`,
      });
  }

  /** The converted value, or undefined when the cell is empty, the column absent or the value unreadable. */
  get<T = string>(name: string): T | undefined {
    return this.#values.get(name) as T | undefined;
  }

  has(name: string): boolean {
    return this.columns.has(name);
  }

  /** True when the cell had a value that could not be read (already reported). */
  failed(name: string): boolean {
    return this.#failed.has(name);
  }

  issue(name: string | undefined, message: string, expected?: readonly string[]): void {
    const column = name === undefined ? undefined : this.columns.get(name);
    this.issues.push({ ...locate(this.file, this.record, column, name), message, expected });
  }
}
