import type { Reason } from '../engine/rule.ts';
import { reasonKey, type Verdict } from '../engine/verdict.ts';
import type { Question } from '../model/question.ts';
import { described, PLACEHOLDERS } from '../rules/reimaging/describe.ts';
import { holdsMarker, type Swap, swaps } from '../store/plan-outcomes.ts';
import type { Explanation } from '../store/plans.ts';

/** Templates split once at their `{name}` placeholders: literal, name, literal, … */
const compiled = new Map<string, string[]>();

/** `fill` (engine/text.ts) without a regular expression per call: the same text, a plan's worth faster. */
export const fillFast = (
  template: string,
  vars: Readonly<Record<string, string | number | undefined>>,
): string => {
  let parts = compiled.get(template);
  if (!parts) {
    parts = template.split(/\{(\w+)\}/);
    if (compiled.size < 10_000) compiled.set(template, parts);
  }
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    const v = vars[name];
    out += (v === undefined ? `{${name}}` : String(v)) + parts[i + 1]!;
  }
  return out;
};

/** What every verdict with the same reasons shares: the placeholder names their texts use. */
interface ReasonSet {
  readonly names: readonly string[];
  /** A template already holds a marker character, so its texts cannot be factored. */
  readonly clash: boolean;
}

/**
 * Steps of the explanations remembered per plan (one per placeholder value, about ten per explanation); a
 * fleet rarely has more than a few hundred distinct explanations.
 */
const MAX_REMEMBERED = 200_000;

/**
 * A verdict's explanation as a plan stores it (migration 0003): the reasons in ja and en and the remedies as
 * JSON, with the device's and its users' keys already replaced by their markers. The keys are replaced in
 * the placeholder values before the texts are filled, in the order putBack undoes, so the stored texts need
 * no walk afterwards; and since the result depends only on the reasons and those factored values, a
 * repeated explanation — most of a fleet's — is a map lookup. A value or template that already holds a
 * marker character is filled as it reads and stored unfactored, as factorOut would store it.
 */
export class Explainer {
  private readonly sets = new Map<number | string, ReasonSet>();
  /** The path to an explanation: its verdict, reasons, cites and remedies, then each placeholder value. */
  private remembered = new Remembered();
  private nodes = 0;
  /** Cites and remedy lists are shared per reason set (engine/verdict.ts): their identity keys the cache. */
  private readonly lists = new WeakMap<object, number>();
  private nextList = 0;

  explain(q: Question, v: Verdict, subjects: readonly string[]): Explanation {
    const rk = reasonKey(v.reasons);
    const set = this.setOf(rk, v.reasons);
    const d = described(q, v);
    const names = set.names;
    const raw: (string | undefined)[] = new Array(names.length * 2);
    // Every value in one text, tested for markers once: a test per value cost more than the rest of a lookup.
    let all = '';
    for (let i = 0; i < names.length; i++) {
      const value = PLACEHOLDERS[names[i]!];
      const ja = value?.(d, 'ja');
      const en = value?.(d, 'en');
      if (ja !== undefined) all += ja;
      if (en !== undefined && en !== ja) all += en;
      raw[2 * i] = ja;
      raw[2 * i + 1] = en;
    }
    if (set.clash || holdsMarker(all)) return this.render(v, names, raw, false);
    const order = markers(q.device.id, subjects);
    for (let i = 0; i < raw.length; i += 2) {
      const ja = raw[i];
      const same = raw[i + 1] === ja;
      raw[i] = factor(ja, order);
      raw[i + 1] = same ? raw[i] : factor(raw[i + 1], order);
    }
    // Conditional verdicts list their own missing facts and cites: rare, and rendered each time.
    if (v.verdict === 'conditional') return this.render(v, names, raw, true);
    if (this.nodes >= MAX_REMEMBERED) {
      this.remembered = new Remembered();
      this.nodes = 0;
    }
    let node = this.step(
      this.remembered,
      `${v.verdict}|${rk}|${this.listId(v.cites)}|${v.verdict === 'denied' ? this.listId(v.remedies) : ''}`,
    );
    for (const value of raw) node = this.step(node, value);
    let made = node.made;
    if (made === undefined) {
      made = this.render(v, names, raw, true);
      node.made = made;
    }
    return made;
  }

  private step(node: Remembered, value: string | undefined): Remembered {
    let next = node.next.get(value);
    if (next === undefined) {
      next = new Remembered();
      node.next.set(value, next);
      this.nodes++;
    }
    return next;
  }

  private render(
    v: Verdict,
    names: readonly string[],
    values: readonly (string | undefined)[],
    factored: boolean,
  ): Explanation {
    const ja: Record<string, string | undefined> = {};
    const en: Record<string, string | undefined> = {};
    for (let i = 0; i < names.length; i++) {
      ja[names[i]!] = values[2 * i];
      en[names[i]!] = values[2 * i + 1];
    }
    const reasons = JSON.stringify(
      v.reasons.map((r) => ({
        rule: r.rule.id,
        clauses: r.rule.clauses,
        ja: fillFast(r.text.ja, ja),
        en: fillFast(r.text.en, en),
      })),
    );
    const remedies = JSON.stringify(
      v.verdict === 'denied'
        ? v.remedies.map((m) => m.id)
        : v.verdict === 'conditional'
          ? v.missing.map((m) => ({ missing: m.path }))
          : [],
    );
    const cites = JSON.stringify(v.cites);
    return {
      verdict: v.verdict,
      cites,
      reasons,
      remedies,
      factored,
      key: `${v.verdict}\n${cites}\n${reasons}\n${remedies}`,
    };
  }

  private setOf(rk: number | string, reasons: readonly Reason[]): ReasonSet {
    let set = this.sets.get(rk);
    if (set === undefined) {
      const names = new Set<string>();
      let clash = false;
      for (const r of reasons)
        for (const t of [r.text.ja, r.text.en]) {
          if (holdsMarker(t)) clash = true;
          for (const m of t.matchAll(/\{(\w+)\}/g)) names.add(m[1]!);
        }
      set = { names: [...names], clash };
      this.sets.set(rk, set);
    }
    return set;
  }

  private listId(list: object): number {
    let id = this.lists.get(list);
    if (id === undefined) {
      id = this.nextList++;
      this.lists.set(list, id);
    }
    return id;
  }
}

/**
 * Explanations remembered, one level per placeholder value: a repeated one is found by looking up each value
 * as it is, where one key joining them all was a new text of every value per device, copied again to be
 * hashed (100,000 devices planned: 183 MB allocated by explaining them, against 332 MB).
 */
class Remembered {
  made: Explanation | undefined;
  readonly next = new Map<string | undefined, Remembered>();
}

const DEVICE = '\uE000';
const FIRST_USER = '\uE001';

/** swaps(), without its sorting and copying for a device with one user or none: most of a fleet. */
const markers = (deviceKey: string, subjects: readonly string[]): readonly Swap[] => {
  if (subjects.length > 1 || deviceKey === '' || subjects[0] === '') return swaps(deviceKey, subjects);
  const device = { key: deviceKey, marker: DEVICE };
  if (subjects.length === 0) return [device];
  const user = { key: subjects[0]!, marker: FIRST_USER };
  // Longest first; on equal length the device's marker, which sorts first.
  return user.key.length > deviceKey.length ? [user, device] : [device, user];
};

const factor = (value: string | undefined, order: readonly Swap[]): string | undefined => {
  if (value === undefined) return undefined;
  let s = value;
  for (const { key, marker } of order) if (s.includes(key)) s = s.replaceAll(key, marker);
  return s;
};
