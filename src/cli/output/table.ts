import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import stringWidth from 'string-width';

/** A report as rows and named columns: one shape for every output format. */
export interface Table {
  readonly title: string;
  readonly columns: readonly { readonly key: string; readonly label: string; readonly align?: 'right' }[];
  readonly rows: readonly Record<string, string | number | undefined>[];
}

export const FORMATS = ['table', 'json', 'csv', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];

const cell = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

// Japanese characters take two columns on a terminal; padding by string length would misalign them.
const pad = (s: string, width: number, right: boolean): string => {
  const fill = ' '.repeat(Math.max(0, width - stringWidth(s)));
  return right ? fill + s : s + fill;
};

export const renderText = (t: Table): string => {
  const widths = t.columns.map((c) =>
    Math.max(stringWidth(c.label), ...t.rows.map((r) => stringWidth(cell(r[c.key])))),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => pad(v, widths[i]!, t.columns[i]!.align === 'right'))
      .join('  ')
      .trimEnd();
  return [
    t.title,
    line(t.columns.map((c) => c.label)),
    line(widths.map((w) => '-'.repeat(w))),
    ...t.rows.map((r) => line(t.columns.map((c) => cell(r[c.key])))),
  ].join('\n');
};

/** CSV with a BOM, so Excel in Japan opens the UTF-8 file with its Japanese intact. */
export const renderCsv = (t: Table): string =>
  `\uFEFF${stringify(
    t.rows.map((r) => t.columns.map((c) => cell(r[c.key]))),
    { header: true, columns: t.columns.map((c) => c.label) },
  )}`;

export const addSheet = (book: ExcelJS.Workbook, t: Table, name: string): void => {
  const sheet = book.addWorksheet(name.slice(0, 31));
  sheet.columns = t.columns.map((c) => ({
    header: c.label,
    key: c.key,
    width: Math.min(60, Math.max(10, stringWidth(c.label) + 2)),
  }));
  sheet.getRow(1).font = { bold: true };
  for (const r of t.rows) sheet.addRow(r);
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
};

/** Writes several tables as one workbook, one sheet each. */
export const writeXlsx = async (tables: readonly Table[], file: string): Promise<void> => {
  const book = new ExcelJS.Workbook();
  book.creator = 'kenri';
  for (const [i, t] of tables.entries())
    addSheet(book, t, t.title.replace(/[\\/?*[\]:]/g, ' ') || `sheet${i + 1}`);
  const buffer = await book.xlsx.writeBuffer();
  await writeFile(file, Buffer.from(buffer));
};
