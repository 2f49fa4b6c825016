/**
 * A saved Windows output read a batch of lines at a time, with the same decoding and clean-up as
 * prepareLines (windows-text.ts), for outputs too long to hold whole: an update listing taken over a fleet.
 */

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';
import type { Warning } from './licence-record.ts';
import { maskProductKeys, sniffWindowsEncoding, type TextLine } from './windows-text.ts';

type Encoding = 'utf-16le' | 'utf-16be' | 'utf-8' | 'cp932';

const CHUNK = 256 * 1024;

/** A line this long without an end is held no longer: what has come is read as a line. */
const MAX_LINE = 1024 * 1024;

const isUtf8 = async (file: string): Promise<boolean> => {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: CHUNK }))
      decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return true;
  } catch {
    return false;
  }
};

/**
 * The encoding decodeWindowsText would pick for the whole file, found without reading it into memory:
 * what the first bytes show (sniffWindowsEncoding), else UTF-8 when every byte is valid UTF-8, else `legacy`.
 */
const encodingOf = async (
  file: string,
  size: number,
  legacy: 'cp932',
): Promise<{ encoding: Encoding; skip: number }> => {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(Math.min(size, 512));
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const sniffed = sniffWindowsEncoding(head, size);
  if (sniffed) return { encoding: sniffed.encoding, skip: sniffed.bom };
  return (await isUtf8(file)) ? { encoding: 'utf-8', skip: 0 } : { encoding: legacy, skip: 0 };
};

export interface WindowsTextStream {
  /** Batches of numbered lines, as prepareLines numbers them. */
  readonly lines: AsyncGenerator<TextLine[]>;
  /** Found while reading (NUL characters); complete once `lines` is done. */
  readonly warnings: Warning[];
  readonly bytesTotal: number;
  bytesRead(): number;
}

/** Opens a saved output for reading line by line; `size` is the file's size in bytes. */
export const openWindowsText = async (
  file: string,
  size: number,
  options: { legacy?: 'cp932'; chunkBytes?: number } = {},
): Promise<WindowsTextStream> => {
  const { legacy = 'cp932', chunkBytes = CHUNK } = options;
  const { encoding, skip } = await encodingOf(file, size, legacy);
  const warnings: Warning[] = [];
  let bytes = skip;
  async function* lines(): AsyncGenerator<TextLine[]> {
    const decoder = iconv.getDecoder(encoding, { stripBOM: false });
    let pending = '';
    let no = 0;
    let nulWarned = false;
    /** Numbered lines of `text`; unless it is the last text, it ends with "\n", so its last piece is empty. */
    const cut = (text: string, last: boolean): TextLine[] => {
      const out: TextLine[] = [];
      // As prepareLines: "\r\r\n" (wmic) and "\r\n" end one line, a lone "\r" ends one too.
      const pieces = text.replace(/\r+\n/g, '\n').replace(/\r/g, '\n').split('\n');
      if (!last) pieces.pop();
      for (const raw of pieces) {
        no += 1;
        let line = raw;
        if (no === 1) line = line.replace(/^\ufeff/, '');
        if (line.includes('\u0000')) {
          if (!nulWarned)
            warnings.push({
              code: 'nul-characters',
              message:
                'The text contains NUL characters, as UTF-16 text read as UTF-8 does; they were removed.',
            });
          nulWarned = true;
          line = line.replaceAll('\u0000', '');
        }
        if (no === 1 && line.startsWith('#')) continue; // a saved sample's source line
        out.push({ no, text: maskProductKeys(line) });
      }
      return out;
    };
    for await (const chunk of createReadStream(file, { start: skip, highWaterMark: chunkBytes })) {
      bytes += (chunk as Buffer).length;
      pending += decoder.write(chunk as Buffer);
      // Up to the last "\n": a "\r" before the end may still be followed by the "\n" of a "\r\n".
      const end = pending.lastIndexOf('\n');
      if (end < 0) {
        if (pending.length > MAX_LINE) {
          yield cut(pending, true);
          pending = '';
        }
        continue;
      }
      const whole = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      yield cut(whole, false);
    }
    pending += decoder.end() ?? '';
    yield cut(pending, true);
  }
  return { lines: lines(), warnings, bytesTotal: size, bytesRead: () => bytes };
};
