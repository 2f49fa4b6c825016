/**
 * Recognises which Windows command produced a pasted text, so users can hand kenri whatever they ran
 * without saying what it was.
 */

import { looksLikeCimJson, parseCimJson, parseCimList } from './cim.ts';
import { detectHotfixFormat, type HotfixParseResult, parseHotfixes } from './hotfix.ts';
import { findChannelToken } from './licence-derive.ts';
import { type LicenceParseResult, ParseError } from './licence-record.ts';
import { parseSlmgr } from './slmgr.ts';
import { firstContentLine, prepareLines, toText } from './windows-text.ts';

export type WindowsOutputKind =
  | 'slmgr'
  | 'cim-list'
  | 'cim-json'
  | 'hotfix-table'
  | 'hotfix-list'
  | 'wmic-list'
  | 'unknown';

export type WindowsOutputResult =
  | ({ kind: 'slmgr' | 'cim-list' | 'cim-json' } & LicenceParseResult)
  | ({ kind: 'hotfix-table' | 'hotfix-list' | 'wmic-list' } & HotfixParseResult);

// Format-List pads property names, so a space always precedes the colon; slmgr never puts one there.
const CIM_LIST_PROPERTY =
  /^(Name|Description|ID|ApplicationID|LicenseFamily|LicenseStatus|PartialProductKey|ProductKeyChannel)\s+:(\s|$)/im;

const SLMGR_LABEL =
  /^\s*(Name|Description|Activation ID|Partial Product Key|License Status|Software licensing service version):\s/im;

/** Which command output a text is; 'unknown' when none fits. */
export function detectWindowsOutput(input: string | Uint8Array): WindowsOutputKind {
  const { lines } = prepareLines(input);
  const text = lines.map((l) => l.text).join('\n');
  if (looksLikeCimJson(lines)) return 'cim-json';
  const hotfix = detectHotfixFormat(lines);
  if (hotfix === 'wmic-list') return 'wmic-list';
  if (hotfix === 'list') return 'hotfix-list';
  if (hotfix === 'table') return 'hotfix-table';
  if (CIM_LIST_PROPERTY.test(text)) return 'cim-list';
  if (SLMGR_LABEL.test(text)) return 'slmgr';
  // Localised slmgr output: "label: value" lines with a language-neutral channel token somewhere.
  if (lines.some((l) => /:\s|：/.test(l.text)) && findChannelToken(text) !== undefined) return 'slmgr';
  return 'unknown';
}

/** Detects the output kind and parses it with the matching parser. */
export function parseWindowsOutput(input: string | Uint8Array): WindowsOutputResult {
  // Decode once so a Buffer is not decoded again by each step.
  const text = toText(input);
  const kind = detectWindowsOutput(text);
  switch (kind) {
    case 'slmgr':
      return { kind, ...parseSlmgr(text) };
    case 'cim-list':
      return { kind, ...parseCimList(text) };
    case 'cim-json':
      return { kind, ...parseCimJson(text) };
    case 'hotfix-table':
    case 'hotfix-list':
    case 'wmic-list':
      return { kind, ...parseHotfixes(text) };
    case 'unknown':
      throw new ParseError(
        'not a Windows output kenri reads. Expected one of: `slmgr /dlv`, `/dli` or `/dlv all` (English); ' +
          '`Get-CimInstance SoftwareLicensingProduct` as a list or ConvertTo-Json; `Get-HotFix` as a table or ' +
          'Format-List; `wmic qfe list` or `wmic qfe … /format:list`.',
        firstContentLine(prepareLines(text).lines),
      );
  }
}
