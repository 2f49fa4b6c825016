/**
 * Parser for `Get-CimInstance SoftwareLicensingProduct` output, as a PowerShell list or as ConvertTo-Json.
 * Property names are not localised, which is why this is the route kenri recommends for non-English Windows.
 */

import {
  buildRecord,
  formatHresult,
  normaliseGuid,
  normalisePartialKey,
  type RawLicenceFields,
  statusFromNumber,
  statusFromSlmgrText,
} from './licence-derive.ts';
import {
  type LicenceParseResult,
  ParseError,
  type Warning,
  type WindowsLicenceRecord,
} from './licence-record.ts';
import { firstContentLine, type PreparedText, prepareLines, quote, type TextLine } from './windows-text.ts';

/** One CIM instance: lower-cased property name → value (JSON values, or list-form strings). */
type CimObject = Map<string, unknown>;

interface Located {
  object: CimObject;
  line?: number;
}

// Any of these marks an object as a SoftwareLicensingProduct instance rather than something else.
const LICENSING_PROPERTIES = [
  'name',
  'id',
  'applicationid',
  'licensestatus',
  'partialproductkey',
  'productkeychannel',
  'licensefamily',
];

// PowerShell Format-List: "PropertyName   : value" (property names are identifiers, padded to align).
const LIST_LINE = /^([A-Za-z_][A-Za-z0-9_]*)\s*:(?:\s?(.*))?$/;

