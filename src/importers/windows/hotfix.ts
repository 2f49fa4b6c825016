/**
 * Parser for installed-update listings: `Get-HotFix` (table or Format-List) and `wmic qfe` (table or
 * /format:list). All read Win32_QuickFixEngineering, whose gaps HOTFIX_LISTING_CAVEAT spells out.
 */

import { ParseError, type Warning } from './licence-record.ts';
import { firstContentLine, prepareLines, quote, type TextLine } from './windows-text.ts';

export interface InstalledUpdate {
  /** Upper-case "KB1234567". */
  kb: string;
  /** YYYY-MM-DD. */
  installedOn?: string;
  /** "Update", "Security Update", "Hotfix", … as Windows printed it. */
  description?: string;
  /** The computer name the listing came from. */
  source?: string;
}

export interface HotfixParseResult {
  updates: InstalledUpdate[];
  warnings: Warning[];
}

export type HotfixFormat = 'table' | 'list' | 'wmic-list';

/**
 * Microsoft's own pages disagree on which updates Win32_QuickFixEngineering omits (the Get-HotFix page says
 * CBS-supplied ones, the class page says MSI and Windows Update site ones), so the caveat names both and
 * draws the only safe conclusion.
 */
export const HOTFIX_LISTING_CAVEAT = {
  en:
    'Get-HotFix and wmic qfe read Win32_QuickFixEngineering, which does not list every installed update: ' +
    "Microsoft's Get-HotFix documentation notes that it does not include updates supplied by Component Based " +
    'Servicing (CBS), and the class documentation says updates supplied by Windows Installer (MSI) or the ' +
    'Windows Update site are not returned either. A KB that is not listed is therefore "not shown", not proof ' +
    'that it is missing.',
  ja:
    'Get-HotFix と wmic qfe は Win32_QuickFixEngineering を読み取りますが、このクラスはインストール済みの更新プログラムを' +
    'すべて列挙するわけではありません。Microsoft の Get-HotFix のドキュメントはコンポーネント ベース サービス (CBS) ' +
    'で提供された更新プログラムが含まれないと注記しており、クラスのドキュメントも Windows インストーラー (MSI) や ' +
    'Windows Update サイトから提供された更新プログラムは返されないとしています。したがって、一覧に無い KB は' +
    '「表示されていない」だけであり、未インストールの証明ではありません。',
} as const;

const KEY_COLON = /^([A-Za-z_][A-Za-z0-9_]*)\s*:(?:\s?(.*))?$/;
const KEY_EQUALS = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

function isTableHeader(text: string): boolean {
  if (/[:=]/.test(text)) return false;
  const tokens = text.trim().split(/\s+/);
  return tokens.length >= 2 && tokens.some((t) => t.toLowerCase() === 'hotfixid');
}

/** Which listing a text holds, if any; shared with the detector so both agree. */
export function detectHotfixFormat(lines: readonly TextLine[]): HotfixFormat | undefined {
  for (const { text } of lines) {
    const eq = KEY_EQUALS.exec(text.trim());
    if (eq?.[1]?.toLowerCase() === 'hotfixid') return 'wmic-list';
    const colon = KEY_COLON.exec(text.trim());
    if (colon?.[1]?.toLowerCase() === 'hotfixid' && /\s:/.test(text)) return 'list';
    if (isTableHeader(text)) return 'table';
  }
  return undefined;
}

/** Normalises "kb4490628" to "KB4490628"; undefined for ids that are not KB numbers ("File 1", "Q147222"). */
export function normaliseKb(value: string): string | undefined {
  const m = /^KB(\d{4,8})$/i.exec(value.trim());
  return m === null ? undefined : `KB${m[1]}`;
}

function isoDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Reads InstalledOn. English Windows prints M/D/YYYY (US order) with an optional time; ISO and CIM datetime
 * forms are accepted too. Other locales' orders (D/M/YYYY, D.M.YYYY) are not guessed: undefined.
 */
export function parseInstalledOn(value: string): string | undefined {
  const v = value.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$/i.exec(v);
  if (m !== null) return isoDate(Number(m[3]), Number(m[1]), Number(m[2]));
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(v);
  if (m !== null) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})(\d{2})(\d{2})(?:\d{6}\.\d{6}[+-]\d{3})?$/.exec(v);
  if (m !== null) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  return undefined;
}

/** Raw properties of one entry, with lower-cased names, and the line it started on. */
interface Entry {
  fields: Map<string, string>;
  line: number;
}

