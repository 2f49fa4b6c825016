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

/** The listing a line starts, if it is a listing's first telling line. */
function formatOfLine(text: string): HotfixFormat | undefined {
  const eq = KEY_EQUALS.exec(text.trim());
  if (eq?.[1]?.toLowerCase() === 'hotfixid') return 'wmic-list';
  const colon = KEY_COLON.exec(text.trim());
  if (colon?.[1]?.toLowerCase() === 'hotfixid' && /\s:/.test(text)) return 'list';
  if (isTableHeader(text)) return 'table';
  return undefined;
}

/** Which listing a text holds, if any; shared with the detector so both agree. */
export function detectHotfixFormat(lines: readonly TextLine[]): HotfixFormat | undefined {
  for (const { text } of lines) {
    const format = formatOfLine(text);
    if (format !== undefined) return format;
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

/** Lines read before a listing shows itself; a text with none in this many lines is not a listing. */
const MAX_LINES_BEFORE_LISTING = 10_000;

const NO_LISTING =
  'no hot-fix listing found. Expected `Get-HotFix` output (a table with a "HotFixID" column and a dashes ' +
  'line, or Format-List "HotFixID : KB…" lines) or `wmic qfe` output (a table headed "HotFixID", or ' +
  '/format:list "HotFixID=KB…" lines).';

/**
 * Reads a listing a batch of lines at a time, handing back each update as soon as its entry is complete, so
 * a listing taken over a whole fleet (`Get-HotFix -ComputerName …`) never has to be in memory at once.
 * Lines before the listing shows which layout it is are held, then read in that layout.
 */
export class HotfixReader {
  private layout: HotfixFormat | undefined;
  private held: TextLine[] = [];
  private noInstances: TextLine | undefined;
  /** Table: the column names and where each starts; a header waiting to see if dashes follow it. */
  private names: string[] | undefined;
  private starts: number[] = [];
  private header: TextLine | undefined;
  /** Key/value layouts: the entry being read. */
  private current: Entry | undefined;

  constructor(readonly warnings: Warning[] = []) {}

  /** The layout, once a line has shown it. */
  get format(): HotfixFormat | undefined {
    return this.layout;
  }

  push(lines: readonly TextLine[]): InstalledUpdate[] {
    const out: InstalledUpdate[] = [];
    for (const line of lines) {
      if (this.layout === undefined) {
        this.layout = formatOfLine(line.text);
        if (this.layout === undefined) {
          if (!this.noInstances && /^No Instance\(s\) Available\.?$/i.test(line.text.trim()))
            this.noInstances = line;
          this.held.push(line);
          if (this.held.length > MAX_LINES_BEFORE_LISTING)
            throw new ParseError(NO_LISTING, firstContentLine(this.held));
          continue;
        }
        const held = [...this.held, line];
        this.held = [];
        for (const h of held) this.read(h, out);
        continue;
      }
      this.read(line, out);
    }
    return out;
  }

  /** The last entry; throws ParseError when the text held no listing (wmic's "No Instance(s)" is an empty one). */
  end(): InstalledUpdate[] {
    if (this.layout === undefined) {
      if (this.noInstances !== undefined) {
        this.warnings.push({
          code: 'tool-message',
          line: this.noInstances.no,
          message: 'wmic printed "No Instance(s) Available."',
        });
        return [];
      }
      throw new ParseError(NO_LISTING, firstContentLine(this.held));
    }
    const out: InstalledUpdate[] = [];
    this.finish(out);
    return out;
  }

  private emit(entry: Entry, out: InstalledUpdate[]): void {
    const update = toUpdate(entry, this.warnings);
    if (update !== undefined) out.push(update);
  }

  private finish(out: InstalledUpdate[]): void {
    if (this.current !== undefined) this.emit(this.current, out);
    this.current = undefined;
  }

  private read(line: TextLine, out: InstalledUpdate[]): void {
    if (this.layout === 'table') this.readTableLine(line, out);
    else this.readKeyValueLine(line, this.layout!, out);
  }

  private readTableLine(line: TextLine, out: InstalledUpdate[]): void {
    const text = line.text.trimEnd();
    if (text.trim() === '') return;
    if (this.header !== undefined) {
      // PowerShell underlines its header with dashes that give the column starts; wmic does not.
      const header = this.header.text.trimEnd();
      this.header = undefined;
      const dashes = /^[\s-]+$/.test(line.text) ? line.text : undefined;
      this.starts = columnStarts(header, dashes);
      this.names = sliceColumns(header, this.starts).map((n) => n.toLowerCase());
      if (dashes !== undefined) return;
    }
    if (isTableHeader(text)) {
      this.header = line;
      return;
    }
    if (this.names === undefined) return;
    // A prompt after the table ends it.
    if (/^PS [^>]*>/.test(text)) {
      this.names = undefined;
      return;
    }
    const cells = sliceColumns(text, this.starts);
    const fields = new Map<string, string>();
    this.names.forEach((name, c) => {
      fields.set(name, cells[c] ?? '');
    });
    this.emit({ fields, line: line.no }, out);
  }

  /**
   * Key/value records. wmic's /format:list output gains a blank line after every line when its "\r\r\n"
   * endings are pasted (as in the wufuc sample), so a repeated key, not a blank line, starts a record;
   * Format-List blocks are also split at blank lines, which they reliably have.
   */
  private readKeyValueLine(line: TextLine, format: 'list' | 'wmic-list', out: InstalledUpdate[]): void {
    const text = line.text.trim();
    if (text === '') {
      if (format === 'list') this.finish(out);
      return;
    }
    const m = (format === 'list' ? KEY_COLON : KEY_EQUALS).exec(text);
    if (m?.[1] === undefined) return;
    const key = m[1].toLowerCase();
    if (this.current === undefined || this.current.fields.has(key)) {
      this.finish(out);
      this.current = { fields: new Map(), line: line.no };
    }
    this.current.fields.set(key, m[2] ?? '');
  }
}

/** Parses Get-HotFix / wmic qfe output in any of the four layouts. */
export function parseHotfixes(input: string | Uint8Array): HotfixParseResult {
  const { lines, warnings } = prepareLines(input);
  const reader = new HotfixReader(warnings);
  const updates = reader.push(lines);
  updates.push(...reader.end());
  return { updates, warnings };
}
