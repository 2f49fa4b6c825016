/**
 * PostgreSQL COPY text format, shared by both back ends so a value loads the same way everywhere.
 * Arrays become array literals with every element quoted, so commas, braces and quotes inside a value survive.
 */

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;

/** Most values hold none of the four characters COPY escapes: testing first spares them a copy. */
const escapeText = (s: string): string =>
  SPECIAL.test(s)
    ? s.replace(SPECIALS, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : s;

const QUOTED = /["\\]/;

/** An array as PostgreSQL's text form (a cell of a COPY, or a parameter cast to an array type). */
export const arrayLiteral = (items: readonly unknown[]): string => {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) out += ',';
    if (item === null || item === undefined) out += 'NULL';
    else {
      const s = String(item);
      out += QUOTED.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : `"${s}"`;
    }
  }
  return `${out}}`;
};

export const copyValue = (value: unknown): string => {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return escapeText(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return escapeText(arrayLiteral(value));
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return escapeText(JSON.stringify(value));
  return escapeText(String(value));
};

/** One row as a line of COPY text: its values escaped, separated by tabs. */
export const copyLine = (row: readonly unknown[]): string => {
  if (row.length === 0) return '\n';
  let line = copyValue(row[0]);
  for (let i = 1; i < row.length; i++) line += `\t${copyValue(row[i])}`;
  return `${line}\n`;
};
