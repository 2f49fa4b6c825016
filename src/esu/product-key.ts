import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

/**
 * The characters of a Microsoft product key. Keys since Windows XP use 24 characters that cannot be confused
 * when read aloud or typed (no vowels, no 0/1/5/L/O/S/Z…): BCDFGHJKMPQRTVWXY2346789. Keys issued for
 * Windows 8 and later (the ESU MAKs among them) may also contain one N, which marks a position in the newer
 * encoding. We accept those 25 characters and do not check where N stands: a key Windows rejects, slmgr
 * rejects, and kenri never has to decode one.
 */
export const PRODUCT_KEY_ALPHABET = 'BCDFGHJKMNPQRTVWXY2346789';

/** Why a text is not a product key. Never carries the text itself, which may be a real key mistyped. */
export class ProductKeyError extends Error {
  override readonly name = 'ProductKeyError';
  constructor(
    readonly code: 'empty' | 'shape' | 'alphabet',
    message: string,
  ) {
    super(message);
  }
}

const MASK = '*****-*****-*****-*****-';

let make: (value: string) => ProductKey;
let reveal: (key: ProductKey) => string;

/**
 * A validated product key. Everything that turns it into text (String(), template literals, JSON, console,
 * util.inspect, test diffs) shows only the partial product key, as Windows does; the full key is reachable
 * only through revealProductKey, which the encryption and an explicitly requested script use.
 */
export class ProductKey {
  readonly #value: string;
  /** The last five characters: what slmgr /dlv and the activation portal show. */
  readonly partial: string;

  private constructor(value: string) {
    this.#value = value;
    this.partial = value.slice(-5);
    Object.freeze(this);
  }

  // Only this module can make a key (after validation) or read it back.
  static {
    make = (value) => new ProductKey(value);
    reveal = (key) => key.#value;
  }

  toString(): string {
    return `${MASK}${this.partial}`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.toPrimitive](): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return `ProductKey(${this.toString()})`;
  }
}

/** Full-width letters, dashes of every width and spaces as people paste them from mail and PDFs. */
const normalise = (text: string): string =>
  text
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\ufe63\uff0d]/g, '-')
    .replace(/\s+/g, '')
    .toUpperCase();

/** Validates 5 groups of 5 characters of PRODUCT_KEY_ALPHABET, dashes optional, case and spaces ignored. */
export const parseProductKey = (text: string): ProductKey => {
  const s = normalise(text);
  if (s === '') throw new ProductKeyError('empty', 'no product key given');
  const groups = s.includes('-') ? s.split('-') : (s.match(/.{1,5}/g) ?? []);
  if (groups.length !== 5 || groups.some((g) => g.length !== 5))
    throw new ProductKeyError(
      'shape',
      `a product key is 25 characters in 5 groups of 5 (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX); got ${groups.join('').length} character(s) in ${groups.length} group(s)`,
    );
  const joined = groups.join('');
  for (let i = 0; i < joined.length; i++)
    if (!PRODUCT_KEY_ALPHABET.includes(joined[i]!))
      throw new ProductKeyError(
        'alphabet',
        `character ${(i % 5) + 1} of group ${Math.floor(i / 5) + 1} is not used in product keys (they use only ${PRODUCT_KEY_ALPHABET})`,
      );
  return make(groups.join('-'));
};

export const partialKey = (key: ProductKey): string => key.partial;

export const maskedKey = (key: ProductKey): string => key.toString();

/** The full key. Only for encrypting it and for a script the user explicitly asked to hold the key. */
export const revealProductKey = (key: ProductKey): string => reveal(key);

// ── Encryption at rest ─────────────────────────────────────────────────────────────────────────────────

/** Why a stored key could not be opened; carries no key material. */
export class KeyVaultError extends Error {
  override readonly name = 'KeyVaultError';
  constructor(
    readonly code:
      | 'bad-secret'
      | 'malformed'
      | 'unsupported-version'
      | 'wrong-secret-or-tampered'
      | 'not-a-key',
    message: string,
  ) {
    super(message);
  }
}

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
// Binds the ciphertext to its purpose, so a blob cannot be replayed as some other kenri secret.
const AAD = Buffer.from('kenri:esu-mak-key:v1');

const checkSecret = (secret: Uint8Array): void => {
  if (secret.length !== 32)
    throw new KeyVaultError('bad-secret', `the secret must be 32 bytes (AES-256); got ${secret.length}`);
};

