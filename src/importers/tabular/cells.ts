import { canonicalLanguage } from '../../model/normalise.ts';
import { type ColumnSpec, foldName } from './columns.ts';

/**
 * Turns one cell (a CSV string, or a JSON value) into the value its column type calls for. Spreadsheets
 * written in Japan use full-width digits, 令和 dates and はい/いいえ, so those are read as well.
 */

export type Cell =
  | { readonly value: unknown }
  | { readonly error: string; readonly expected?: readonly string[] };

const ok = (value: unknown): Cell => ({ value });
const fail = (error: string, expected?: readonly string[]): Cell =>
  expected ? { error, expected } : { error };

/** Empty cells and JSON nulls are absent values. */
export const isBlank = (raw: unknown): boolean =>
  raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');

const TRUE = new Set(['true', 'yes', 'y', '1', 'はい', 'あり', '有', '○', '〇']);
const FALSE = new Set(['false', 'no', 'n', '0', 'いいえ', 'なし', '無', '×', '-', 'ー']);

const ERAS: Record<string, number> = { 令和: 2018, 平成: 1988, 昭和: 1925, r: 2018, h: 1988, s: 1925 };

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const validDate = (y: number, m: number, d: number): string | undefined => {
  const iso = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : undefined;
};

/** YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日 and 令和6年3月31日 (also R6.3.31) → 'YYYY-MM-DD'. */
export const parseDate = (text: string): string | undefined => {
  const s = text.normalize('NFKC').trim().replace(/\s+/g, '');
  const western = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (western) return validDate(Number(western[1]), Number(western[2]), Number(western[3]));
  const era = /^(令和|平成|昭和|[RHSrhs])(元|\d{1,2})[年.](\d{1,2})[月.](\d{1,2})日?$/.exec(s);
  if (era) {
    const base = ERAS[era[1]!.toLowerCase()]!;
    const year = era[2] === '元' ? 1 : Number(era[2]);
    return validDate(base + year, Number(era[3]), Number(era[4]));
  }
  return undefined;
};

const LANGUAGE_NAMES: Record<string, string> = {
  日本語: 'ja-JP',
  japanese: 'ja-JP',
  英語: 'en-US',
  english: 'en-US',
  韓国語: 'ko-KR',
  中国語簡体字: 'zh-CN',
  '中国語(簡体字)': 'zh-CN',
  中国語繁体字: 'zh-TW',
  '中国語(繁体字)': 'zh-TW',
};

const identifier = (raw: unknown): string => String(raw).normalize('NFKC').trim();

const splitList = (raw: unknown): string[] =>
  (Array.isArray(raw) ? raw.map(String) : String(raw).normalize('NFKC').split(/[;；]/))
    .map((s) => s.normalize('NFKC').trim())
    .filter((s) => s !== '');

const language = (raw: unknown): string => {
  const s = identifier(raw);
  return canonicalLanguage(LANGUAGE_NAMES[s.toLowerCase().replace(/\s+/g, '')] ?? s);
};

/** A cell that could not be read: the message and the accepted values. */
export class CellError {
  constructor(
    readonly error: string,
    readonly expected?: readonly string[],
  ) {}
}

/** Reads one non-blank cell of a column: its value, or a CellError. Blank cells never reach here. */
export type CellReader = (raw: unknown) => unknown;

const BOOLEAN_EXPECTED = ['yes', 'no', 'はい', 'いいえ', 'true', 'false'];
const DATE_EXPECTED = ['YYYY-MM-DD', 'YYYY/MM/DD', '令和6年3月31日'];

/** Printable ASCII without surrounding spaces reads the same after NFKC and trim: most cells of a big file. */
const PLAIN_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

const identifierText = (raw: unknown): string =>
  typeof raw === 'string' && PLAIN_ASCII.test(raw) ? raw : identifier(raw);

const integer = (raw: unknown): unknown => {
  if (typeof raw === 'number')
    return Number.isInteger(raw) ? raw : new CellError(`'${raw}' is not a whole number`);
  const s = identifier(raw).replace(/,/g, '');
  return /^[+]?\d+$/.test(s) && Number(s) <= 2_147_483_647
    ? Number(s)
    : new CellError(`'${String(raw).trim()}' is not a whole number`);
};

const boolean = (raw: unknown): unknown => {
  if (typeof raw === 'boolean') return raw;
  const s = identifier(raw).toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return new CellError(`'${String(raw).trim()}' is not yes or no`, BOOLEAN_EXPECTED);
};

const date = (raw: unknown): unknown =>
  parseDate(String(raw)) ?? new CellError(`'${String(raw).trim()}' is not a date`, DATE_EXPECTED);

const enumReader = (spec: ColumnSpec): CellReader => {
  const values = spec.values ?? [];
  // Values win over aliases, as they did when each cell searched the values first.
  const byFolded = new Map<string, string>();
  for (const [alias, value] of Object.entries(spec.valueAliases ?? {}))
    if (!byFolded.has(foldName(alias))) byFolded.set(foldName(alias), value);
  for (const v of values) byFolded.set(foldName(v), v);
  return (raw) =>
    byFolded.get(foldName(String(raw))) ?? new CellError(`'${String(raw).trim()}' is not accepted`, values);
};

/** Beyond this many distinct cells a column is not worth remembering (keys, serial numbers). */
const CACHE_LIMIT = 4096;

/**
 * Remembers what a column's cells read as. Fleet files repeat a few values (pro, 10, ja-JP, oem, yes) in
 * every row; the reading is a pure function of the text and its value a string, number or boolean, so a row
 * can never change what another row gets. Lists (arrays) are not remembered, as a caller may change them.
 */
const remembered = (read: CellReader): CellReader => {
  const seen = new Map<unknown, unknown>();
  return (raw) => {
    let value = seen.get(raw);
    if (value === undefined) {
      value = read(raw);
      if (seen.size < CACHE_LIMIT && typeof raw === 'string') seen.set(raw, value);
    }
    return value;
  };
};

const readerFor = (spec: ColumnSpec): CellReader => {
  switch (spec.type) {
    case 'text':
      return (raw) => String(raw).trim();
    case 'identifier':
      return identifierText;
    case 'language':
      return remembered(language);
    case 'list':
      return splitList;
    case 'integer':
      return remembered(integer);
    case 'boolean':
      return remembered(boolean);
    case 'date':
      return remembered(date);
    case 'enum':
      return remembered(enumReader(spec));
  }
};

const readers = new WeakMap<ColumnSpec, CellReader>();

/**
 * The reader of a column's cells, made once per column: enum spellings are folded once, not per cell, and
 * the small-vocabulary types remember what they read (see `remembered`).
 */
export const cellReader = (spec: ColumnSpec): CellReader => {
  let read = readers.get(spec);
  if (!read) {
    read = readerFor(spec);
    readers.set(spec, read);
  }
  return read;
};

/** Converts a non-blank cell; blank cells never reach here. */
export const convertCell = (spec: ColumnSpec, raw: unknown): Cell => {
  const value = cellReader(spec)(raw);
  return value instanceof CellError ? fail(value.error, value.expected) : ok(value);
};

/** Integers in a list column (esu_years): "1;2", "1年目;2年目". */
export const listOfIntegers = (items: readonly string[]): number[] | undefined => {
  const numbers = items.map((s) => /^(\d+)(年目)?$/.exec(s)?.[1]);
  return numbers.every((n) => n !== undefined) ? numbers.map(Number) : undefined;
};