function toUpdate(entry: Entry, warnings: Warning[]): InstalledUpdate | undefined {
  const get = (key: string): string | undefined => entry.fields.get(key)?.trim() || undefined;
  const warn = (code: Warning['code'], message: string): void => {
    warnings.push({ code, message, line: entry.line });
  };
  const id = get('hotfixid');
  if (id === undefined) {
    warn('skipped-entry', `Line ${entry.line}: an entry without a HotFixID was skipped.`);
    return undefined;
  }
  if (/(\.\.\.|…)$/.test(id)) {
    warn(
      'truncated-value',
      `Line ${entry.line}: HotFixID ${quote(id)} was cut short by the console; skipped.`,
    );
    return undefined;
  }
  const kb = normaliseKb(id);
  if (kb === undefined) {
    warn('non-kb-hotfix-id', `Line ${entry.line}: HotFixID ${quote(id)} is not a KB number; skipped.`);
    return undefined;
  }
  const update: InstalledUpdate = { kb };
  const installedOn = get('installedon');
  if (installedOn !== undefined) {
    const iso = parseInstalledOn(installedOn);
    if (iso !== undefined) update.installedOn = iso;
    else {
      warn(
        'unparsed-date',
        `Line ${entry.line}: InstalledOn ${quote(installedOn)} for ${kb} is not a US M/D/YYYY date (as English ` +
          'Windows prints it); the date was left out.',
      );
    }
  }
  const description = get('description');
  if (description !== undefined) update.description = description;
  const source = get('source') ?? get('csname') ?? get('pscomputername');
  if (source !== undefined) update.source = source;
  return update;
}

/** Column start offsets from the dashes line PowerShell prints, or from the header words (wmic). */
function columnStarts(header: string, dashes: string | undefined): number[] {
  const starts: number[] = [];
  const pattern = dashes === undefined ? /\S+/g : /-+/g;
  for (const m of (dashes ?? header).matchAll(pattern)) starts.push(m.index);
  return starts;
}

function sliceColumns(text: string, starts: readonly number[]): string[] {
  return starts.map((start, i) => text.slice(start, starts[i + 1] ?? text.length).trim());
}

function readTable(lines: readonly TextLine[]): Entry[] {
  const entries: Entry[] = [];
  let names: string[] | undefined;
  let starts: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const text = line.text.trimEnd();
    if (text.trim() === '') continue;
    if (isTableHeader(text)) {
      const next = lines.slice(i + 1).find((l) => l.text.trim() !== '');
      const dashes = next !== undefined && /^[\s-]+$/.test(next.text) ? next.text : undefined;
      starts = columnStarts(text, dashes);
      names = sliceColumns(text, starts).map((n) => n.toLowerCase());
      if (dashes !== undefined) i = lines.indexOf(next!);
      continue;
    }
    if (names === undefined) continue;
    // A prompt after the table ends it.
    if (/^PS [^>]*>/.test(text)) {
      names = undefined;
      continue;
    }
    const cells = sliceColumns(text, starts);
    const fields = new Map<string, string>();
    names.forEach((name, c) => {
      fields.set(name, cells[c] ?? '');
    });
    entries.push({ fields, line: line.no });
  }
  return entries;
}

/**
 * Reads key/value records. wmic's /format:list output gains a blank line after every line when its
 * "\r\r\n" endings are pasted (as in the wufuc sample), so a repeated key, not a blank line, starts a
 * record; Format-List blocks are also split at blank lines, which they reliably have.
 */
function readKeyValues(lines: readonly TextLine[], format: 'list' | 'wmic-list'): Entry[] {
  const pattern = format === 'list' ? KEY_COLON : KEY_EQUALS;
  const entries: Entry[] = [];
  let current: Entry | undefined;
  for (const line of lines) {
    const text = line.text.trim();
    if (text === '') {
      if (format === 'list') current = undefined;
      continue;
    }
    const m = pattern.exec(text);
    if (m?.[1] === undefined) continue;
    const key = m[1].toLowerCase();
    if (current === undefined || current.fields.has(key)) {
      current = { fields: new Map(), line: line.no };
      entries.push(current);
    }
    current.fields.set(key, m[2] ?? '');
  }
  return entries;
}

/** Parses Get-HotFix / wmic qfe output in any of the four layouts. */
export function parseHotfixes(input: string | Uint8Array): HotfixParseResult {
  const { lines, warnings } = prepareLines(input);
  const format = detectHotfixFormat(lines);
  if (format === undefined) {
    const none = lines.find((l) => /^No Instance\(s\) Available\.?$/i.test(l.text.trim()));
    if (none !== undefined) {
      warnings.push({
        code: 'tool-message',
        line: none.no,
        message: 'wmic printed "No Instance(s) Available."',
      });
      return { updates: [], warnings };
    }
    throw new ParseError(
      'no hot-fix listing found. Expected `Get-HotFix` output (a table with a "HotFixID" column and a dashes ' +
        'line, or Format-List "HotFixID : KB…" lines) or `wmic qfe` output (a table headed "HotFixID", or ' +
        '/format:list "HotFixID=KB…" lines).',
      firstContentLine(lines),
    );
  }
  const entries = format === 'table' ? readTable(lines) : readKeyValues(lines, format);
  const updates: InstalledUpdate[] = [];
  for (const entry of entries) {
    const update = toUpdate(entry, warnings);
    if (update !== undefined) updates.push(update);
  }
  return { updates, warnings };
}
