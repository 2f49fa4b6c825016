/**
 * Parser for `slmgr /dlv`, `/dli` and `/dlv all` text. slmgr prints localised labels, so only the English
 * ones are read; anything else is reported, never guessed, and the language-neutral CIM route suggested.
 */

import {
  buildRecord,
  findChannelToken,
  normaliseGuid,
  normalisePartialKey,
  type RawLicenceFields,
  statusFromSlmgrText,
} from './licence-derive.ts';
import {
  type LicenceParseResult,
  ParseError,
  type Warning,
  type WindowsLicenceRecord,
} from './licence-record.ts';
import { firstContentLine, prepareLines, quote, type TextLine } from './windows-text.ts';

type Field =
  | 'name'
  | 'description'
  | 'activationId'
  | 'applicationId'
  | 'productKeyChannel'
  | 'partialProductKey'
  | 'status'
  | 'notificationReason'
  | 'toolMessage'
  | 'ignored';

// English labels from slmgr.vbs (L_Msg* strings, Windows 7 to 11). Known labels whose values kenri does
// not use are listed as 'ignored' so they are not reported as unrecognised.
const LABELS = new Map<string, Field>([
  ['name', 'name'],
  ['description', 'description'],
  ['activation id', 'activationId'],
  ['application id', 'applicationId'],
  ['product key channel', 'productKeyChannel'],
  ['partial product key', 'partialProductKey'],
  ['license status', 'status'],
  ['notification reason', 'notificationReason'],
  ['error', 'toolMessage'],
  ['warning', 'toolMessage'],
  ...[
    'software licensing service version',
    'extended pid',
    'installation id',
    'processor certificate url',
    'machine certificate url',
    'use license url',
    'product key certificate url',
    'validation url',
    'remaining windows rearm count',
    'remaining app rearm count',
    'remaining sku rearm count',
    'trusted time',
    'time remaining',
    'evaluation end date',
    'volume activation expiration',
    'timebased activation expiration',
    'automatic vm activation expiration',
    'phone activatable',
    'configured activation type',
    'most recent activation information',
    'client machine id (cmid)',
    'registered kms machine name',
    'registered kms srv record lookup domain',
    'kms machine name from dns',
    'dns auto-discovery',
    'kms machine ip address',
    'kms machine extended pid',
    'activation interval',
    'renewal interval',
    'current count',
    'listening on port',
    'kms priority',
    'total requests received',
    'failed requests received',
    'activation object name',
    'ao dn',
    'ao extended pid',
    'ao activation id',
    'license id (ilid)',
    'version id (ilvid)',
    'grant number',
    'certificate thumbprint',
    'additional information',
    'guest iaid',
    'host machine name',
    'activation time',
    'host digital pid2',
  ].map((label): [string, Field] => [label, 'ignored']),
]);

// KMS host counters all start this way ("Requests with License Status Licensed: 12").
const IGNORED_LABEL_PREFIXES = ['requests with license status'];

// English lines without a "label: value" shape that slmgr (or the Windows Script Host dialog) prints.
const KNOWN_TEXT_PREFIXES = [
  'key management service client information',
  'key management service is enabled',
  'key management service cumulative requests',
  'kms host caching is',
  'dns publishing',
  'please use slmgr.vbs',
  'ad activation client information',
  'token-based activation information',
  'automatic vm activation client information',
  'microsoft (r) windows script host',
  'copyright (c) microsoft',
  'windows script host',
];

const NOT_IN_USE = 'this license is not in use';

// "Label: value", split at the first colon followed by a space or the line end, so values keep their own
// colons ("Trusted time: 5/1/2020 10:15:32 AM", "host:1688"). A full-width colon, which CJK text may use
// without a following space, also ends a label.
const LABEL_LINE = /^\s*([^:：]{1,60}?)\s*(?::(?:\s+|$)|：\s*)(.*?)\s*$/;

