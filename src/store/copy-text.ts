/**
 * PostgreSQL COPY text format, shared by both back ends so a value loads the same way everywhere.
 * Arrays become array literals with every element quoted, so commas, braces and quotes inside a value survive.
 */

const escapeText = (s: string): string =>
  s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));

/** An array as PostgreSQL's text form (a cell of a COPY, or a parameter cast to an array type). */
export const arrayLiteral = (items: readonly unknown[]): string =>
  `{${items
    .map((item) =>
      item === null || item === undefined ? 'NULL' : `"${String(item).replace(/["\\]/g, '\\$&')}"`,
    )
    .join(',')}}`;

export const copyValue = (value: unknown): string => {
  if (value === null || value === undefined) return '\\N';
  if (Array.isArray(value)) return escapeText(arrayLiteral(value));
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return escapeText(JSON.stringify(value));
  return escapeText(String(value));
};

export const copyLine = (row: readonly unknown[]): string => `${row.map(copyValue).join('\t')}\n`;
