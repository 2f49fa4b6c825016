/**
 * Turning what users paste or save from a Windows console into clean, numbered lines. Shared by every
 * parser so BOMs, CRLF, UTF-16 files and stray full product keys are handled once.
 */

import iconv from 'iconv-lite';
import type { Warning } from './licence-record.ts';

export interface TextLine {
  /** 1-based line number in the text as given. */
  no: number;
  text: string;
}

export interface PreparedText {
  lines: TextLine[];
  warnings: Warning[];
}

/**
 * Decodes bytes the way Windows tools write them. PowerShell 5.1 `>` writes UTF-16LE with a BOM; BOM-less
 * UTF-16LE (ASCII text with every other byte NUL) is recognised too because some tools omit the BOM.
 * Bytes that are not valid UTF-8 are decoded with `legacyEncoding` when given (cmd.exe `>` of cscript
 * output uses the OEM code page, e.g. 'cp932' on Japanese Windows), else as UTF-8 with replacement chars.
 */
export function decodeWindowsText(buf: Uint8Array, legacyEncoding?: string): string {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const sniffed = sniffWindowsEncoding(bytes, bytes.length);
  const body = bytes.subarray(sniffed?.bom ?? 0);
  if (sniffed?.encoding === 'utf-16le') return body.toString('utf16le');
  if (sniffed?.encoding === 'utf-16be') return decodeUtf16be(body);
  if (sniffed?.encoding === 'utf-8') return body.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (legacyEncoding !== undefined && iconv.encodingExists(legacyEncoding)) {
      return iconv.decode(bytes, legacyEncoding);
    }
    return bytes.toString('utf8');
  }
}

/**
 * The encoding a text's first bytes show, and the length of its BOM: a BOM, or BOM-less UTF-16LE (judged on
 * the first 512 bytes; `size` is the whole text's). Undefined when only decoding it all can tell UTF-8 from
 * a legacy code page. Shared by the whole-file and the streamed readers so both decode a file alike.
 */
export function sniffWindowsEncoding(
  head: Uint8Array,
  size: number,
): { encoding: 'utf-16le' | 'utf-16be' | 'utf-8'; bom: number } | undefined {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: 'utf-8', bom: 3 };
  if (looksLikeBomlessUtf16le(head, size)) return { encoding: 'utf-16le', bom: 0 };
  return undefined;
}

function decodeUtf16be(bytes: Buffer): string {
  // swap16 needs an even length and mutates, so work on an even-length copy.
  const copy = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return copy.swap16().toString('utf16le');
}

function looksLikeBomlessUtf16le(head: Uint8Array, size: number): boolean {
  if (size < 4 || size % 2 !== 0) return false;
  const sample = Math.min(head.length, 512);
  let oddNuls = 0;
  let evenNuls = 0;
  for (let i = 0; i < sample; i += 2) {
    if (head[i] === 0) evenNuls++;
    if (head[i + 1] === 0) oddNuls++;
  }
  const pairs = sample / 2;
  return oddNuls / pairs > 0.6 && evenNuls / pairs < 0.1;
}

/** Accepts a string or the raw bytes of a saved file. */
export function toText(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : decodeWindowsText(input);
}

// A full 25-character product key. Deliberately not anchored on word boundaries: any 5x5 run is masked,
// even glued to other text, because leaking one is worse than masking something that only looked like one.
const FULL_KEY = /[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}/gi;

/** Replaces any full product key by a mask that keeps only its last 5 characters. */
export function maskProductKeys(text: string): string {
  return text.replace(FULL_KEY, (key) => `*****-*****-*****-*****-${key.slice(-5)}`);
}

/**
 * Normalises line endings (including wmic's "\r\r\n"), drops a BOM and a leading `#` source line, masks
 * full product keys, and numbers the lines as they were in the input.
 */
export function prepareLines(input: string | Uint8Array): PreparedText {
  const warnings: Warning[] = [];
  let text = toText(input);
  // A UTF-16 file read as UTF-8 arrives as replacement characters plus NULs between the ASCII letters.
  if (text.includes('\u0000')) {
    warnings.push({
      code: 'nul-characters',
      message:
        'The text contains NUL characters, as UTF-16 text read as UTF-8 does; they were removed. ' +
        'Pass the file bytes (a Buffer) instead so decodeWindowsText can decode it properly.',
    });
    text = text.replaceAll('\u0000', '').replace(/^[\ufffd\ufeff]+/, '');
  }
  text = text.replace(/^\ufeff/, '');
  const raw = text.replace(/\r+\n/g, '\n').replace(/\r/g, '\n').split('\n');
  const lines: TextLine[] = [];
  raw.forEach((line, index) => {
    if (index === 0 && line.startsWith('#')) return;
    lines.push({ no: index + 1, text: maskProductKeys(line) });
  });
  return { lines, warnings };
}

/** First non-blank line number, for errors about a text that held nothing usable. */
export function firstContentLine(lines: readonly TextLine[]): number {
  return lines.find((l) => l.text.trim() !== '')?.no ?? lines[0]?.no ?? 1;
}

/** Shortens a line for quoting in a message. */
export function quote(text: string, max = 80): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed);
}
