import { isAscii } from 'node:buffer';
import iconv from 'iconv-lite';
import { InputError } from '../../model/input-error.ts';

/**
 * Decodes a file read in chunks. Japanese spreadsheets arrive as UTF-8 (with or without a BOM) or as
 * Shift_JIS (Excel's "CSV" on Japanese Windows). ASCII reads the same in both, so bytes pass through until the
 * first non-ASCII byte; there the text decides: valid UTF-8 is UTF-8, anything else is Shift_JIS (cp932,
 * Microsoft's variant, which has the NEC and IBM extension characters such as ① and ㈱).
 */

export type Encoding = 'utf-8' | 'shift_jis';

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** A plain loop: findIndex with a callback per byte cost about a microsecond per row of an all-ASCII file. */
const firstNonAscii = (buf: Uint8Array): number => {
  if (isAscii(buf)) return -1;
  for (let i = 0; i < buf.length; i++) if (buf[i]! >= 0x80) return i;
  return -1;
};

/** True when `bytes` is valid UTF-8, allowing a sequence cut off at the end (the next chunk completes it). */
const looksUtf8 = (bytes: Uint8Array): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
};

const looksUtf8Complete = (bytes: Uint8Array): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

const notUtf8 = (at: number, file: string | undefined): InputError =>
  new InputError(
    [
      {
        path: 'file',
        file,
        message: `not valid UTF-8 after byte ${at}, though it began as UTF-8: save the file as UTF-8 or as Shift_JIS throughout`,
      },
    ],
    file,
  );

export interface Decoded {
  /** Set once known: undefined while the file has been all ASCII so far. */
  encoding(): Encoding | undefined;
  text: AsyncGenerator<string>;
}

export const decodeChunks = (chunks: AsyncIterable<Uint8Array>, file?: string): Decoded => {
  let encoding: Encoding | undefined;
  async function* text(): AsyncGenerator<string> {
    let utf8: TextDecoder | undefined;
    let sjis: ReturnType<typeof iconv.getDecoder> | undefined;
    let pending: Uint8Array = new Uint8Array(0);
    let offset = 0;
    let first = true;
    const decode = (buf: Uint8Array, at: number): string => {
      if (sjis) return sjis.write(Buffer.from(buf));
      try {
        return utf8!.decode(buf, { stream: true });
      } catch {
        throw notUtf8(at, file);
      }
    };
    const decodeEnd = (decoder: TextDecoder, at: number): string => {
      try {
        return decoder.decode();
      } catch {
        throw notUtf8(at, file);
      }
    };
    for await (const chunk of chunks) {
      let buf: Uint8Array = chunk;
      if (first) {
        first = false;
        if (buf[0] === 0xff && buf[1] === 0xfe)
          throw new InputError(
            [
              {
                path: 'file',
                file,
                message: 'UTF-16 text is not read: save the file as CSV UTF-8 or CSV (Shift_JIS)',
              },
            ],
            file,
          );
        if (UTF8_BOM.every((b, i) => buf[i] === b)) {
          encoding = 'utf-8';
          utf8 = new TextDecoder('utf-8', { fatal: true });
          buf = buf.subarray(3);
        }
      }
      if (encoding) {
        const out = decode(buf, offset);
        offset += buf.length;
        if (out) yield out;
        continue;
      }
      const joined = pending.length ? Buffer.concat([pending, buf]) : buf;
      const at = firstNonAscii(joined);
      if (at < 0) {
        pending = new Uint8Array(0);
        offset += joined.length;
        yield Buffer.from(joined).toString('latin1');
        continue;
      }
      // Decide on the bytes from the first non-ASCII one; wait for a few more if the chunk ends right there.
      if (joined.length - at < 4) {
        if (at > 0) yield Buffer.from(joined.subarray(0, at)).toString('latin1');
        offset += at;
        pending = joined.subarray(at);
        continue;
      }
      encoding = looksUtf8(joined.subarray(at)) ? 'utf-8' : 'shift_jis';
      if (encoding === 'utf-8') utf8 = new TextDecoder('utf-8', { fatal: true });
      else sjis = iconv.getDecoder('cp932');
      pending = new Uint8Array(0);
      const out = decode(joined, offset);
      offset += joined.length;
      if (out) yield out;
    }
    if (!encoding && pending.length) {
      encoding = looksUtf8Complete(pending) ? 'utf-8' : 'shift_jis';
      if (encoding === 'utf-8') utf8 = new TextDecoder('utf-8', { fatal: true });
      else sjis = iconv.getDecoder('cp932');
      const out = decode(pending, offset);
      if (out) yield out;
    }
    const tail = sjis ? sjis.end() : utf8 ? decodeEnd(utf8, offset) : undefined;
    if (tail) yield tail;
  }
  return { encoding: () => encoding, text: text() };
};
