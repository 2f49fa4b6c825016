/**
 * A verdict's explanation with the keys that make it one device's factored out, so the thousands of devices
 * decided for the same reasons share one stored explanation (migration 0003). U+E000 stands for the device
 * key and U+E001… for the other subjects (its users' keys), in order.
 *
 * Exact by construction: a string holding any of these marker characters is never factored, and each key is
 * replaced by a marker that cannot already be in the text, so putting the keys back in the reverse order
 * restores every string as it was. Only string values change, never object keys or structure.
 */

const FIRST = 0xe000;
/** Subjects beyond this many (the device plus 255 users) stay in the text. */
const MAX_SUBJECTS = 256;
const MARKERS = /[\uE000-\uE0FF]/;

export interface Swap {
  readonly key: string;
  readonly marker: string;
}

/** True when a text holds a marker character: such a text can only be stored as it is. */
export const holdsMarker = (text: string): boolean => MARKERS.test(text);

/**
 * The keys to factor out, longest first (a user key may contain the device key), each with its marker.
 * Replacing them in this order is what putBack undoes; a caller that factors texts itself uses this list.
 */
export const swaps = (deviceKey: string, subjects: readonly string[]): Swap[] =>
  [deviceKey, ...subjects]
    .slice(0, MAX_SUBJECTS)
    .map((key, i) => ({ key, marker: String.fromCharCode(FIRST + i) }))
    .filter((s) => s.key !== '')
    .sort((a, b) => b.key.length - a.key.length || (a.marker < b.marker ? -1 : 1));

export interface Factored {
  /** JSON texts of the reasons and remedies with the keys replaced by markers. */
  readonly reasons: string;
  readonly remedies: string;
  /** False when a text already held a marker character: stored as it is, with no subjects. */
  readonly factored: boolean;
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return (
    (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function'
  );
};

const isPlainArray = (v: unknown): v is unknown[] =>
  Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype && !('toJSON' in v);

/** The reasons and remedies as JSON (with JSON.stringify's semantics), keys factored out of every string. */
export const factorOut = (
  deviceKey: string,
  subjects: readonly string[],
  reasons: unknown,
  remedies: unknown,
): Factored => {
  const order = swaps(deviceKey, subjects);
  const shortest = order.reduce((n, s) => Math.min(n, s.key.length), Number.POSITIVE_INFINITY);
  let clash = false;
  // A copy with the keys replaced in every string of the plain arrays and objects a verdict's reasons are,
  // then one native JSON.stringify. Anything else (a date, a class, toJSON) is left as it is, so stored
  // as written; it only may not hold a marker.
  const copy = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (MARKERS.test(v)) clash = true;
      if (v.length < shortest) return v;
      let s = v;
      // A marker holds no '$', so replaceAll takes it literally.
      for (const { key, marker } of order) if (s.includes(key)) s = s.replaceAll(key, marker);
      return s;
    }
    if (v === null || typeof v !== 'object') return v;
    if (isPlainArray(v)) return v.map(copy);
    if (isPlainObject(v)) {
      // No prototype: a key named "__proto__" is then an own property, as JSON.stringify writes it.
      const out: Record<string, unknown> = Object.create(null);
      for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k]);
      return out;
    }
    if (MARKERS.test(JSON.stringify(v) ?? '')) clash = true;
    return v;
  };
  const factored = {
    reasons: JSON.stringify(copy(reasons ?? null)),
    remedies: JSON.stringify(copy(remedies ?? null)),
    factored: true,
  };
  if (!clash) return factored;
  return {
    reasons: JSON.stringify(reasons ?? null),
    remedies: JSON.stringify(remedies ?? null),
    factored: false,
  };
};

/** Puts the keys back into a parsed explanation (a fresh copy: stored explanations are shared). */
export const putBack = (deviceKey: string, subjects: readonly string[], value: unknown): unknown => {
  const order = swaps(deviceKey, subjects).reverse();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!MARKERS.test(v)) return v;
      let s = v;
      for (const { key, marker } of order) if (s.includes(marker)) s = s.replaceAll(marker, () => key);
      return s;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      // A key named "__proto__" (JSON.parse makes it an own property) stays one, not the prototype.
      for (const [k, x] of Object.entries(v))
        Object.defineProperty(out, k, {
          value: walk(x),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    }
    return v;
  };
  return walk(value);
};
