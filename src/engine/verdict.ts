import type { ClauseId } from '../sources/clause-ids.ts';
import type { MissingFact, Reason, Remedy } from './rule.ts';
import type { TraceEntry } from './trace.ts';

interface Common {
  readonly reasons: readonly Reason[];
  /** Every clause the verdict rests on, in first-cited order, without repeats. */
  readonly cites: readonly ClauseId[];
  /** Path of the licence the verdict rests on, or of the closest one when denied. */
  readonly basis: string | undefined;
  /** Path of the volume licence that gives the media rights, when volume media is used (RR-05, RR-12). */
  readonly mediaBasis?: string | undefined;
  readonly trace?: readonly TraceEntry[];
}

export type Verdict =
  | (Common & { readonly verdict: 'allowed' })
  | (Common & { readonly verdict: 'denied'; readonly remedies: readonly Remedy[] })
  | (Common & { readonly verdict: 'conditional'; readonly missing: readonly MissingFact[] });

export type VerdictKind = Verdict['verdict'];

// Verdicts for the same reasons cite the same clauses: compute each list once. Up to seven reasons with
// indices below 127 pack into one exact integer (7 bits each), so the common case builds no string.
const citeMemo = new Map<number | string, readonly ClauseId[]>();
const remedyMemo = new Map<number | string, readonly Remedy[]>();

export const reasonKey = (reasons: readonly Reason[]): number | string => {
  if (reasons.length <= 7) {
    let k = 0;
    let packed = true;
    for (const r of reasons) {
      if (r.index >= 127) packed = false;
      k = k * 128 + r.index + 1;
    }
    if (packed) return k;
  }
  return reasons.map((r) => r.index).join(',');
};

export const citesOf = (reasons: readonly Reason[], key = reasonKey(reasons)): readonly ClauseId[] => {
  let cites = citeMemo.get(key);
  if (cites === undefined) {
    const seen = new Set<ClauseId>();
    for (const r of reasons) for (const c of r.rule.clauses) seen.add(c);
    cites = Object.freeze([...seen]);
    citeMemo.set(key, cites);
  }
  return cites;
};

export const remediesOf = (reasons: readonly Reason[], key = reasonKey(reasons)): readonly Remedy[] => {
  let remedies = remedyMemo.get(key);
  if (remedies === undefined) {
    const seen = new Map<string, Remedy>();
    for (const r of reasons) for (const m of r.remedies ?? []) seen.set(m.id, m);
    remedies = Object.freeze([...seen.values()]);
    remedyMemo.set(key, remedies);
  }
  return remedies;
};
