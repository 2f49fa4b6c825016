import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decryptKey,
  encryptKey,
  KeyVaultError,
  loadSecret,
  PRODUCT_KEY_ALPHABET,
  ProductKeyError,
  parseProductKey,
  partialKey,
  revealProductKey,
  SecretError,
} from './product-key.ts';

// A made-up key in the product-key alphabet; not a key Microsoft issued.
const SAMPLE = 'BCDFG-HJKMP-QRTVW-XY234-6789N';
const secret = Buffer.alloc(32, 7);
const otherSecret = Buffer.alloc(32, 9);

const arbitraryKey = fc
  .array(fc.constantFrom(...PRODUCT_KEY_ALPHABET), { minLength: 25, maxLength: 25 })
  .map((cs) => [0, 5, 10, 15, 20].map((i) => cs.slice(i, i + 5).join('')).join('-'));

const errorText = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return `${(e as Error).name} ${(e as Error).message} ${inspect(e)}`;
  }
  return '';
};

describe('parseProductKey', () => {
  it('accepts 5 groups of 5, ignoring case, spaces, full width and typographic dashes', () => {
    for (const text of [
      SAMPLE,
      SAMPLE.toLowerCase(),
      ` ${SAMPLE.replaceAll('-', ' - ')} `,
      SAMPLE.replaceAll('-', ''),
      SAMPLE.replaceAll('-', '\u2010'),
      SAMPLE.replace(/[A-Z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replaceAll('-', '－'),
    ])
      expect(revealProductKey(parseProductKey(text))).toBe(SAMPLE);
  });

  it('refuses letters outside the alphabet, naming the position but not the key', () => {
    const bad = `${SAMPLE.slice(0, 6)}A${SAMPLE.slice(7)}`;
    const err = errorText(() => parseProductKey(bad));
    expect(err).toContain('character 1 of group 2');
    expect(err).not.toContain(bad);
    expect(() => parseProductKey(bad)).toThrow(ProductKeyError);
    for (const c of ['0', '1', '5', 'A', 'E', 'I', 'O', 'U', 'L', 'S', 'Z'])
      expect(() => parseProductKey(`${c}${SAMPLE.slice(1)}`)).toThrow(/not used in product keys/);
  });

  it('refuses the wrong shape', () => {
    expect(() => parseProductKey('')).toThrow(/no product key/);
    expect(() => parseProductKey(SAMPLE.slice(0, -1))).toThrow(/5 groups of 5/);
    expect(() => parseProductKey(`${SAMPLE}-BCDFG`)).toThrow(/6 group/);
  });

  it('shows only the partial key however it is printed', () => {
    const key = parseProductKey(SAMPLE);
    const masked = '*****-*****-*****-*****-6789N';
    expect(partialKey(key)).toBe('6789N');
    expect(String(key)).toBe(masked);
    expect(`${key}`).toBe(masked);
    expect(JSON.stringify({ key })).toBe(`{"key":"${masked}"}`);
    expect(inspect(key)).toBe(`ProductKey(${masked})`);
    expect(inspect({ nested: [key] }, { depth: 5, showHidden: true })).not.toContain(SAMPLE);
    expect(Object.keys(key)).toEqual(['partial']);
    expect(structuredClone(key)).toEqual({ partial: '6789N' });
  });
});

describe('encryptKey / decryptKey', () => {
  it('round-trips, with a fresh IV each time', () => {
    const key = parseProductKey(SAMPLE);
    const a = encryptKey(key, secret);
    const b = encryptKey(key, secret);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(revealProductKey(decryptKey(a, secret))).toBe(SAMPLE);
  });

  it('fails cleanly with the wrong secret or a changed blob', () => {
    const blob = encryptKey(parseProductKey(SAMPLE), secret);
    expect(() => decryptKey(blob, otherSecret)).toThrow(KeyVaultError);
    expect(errorText(() => decryptKey(blob, otherSecret))).toMatch(/wrong-secret-or-tampered|not the one/);
    const [v, iv, tag, ct] = blob.split(':');
    const flipped = Buffer.from(ct!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptKey([v, iv, tag, flipped.toString('base64')].join(':'), secret)).toThrow(
      /could not be decrypted/,
    );
    expect(() => decryptKey('v2:a:b:c', secret)).toThrow(/not supported/);
    expect(() => decryptKey('nonsense', secret)).toThrow(/v1:<iv>/);
    expect(() => encryptKey(parseProductKey(SAMPLE), Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('never puts the full key in any output or error (property)', () => {
    fc.assert(
      fc.property(arbitraryKey, fc.integer({ min: 0, max: 24 }), (text, at) => {
        const key = parseProductKey(text);
        const blob = encryptKey(key, secret);
        const outputs = [
          String(key),
          JSON.stringify(key),
          inspect(key, { showHidden: true }),
          partialKey(key),
          blob,
          errorText(() => decryptKey(blob, otherSecret)),
          // A mistyped key (one letter outside the alphabet, or one missing) must not be echoed either.
          errorText(() =>
            parseProductKey(text.replace(/[^-]/g, (c, i) => (i === at + Math.floor(at / 5) ? 'A' : c))),
          ),
          errorText(() => parseProductKey(text.slice(1))),
        ];
        for (const o of outputs) {
          expect(o).not.toContain(text);
          expect(o).not.toContain(text.replaceAll('-', ''));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('loadSecret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kenri-secret-'));
  // It holds key files: not left behind.
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const b64 = Buffer.alloc(32, 3).toString('base64');

  it('reads a base64 secret or stretches a passphrase from KENRI_SECRET', () => {
    expect(loadSecret({ KENRI_SECRET: b64 })).toEqual(Buffer.alloc(32, 3));
    const p = loadSecret({ KENRI_SECRET: 'correct horse battery staple' });
    expect(p).toHaveLength(32);
    expect(loadSecret({ KENRI_SECRET: 'correct horse battery staple' })).toEqual(p);
    expect(() => loadSecret({ KENRI_SECRET: 'short' })).toThrow(/too short/);
  });

  it('reads a key file given or named by KENRI_SECRET_FILE, refusing one others can read', () => {
    const file = join(dir, 'secret.key');
    writeFileSync(file, `${b64}\n`);
    chmodSync(file, 0o600);
    expect(loadSecret({}, file)).toEqual(Buffer.alloc(32, 3));
    expect(loadSecret({ KENRI_SECRET_FILE: file })).toEqual(Buffer.alloc(32, 3));
    if (process.platform !== 'win32') {
      chmodSync(file, 0o644);
      expect(() => loadSecret({}, file)).toThrow(/chmod 600/);
    }
  });

  it('refuses to run without a secret and says how to create one', () => {
    const err = errorText(() => loadSecret({ HOME: dir }));
    expect(err).toContain('SecretError');
    expect(err).toContain('openssl rand -base64 32 > ~/.kenri/secret.key; chmod 600');
    expect(() => loadSecret({ KENRI_SECRET_FILE: join(dir, 'missing.key') })).toThrow(SecretError);
  });
});