function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function numberFrom(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function recordFrom(located: Located, warnings: Warning[]): WindowsLicenceRecord {
  const { object, line } = located;
  const warn = (code: Warning['code'], message: string): void => {
    warnings.push(line === undefined ? { code, message } : { code, message, line });
  };
  const get = (key: string): string | undefined => text(object.get(key));
  const fields: RawLicenceFields = {};

  const name = get('name');
  if (name !== undefined) fields.name = name;
  const description = get('description');
  if (description) fields.description = description;
  const family = get('licensefamily');
  if (family) fields.licenseFamily = family;
  const pkc = get('productkeychannel');
  if (pkc) fields.productKeyChannel = pkc;

  for (const [key, field] of [
    ['id', 'activationId'],
    ['applicationid', 'applicationId'],
  ] as const) {
    const raw = get(key);
    if (!raw) continue;
    const guid = normaliseGuid(raw);
    if (guid !== undefined) fields[field] = guid;
    else
      warn('invalid-value', `${key === 'id' ? 'ID' : 'ApplicationID'} ${quote(raw)} is not a GUID; ignored.`);
  }

  // An unfiltered query lists every licence Windows knows, installed or not; an empty PartialProductKey is
  // how those without a key show. An absent property (not selected) says nothing, so installed stays unset.
  if (object.has('partialproductkey')) {
    const raw = get('partialproductkey');
    const key = raw ? normalisePartialKey(raw) : undefined;
    if (key !== undefined) {
      fields.partialProductKey = key;
      fields.installed = true;
    } else {
      fields.installed = false;
      if (raw) warn('invalid-value', `PartialProductKey ${quote(raw)} is not 5 letters or digits; ignored.`);
    }
  }

  const statusValue = object.get('licensestatus');
  const statusNumber = numberFrom(statusValue);
  const statusText = text(statusValue);
  if (statusText !== undefined && statusText !== '') {
    fields.statusRaw = statusText;
    fields.status =
      statusNumber !== undefined ? statusFromNumber(statusNumber) : statusFromSlmgrText(statusText);
    if (fields.status === undefined || (statusNumber !== undefined && fields.status === 'unknown')) {
      fields.status = 'unknown';
      warn('unrecognised-status', `LicenseStatus ${quote(statusText)} is not 0–6; status left as unknown.`);
    }
  }
  const reason = numberFrom(object.get('licensestatusreason'));
  if (fields.status === 'notification' && reason !== undefined && reason !== 0) {
    fields.notificationReason = formatHresult(reason);
  }
  return buildRecord(fields, warn);
}

function isLicensingObject(object: CimObject): boolean {
  return LICENSING_PROPERTIES.some((p) => object.has(p));
}

function toRecords(located: Located[], warnings: Warning[], emptyLine: number): WindowsLicenceRecord[] {
  const records: WindowsLicenceRecord[] = [];
  for (const item of located) {
    if (isLicensingObject(item.object)) records.push(recordFrom(item, warnings));
    else {
      const skipped = {
        code: 'skipped-entry' as const,
        message: 'An object without SoftwareLicensingProduct properties was skipped.',
      };
      warnings.push(item.line === undefined ? skipped : { ...skipped, line: item.line });
    }
  }
  if (records.length === 0) {
    throw new ParseError(
      'no SoftwareLicensingProduct instance found. Expected `Get-CimInstance SoftwareLicensingProduct` output ' +
        'as a PowerShell list ("Name : Windows(R), Professional edition", "LicenseStatus : 1", …) or as ' +
        'ConvertTo-Json output with properties such as Name, ID, LicenseStatus and PartialProductKey.',
      emptyLine,
    );
  }
  return records;
}

/** The console width a list was printed at, estimated from its longest line, to tell hard wraps apart. */
function estimateWidth(lines: readonly TextLine[]): number {
  return lines.reduce((max, l) => Math.max(max, l.text.length), 0);
}

/** Reads PowerShell Format-List blocks; lines before the first "Property : value" (the prompt) are skipped. */
export function readCimList(lines: readonly TextLine[]): Located[] {
  const width = estimateWidth(lines);
  const located: Located[] = [];
  let current: Located | undefined;
  let lastKey: string | undefined;
  let lastPhysical = '';
  for (const line of lines) {
    const m = LIST_LINE.exec(line.text);
    if (m?.[1] !== undefined) {
      const key = m[1].toLowerCase();
      if (current === undefined || current.object.has(key)) {
        current = { object: new Map(), line: line.no };
        located.push(current);
      }
      current.object.set(key, (m[2] ?? '').trim());
      lastKey = key;
      lastPhysical = line.text;
      continue;
    }
    if (line.text.trim() === '') {
      current = undefined;
      lastKey = undefined;
      continue;
    }
    if (current !== undefined && lastKey !== undefined && /^\s/.test(line.text)) {
      // A value longer than the console continues on indented lines. A line cut at the full width was a hard
      // break inside a word (ESU names list SKUs without spaces); a shorter one broke at a space.
      const previous = String(current.object.get(lastKey) ?? '');
      const joiner = lastPhysical.length >= width - 1 ? '' : ' ';
      current.object.set(lastKey, `${previous}${joiner}${line.text.trim()}`);
      lastPhysical = line.text;
      continue;
    }
    // Anything else (a prompt, the echoed command) ends the current block.
    current = undefined;
    lastKey = undefined;
  }
  return located;
}

function jsonErrorLine(error: unknown, jsonText: string, startLine: number): number {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return startLine;
  return startLine + (jsonText.slice(0, Number(position)).match(/\n/g)?.length ?? 0);
}

function objectFromJson(value: unknown): CimObject | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return new Map(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Flattens ConvertTo-Json output: one object, an array, or PowerShell 5.1's {"value": [...], "Count": n}. */
export function readCimJson(value: unknown, warnings: Warning[]): Located[] {
  let items: unknown[] = Array.isArray(value) ? value : [value];
  const wrapper = objectFromJson(value);
  if (wrapper !== undefined && Array.isArray(wrapper.get('value')) && wrapper.has('count')) {
    items = wrapper.get('value') as unknown[];
  }
  const located: Located[] = [];
  for (const item of items) {
    const object = objectFromJson(item);
    if (object !== undefined) located.push({ object });
    else
      warnings.push({
        code: 'skipped-entry',
        message: `A JSON ${item === null ? 'null' : typeof item} entry was skipped.`,
      });
  }
  return located;
}

function findJsonStart(lines: readonly TextLine[]): number {
  return lines.findIndex((l) => /^\s*[[{]/.test(l.text));
}

function parseListLines({ lines, warnings }: PreparedText): LicenceParseResult {
  const records = toRecords(readCimList(lines), warnings, firstContentLine(lines));
  return { records, warnings };
}

function parseJsonLines({ lines, warnings }: PreparedText): LicenceParseResult {
  const start = findJsonStart(lines);
  if (start < 0) {
    throw new ParseError(
      'expected JSON from ConvertTo-Json: no line starts with "[" or "{".',
      firstContentLine(lines),
    );
  }
  const jsonText = joinFrom(lines, start);
  const startLine = lines[start]?.no ?? 1;
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (error) {
    throw new ParseError(
      'expected JSON from ConvertTo-Json but it does not parse (was it cut short, or pasted with other text?).',
      jsonErrorLine(error, jsonText, startLine),
    );
  }
  const records = toRecords(readCimJson(value, warnings), warnings, startLine);
  return { records, warnings };
}

function joinFrom(lines: readonly TextLine[], start: number): string {
  return lines
    .slice(start)
    .map((l) => l.text)
    .join('\n');
}

/** True when the text holds a JSON document (after any prompt line) rather than a list. */
export function looksLikeCimJson(lines: readonly TextLine[]): boolean {
  const start = findJsonStart(lines);
  if (start < 0) return false;
  try {
    JSON.parse(joinFrom(lines, start));
    return true;
  } catch {
    // A list whose value happens to start with a brace is not JSON; broken JSON is reported as JSON only when
    // nothing list-like is present.
    return !lines.some((l) => LIST_LINE.test(l.text));
  }
}

/** Parses the PowerShell list form only. */
export function parseCimList(input: string | Uint8Array): LicenceParseResult {
  return parseListLines(prepareLines(input));
}

/** Parses the ConvertTo-Json form only (a prompt line before the JSON is tolerated). */
export function parseCimJson(input: string | Uint8Array): LicenceParseResult {
  return parseJsonLines(prepareLines(input));
}

/** Parses `Get-CimInstance SoftwareLicensingProduct` output in list or JSON form. */
export function parseCimLicensing(input: string | Uint8Array): LicenceParseResult {
  const prepared = prepareLines(input);
  return looksLikeCimJson(prepared.lines) ? parseJsonLines(prepared) : parseListLines(prepared);
}
