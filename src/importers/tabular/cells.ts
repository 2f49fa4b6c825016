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

/** Converts a non-blank cell; blank cells never reach here. */
export const convertCell = (spec: ColumnSpec, raw: unknown): Cell => {
  switch (spec.type) {
    case 'text':
      return ok(String(raw).trim());
    case 'identifier':
      return ok(identifier(raw));
    case 'language':
      return ok(language(raw));
    case 'list':
      return ok(splitList(raw));
    case 'integer': {
      if (typeof raw === 'number')
        return Number.isInteger(raw) ? ok(raw) : fail(`'${raw}' is not a whole number`);
      const s = identifier(raw).replace(/,/g, '');
      return /^[+]?\d+$/.test(s) && Number(s) <= 2_147_483_647
        ? ok(Number(s))
        : fail(`'${String(raw).trim()}' is not a whole number`);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      const s = identifier(raw).toLowerCase();
      if (TRUE.has(s)) return ok(true);
      if (FALSE.has(s)) return ok(false);
      return fail(`'${String(raw).trim()}' is not yes or no`, [
        'yes',
        'no',
        'はい',
        'いいえ',
        'true',
        'false',
      ]);
    }
    case 'date': {
      const iso = parseDate(String(raw));
      return iso
        ? ok(iso)
        : fail(`'${String(raw).trim()}' is not a date`, ['YYYY-MM-DD', 'YYYY/MM/DD', '令和6年3月31日']);
    }
    case 'enum': {
      const folded = foldName(String(raw));
      const values = spec.values ?? [];
      const direct = values.find((v) => foldName(v) === folded);
      const alias = Object.entries(spec.valueAliases ?? {}).find(([k]) => foldName(k) === folded)?.[1];
      const value = direct ?? alias;
      return value ? ok(value) : fail(`'${String(raw).trim()}' is not accepted`, values);
    }
  }
};

/** Integers in a list column (esu_years): "1;2", "1年目;2年目". */
export const listOfIntegers = (items: readonly string[]): number[] | undefined => {
  const numbers = items.map((s) => /^(\d+)(年目)?$/.exec(s)?.[1]);
  return numbers.every((n) => n !== undefined) ? numbers.map(Number) : undefined;
};