/** Encrypts with AES-256-GCM and a random 96-bit IV: `v1:<iv>:<tag>:<ciphertext>`, each part base64. */
export const encryptKey = (key: ProductKey, secret: Uint8Array): string => {
  checkSecret(secret);
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, secret, iv);
  cipher.setAAD(AAD);
  const ct = Buffer.concat([cipher.update(revealProductKey(key), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(
    ':',
  );
};

export const decryptKey = (blob: string, secret: Uint8Array): ProductKey => {
  checkSecret(secret);
  const parts = blob.trim().split(':');
  if (parts[0] !== VERSION)
    throw new KeyVaultError(
      parts.length === 4 ? 'unsupported-version' : 'malformed',
      parts.length === 4
        ? `stored key format ${JSON.stringify(parts[0]?.slice(0, 8))} is not supported (expected ${VERSION})`
        : `a stored key is ${VERSION}:<iv>:<tag>:<ciphertext>`,
    );
  const [iv, tag, ct] = parts.slice(1).map((p) => Buffer.from(p, 'base64'));
  if (parts.length !== 4 || !iv || iv.length !== 12 || !tag || tag.length !== 16 || !ct || ct.length === 0)
    throw new KeyVaultError('malformed', `a stored key is ${VERSION}:<iv>:<tag>:<ciphertext>, base64`);
  let plain: string;
  try {
    const decipher = createDecipheriv(ALGORITHM, secret, iv);
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    throw new KeyVaultError(
      'wrong-secret-or-tampered',
      'the stored ESU key could not be decrypted: the secret (KENRI_SECRET / KENRI_SECRET_FILE) is not the one it was stored with, or the stored value was changed',
    );
  }
  try {
    return parseProductKey(plain);
  } catch {
    throw new KeyVaultError('not-a-key', 'the stored value decrypted, but is not a product key');
  }
};

// ── The secret ─────────────────────────────────────────────────────────────────────────────────────────

/** No usable secret: says how to make one. */
export class SecretError extends Error {
  override readonly name = 'SecretError';
}

/**
 * The fixed salt for passphrase secrets. A per-installation salt would have to be stored beside the data
 * and would protect nothing more here: the passphrase itself is the secret, and scrypt makes guessing it slow.
 */
export const PASSPHRASE_SALT = 'kenri/esu-mak-key/v1';
const MIN_PASSPHRASE = 12;

const HOW_TO = [
  'kenri stores the ESU MAK key encrypted and needs a secret to do it. Create one with:',
  '  mkdir -p ~/.kenri && openssl rand -base64 32 > ~/.kenri/secret.key; chmod 600 ~/.kenri/secret.key',
  'then set KENRI_SECRET_FILE=~/.kenri/secret.key (kenri also looks there by default),',
  `or set KENRI_SECRET to a 32-byte base64 value or a passphrase of at least ${MIN_PASSPHRASE} characters.`,
].join('\n');

const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/;

const fromFile = (path: string): Buffer => {
  if (!existsSync(path)) throw new SecretError(`secret file ${path} does not exist.\n${HOW_TO}`);
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0)
    throw new SecretError(
      `secret file ${path} can be read by other users; run: chmod 600 ${path} (as ssh requires of its keys)`,
    );
  const text = readFileSync(path, 'utf8').trim();
  if (!BASE64_32.test(text))
    throw new SecretError(`secret file ${path} does not hold 32 bytes in base64.\n${HOW_TO}`);
  return Buffer.from(text, 'base64');
};

/**
 * The 32-byte secret that encrypts stored keys: from `keyFile`, else KENRI_SECRET (base64 of 32 bytes, or a
 * passphrase stretched with scrypt and PASSPHRASE_SALT), else KENRI_SECRET_FILE, else ~/.kenri/secret.key.
 * Refuses, saying how to create one, when there is none.
 */
export const loadSecret = (env: Readonly<Record<string, string | undefined>>, keyFile?: string): Buffer => {
  if (keyFile !== undefined) return fromFile(keyFile);
  const value = env.KENRI_SECRET?.trim();
  if (value) {
    if (BASE64_32.test(value)) return Buffer.from(value, 'base64');
    if (value.length < MIN_PASSPHRASE)
      throw new SecretError(
        `KENRI_SECRET is too short for a passphrase (at least ${MIN_PASSPHRASE}).\n${HOW_TO}`,
      );
    return scryptSync(value.normalize('NFKC'), PASSPHRASE_SALT, 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
  }
  if (env.KENRI_SECRET_FILE?.trim()) return fromFile(env.KENRI_SECRET_FILE.trim());
  const fallback = join(env.HOME || homedir(), '.kenri', 'secret.key');
  if (existsSync(fallback)) return fromFile(fallback);
  throw new SecretError(`no secret: neither KENRI_SECRET nor KENRI_SECRET_FILE is set.\n${HOW_TO}`);
};
