import type { MissingFact, Remedy, Rule } from '../../engine/rule.ts';
import type { Text } from '../../engine/text.ts';
import type { Trace } from '../../engine/trace.ts';
import type { ClauseId } from '../../sources/clause-ids.ts';

/**
 * A reason in an ESU answer: the rule and its wording. The engine's `reason()` registers each reason in a
 * 53-bit table that keys the reimaging engine's memoised clause lists; ESU answers need no such memo, so
 * their reasons stay out of that shared budget. Engine Reasons (the shared downgrade ones) fit this shape.
 */
export interface EsuReason {
  readonly rule: Rule;
  readonly text: Text;
}

export const esuReason = (rule: Rule, text: Text): EsuReason => Object.freeze({ rule, text });

interface PartCommon {
  readonly reasons: readonly EsuReason[];
  /** Every clause the answer rests on, in first-cited order, without repeats. */
  readonly cites: readonly ClauseId[];
  /** Path of the licence the answer rests on ("device.licences[0]"). */
  readonly basis: string | undefined;
}

/**
 * One half of an ESU verdict: allowed, denied (with remedies) or conditional (naming the missing facts). A
 * conditional one also says what to do meanwhile: "confirm or install the prerequisites" is advice even
 * while the answer waits on a fact.
 */
export type EsuPart =
  | (PartCommon & { readonly verdict: 'allowed' })
  | (PartCommon & { readonly verdict: 'denied'; readonly remedies: readonly Remedy[] })
  | (PartCommon & {
      readonly verdict: 'conditional';
      readonly missing: readonly MissingFact[];
      readonly remedies: readonly Remedy[];
    });

/**
 * What evaluating one question (licensed, or updates) found. Remedies are gathered here rather than taken
 * from the reasons, because "buy ESU year N" depends on which years are missing.
 */
export class PartFindings {
  private readonly denials: EsuReason[] = [];
  private readonly notes: EsuReason[] = [];
  private readonly needs: (MissingFact & { rule: Rule })[] = [];
  private readonly denyRemedies = new Map<string, Remedy>();
  private readonly needRemedies = new Map<string, Remedy>();
  basis: string | undefined;

  constructor(
    private readonly part: 'licensed' | 'updates',
    private readonly trace: Trace | undefined,
  ) {}

  deny(r: EsuReason, ...remedies: readonly Remedy[]): void {
    this.denials.push(r);
    for (const m of remedies) this.denyRemedies.set(m.id, m);
    this.trace?.add(r.rule, 'fails', this.part);
  }

  note(r: EsuReason): void {
    this.notes.push(r);
    this.trace?.add(r.rule, 'holds', this.part);
  }

  need(rule: Rule, path: string, text: MissingFact['text'], ...remedies: readonly Remedy[]): void {
    this.needs.push({ rule, path, text });
    for (const m of remedies) this.needRemedies.set(m.id, m);
    this.trace?.add(rule, 'missing', `${this.part}: ${path}`);
  }

  holds(rule: Rule, note?: string): void {
    this.trace?.add(rule, 'holds', note === undefined ? this.part : `${this.part}: ${note}`);
  }

  /** Denials win over missing facts; missing facts over an allowance (as in the reimaging engine). */
  verdict(allowedBy: EsuReason): EsuPart {
    const basis = this.basis;
    if (this.denials.length > 0)
      return {
        verdict: 'denied',
        reasons: this.denials,
        cites: citesOf(this.denials.map((r) => r.rule)),
        remedies: [...this.denyRemedies.values()],
        basis,
      };
    if (this.needs.length > 0)
      return {
        verdict: 'conditional',
        reasons: this.notes,
        cites: citesOf([...this.needs.map((n) => n.rule), ...this.notes.map((r) => r.rule)]),
        missing: this.needs.map(({ path, text }) => ({ path, text })),
        remedies: [...this.needRemedies.values()],
        basis,
      };
    const reasons = [allowedBy, ...this.notes];
    this.trace?.add(allowedBy.rule, 'holds', this.part);
    return { verdict: 'allowed', reasons, cites: citesOf(reasons.map((r) => r.rule)), basis };
  }
}

/** Clauses in first-cited order without repeats. */
export const citesOf = (rules: readonly Rule[]): ClauseId[] => {
  const seen = new Set<ClauseId>();
  for (const r of rules) for (const c of r.clauses) seen.add(c);
  return [...seen];
};
