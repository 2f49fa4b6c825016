import type ExcelJS from 'exceljs';
import stringWidth from 'string-width';

/** A report as rows and named columns: one shape for every output format. */
export type Row = Readonly<Record<string, string | number | undefined>>;

export interface Table {
  readonly title: string;
  readonly columns: readonly { readonly key: string; readonly label: string; readonly align?: 'right' }[];
  readonly rows: readonly Row[];
}

export const FORMATS = ['table', 'json', 'csv', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];

export const cell = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

// Japanese characters take two columns on a terminal; padding by string length would misalign them.
const pad = (s: string, width: number, right: boolean): string => {
  const fill = ' '.repeat(Math.max(0, width - stringWidth(s)));
  return right ? fill + s : s + fill;
};

/** How a table's columns are laid out as text: widths from the labels and the rows given. */
export const textLayout = (columns: Table['columns'], rows: readonly Row[]) => {
  const widths = columns.map((c) =>
    Math.max(stringWidth(c.label), ...rows.map((r) => stringWidth(cell(r[c.key])))),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => pad(v, widths[i]!, columns[i]!.align === 'right'))
      .join('  ')
      .trimEnd();
  return {
    /** The title, the labels and the dashes under them. */
    head: (title: string): string[] => [
      title,
      line(columns.map((c) => c.label)),
      line(widths.map((w) => '-'.repeat(w))),
    ],
    row: (r: Row): string => line(columns.map((c) => cell(r[c.key]))),
  };
};

export const renderText = (t: Table): string => {
  const layout = textLayout(t.columns, t.rows);
  return [...layout.head(t.title), ...t.rows.map(layout.row)].join('\n');
};

/** ExcelJS column definitions: widths from the labels, within reason. */
export const sheetColumns = (columns: Table['columns']): Partial<ExcelJS.Column>[] =>
  columns.map((c) => ({
    header: c.label,
    key: c.key,
    width: Math.min(60, Math.max(10, stringWidth(c.label) + 2)),
  }));

/** A sheet name Excel accepts: at most 31 characters, none of \ / ? * [ ] : */
export const sheetName = (title: string, index: number): string =>
  (title.replace(/[\\/?*[\]:]/g, ' ') || `sheet${index + 1}`).slice(0, 31);
