import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../model/input-error.ts';
import { decodeChunks } from './decode.ts';

const text = 'serial,name,vendor\nR2Z12345,経理-PC01,富士通\n9Z012345A,営業-PC02,ＮＥＣ ①\n';

/** Splits bytes into chunks of `size`, so a multi-byte character can fall across a boundary. */
async function* chunks(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const decodeAll = async (bytes: Uint8Array, size: number) => {
  const decoded = decodeChunks(chunks(bytes, size));
  let out = '';
  for await (const part of decoded.text) out += part;
  return { out, encoding: decoded.encoding() };
};

describe('decoding a file', () => {
  const utf8 = new TextEncoder().encode(text);
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
  const sjis = new Uint8Array(iconv.encode(text, 'cp932'));

  it.each([1, 2, 3, 5, 64, 100_000])(
    'reads UTF-8, Shift_JIS and UTF-8 with a BOM in chunks of %i bytes',
    async (size) => {
      expect(await decodeAll(utf8, size)).toEqual({ out: text, encoding: 'utf-8' });
      expect(await decodeAll(bom, size)).toEqual({ out: text, encoding: 'utf-8' });
      expect(await decodeAll(sjis, size)).toEqual({ out: text, encoding: 'shift_jis' });
    },
  );

  it('passes plain ASCII through without deciding', async () => {
    expect(await decodeAll(new TextEncoder().encode('a,b\n1,2\n'), 3)).toEqual({
      out: 'a,b\n1,2\n',
      encoding: undefined,
    });
  });

  it('decides at the first non-ASCII byte however many ASCII chunks come before it', async () => {
    const ascii = 'a,b\n'.repeat(50_000);
    for (const [bytes, encoding] of [
      [new TextEncoder().encode(ascii + text), 'utf-8'],
      [new Uint8Array(iconv.encode(ascii + text, 'cp932')), 'shift_jis'],
    ] as const)
      expect(await decodeAll(bytes, 64 * 1024)).toEqual({ out: ascii + text, encoding });
  });

  it('refuses a file that starts as UTF-8 and turns into Shift_JIS', async () => {
    const mixed = new Uint8Array([...utf8, ...sjis]);
    await expect(decodeAll(mixed, 16)).rejects.toThrow(InputError);
  });

  it('refuses UTF-16, saying how to save the file instead', async () => {
    await expect(decodeAll(new Uint8Array([0xff, 0xfe, 0x61, 0x00]), 4)).rejects.toThrow(/CSV UTF-8/);
  });
});