type Classified =
  | { kind: 'blank'; line: TextLine }
  | { kind: 'label'; line: TextLine; label: string; value: string; field: Field | undefined }
  | { kind: 'text'; line: TextLine; known: boolean; notInUse: boolean };

function classify(line: TextLine): Classified {
  const trimmed = line.text.trim();
  if (trimmed === '') return { kind: 'blank', line };
  const m = LABEL_LINE.exec(trimmed);
  if (m?.[1] !== undefined && /[\p{L}\p{N}]/u.test(m[1])) {
    const label = m[1].trim();
    const key = label.toLowerCase().replace(/\s+/g, ' ');
    const field =
      LABELS.get(key) ?? (IGNORED_LABEL_PREFIXES.some((p) => key.startsWith(p)) ? 'ignored' : undefined);
    return { kind: 'label', line, label, value: m[2] ?? '', field };
  }
  const lower = trimmed.toLowerCase();
  const notInUse = lower.startsWith(NOT_IN_USE);
  // Dashes and "OK" are the chrome of the Windows Script Host dialog when its text is copied with Ctrl+C.
  const known =
    notInUse ||
    /^-+$/.test(trimmed) ||
    lower === 'ok' ||
    KNOWN_TEXT_PREFIXES.some((p) => lower.startsWith(p));
  return { kind: 'text', line, known, notInUse };
}

type NonBlank = Exclude<Classified, { kind: 'blank' }>;

interface Draft {
  items: NonBlank[];
  named: boolean;
}

/** Channel token on a line whose label or text kenri could not read. */
function unreadToken(item: NonBlank): string | undefined {
  if (item.kind === 'label' && item.field === undefined) return findChannelToken(item.line.text);
  if (item.kind === 'text' && !item.known) return findChannelToken(item.line.text);
  return undefined;
}

/**
 * Groups lines into one draft per product. English output restarts at every "Name:"; blank lines also
 * occur inside one product (before the KMS client block), so after a named product they do not split.
 * Localised output has no recognisable Name, so there a blank line followed by another channel token is
 * the only product boundary left.
 */
function groupDrafts(lines: readonly TextLine[]): Draft[] {
  const segments: NonBlank[][] = [];
  let segment: NonBlank[] | undefined;
  let afterBlank = true;
  for (const line of lines) {
    const item = classify(line);
    if (item.kind === 'blank') {
      afterBlank = true;
      continue;
    }
    const isName = item.kind === 'label' && item.field === 'name';
    if (segment === undefined || afterBlank || isName) {
      segment = [];
      segments.push(segment);
    }
    segment.push(item);
    afterBlank = false;
  }

  const drafts: Draft[] = [];
  for (const seg of segments) {
    const first = seg[0];
    const named = first?.kind === 'label' && first.field === 'name';
    const current = drafts.at(-1);
    const startsAnother =
      named ||
      current === undefined ||
      (!current.named && seg.some((i) => unreadToken(i)) && current.items.some((i) => unreadToken(i)));
    if (startsAnother) drafts.push({ items: [...seg], named });
    else current.items.push(...seg);
  }
  return drafts;
}

interface DraftResult {
  fields: RawLicenceFields;
  evidence: boolean;
  firstLine: number;
  toolMessages: NonBlank[];
}

function readDraft(draft: Draft, warnings: Warning[]): DraftResult {
  const fields: RawLicenceFields = {};
  const unrecognised: { label: string; no: number }[] = [];
  const toolMessages: NonBlank[] = [];
  let evidence = false;
  const set = <K extends keyof RawLicenceFields>(key: K, value: RawLicenceFields[K]): void => {
    if (fields[key] === undefined) fields[key] = value;
    evidence = true;
  };

  for (const item of draft.items) {
    if (item.kind === 'text') {
      if (item.notInUse) set('installed', false);
      const token = unreadToken(item);
      if (token !== undefined && fields.channelToken === undefined) set('channelToken', token);
      continue;
    }
    const { value, line } = item;
    switch (item.field) {
      case undefined: {
        unrecognised.push({ label: item.label, no: line.no });
        const token = findChannelToken(line.text);
        if (token !== undefined && fields.channelToken === undefined) set('channelToken', token);
        break;
      }
      case 'name':
        set('name', value);
        break;
      case 'description':
        set('description', value);
        break;
      case 'productKeyChannel':
        if (value !== '') set('productKeyChannel', value);
        break;
      case 'activationId':
      case 'applicationId': {
        if (value === '') break;
        const guid = normaliseGuid(value);
        if (guid !== undefined) set(item.field, guid);
        else invalid(warnings, item.label, value, line.no, 'a GUID');
        break;
      }
      case 'partialProductKey': {
        const key = normalisePartialKey(value);
        if (key !== undefined) {
          set('partialProductKey', key);
          set('installed', true);
        } else if (value !== '') invalid(warnings, item.label, value, line.no, '5 letters or digits');
        break;
      }
      case 'status': {
        const status = statusFromSlmgrText(value);
        set('statusRaw', value);
        if (status !== undefined) set('status', status);
        else {
          warnings.push({
            code: 'unrecognised-status',
            line: line.no,
            message: `License Status ${quote(value)} is not one of slmgr's English status texts; status left as unknown.`,
          });
        }
        break;
      }
      case 'notificationReason':
        if (value !== '') set('notificationReason', value);
        break;
      case 'toolMessage':
        toolMessages.push(item);
        warnings.push({ code: 'tool-message', line: line.no, message: `slmgr printed ${quote(line.text)}.` });
        break;
      case 'ignored':
        break;
    }
  }

  if (unrecognised.length > 0) {
    fields.unrecognisedLabels = [...new Set(unrecognised.map((u) => u.label))];
    const first = unrecognised[0]!;
    const list = unrecognised.map((u) => `${JSON.stringify(u.label)} (line ${u.no})`).join(', ');
    warnings.push({
      code: 'unrecognised-labels',
      line: first.no,
      message:
        `Line ${first.no}: labels not recognised: ${list}. The slmgr parser reads English labels only, so ` +
        'these values were not used (channel tokens such as VOLUME_MAK were still picked up). For output in ' +
        'any display language, use the language-neutral route instead: Get-CimInstance ' +
        'SoftwareLicensingProduct | Where-Object PartialProductKey | ConvertTo-Json.',
    });
  }
  return { fields, evidence, firstLine: draft.items[0]?.line.no ?? 1, toolMessages };
}

function invalid(warnings: Warning[], label: string, value: string, no: number, expected: string): void {
  warnings.push({
    code: 'invalid-value',
    line: no,
    message: `${label} ${quote(value)} is not ${expected}; ignored.`,
  });
}

/** Parses English `slmgr /dlv`, `/dli` or `/dlv all` output (text, or the bytes of a saved file). */
export function parseSlmgr(input: string | Uint8Array): LicenceParseResult {
  const prepared = prepareLines(input);
  const warnings: Warning[] = [...prepared.warnings];
  const records: WindowsLicenceRecord[] = [];
  const toolMessages: NonBlank[] = [];
  for (const draft of groupDrafts(prepared.lines)) {
    const result = readDraft(draft, warnings);
    toolMessages.push(...result.toolMessages);
    if (!result.evidence) continue;
    records.push(
      buildRecord(result.fields, (code, message) => warnings.push({ code, message, line: result.firstLine })),
    );
  }
  if (records.length === 0) {
    const reported = toolMessages[0];
    if (reported !== undefined) {
      throw new ParseError(
        `slmgr printed ${quote(reported.line.text)} and no licence details.`,
        reported.line.no,
      );
    }
    throw new ParseError(
      'no slmgr licence record found. Expected the output of `slmgr /dlv`, `/dli` or `/dlv all` with English ' +
        'labels such as "Name: Windows(R) 7, Enterprise edition" and "License Status: Licensed", or at least ' +
        'a channel token such as VOLUME_MAK or OEM_DM.',
      firstContentLine(prepared.lines),
    );
  }
  return { records, warnings };
}
