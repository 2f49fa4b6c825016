import type { MissingFact, Reason, Rule } from '../../engine/rule.ts';
import type { Trace } from '../../engine/trace.ts';
import { citesOf, reasonKey, remediesOf, type Verdict } from '../../engine/verdict.ts';
import type { Licence } from '../../model/question.ts';
import type { ClauseId } from '../../sources/clause-ids.ts';
import type { Search } from './evaluate.ts';

/** A fact the input lacks, with the rule that needs it (so a conditional verdict still cites). */
export interface Need extends MissingFact {
  readonly rule: Rule;
}

/** What one evaluation found; turned into exactly one verdict at the end. */
export class Findings implements Search {
  // The licence search's state lives here too, so one evaluation allocates one object for its work.
  cover: Licence | undefined = undefined;
  coverBits = 0;
  closest: Licence | undefined = undefined;
  closestBits = 0;
  closestDistance = Number.POSITIVE_INFINITY;
  /** A licence of the image's product seen only through a programme without reimaging rights (CSP). */
  cspOnly = false;
  denials: Reason[] | undefined;
  readonly notes: Reason[] = [];
  needs: Need[] | undefined;
  basis: Licence | undefined;
  mediaLicence: Licence | undefined;

  constructor(private readonly trace: Trace | undefined) {}

  get denied(): boolean {
    return this.denials !== undefined;
  }

  deny(r: Reason): void {
    if (this.denials === undefined) this.denials = [r];
    else this.denials.push(r);
    this.trace?.add(r.rule, 'fails');
  }

  note(r: Reason): void {
    this.notes.push(r);
    this.trace?.add(r.rule, 'holds');
  }

  need(rule: Rule, path: string, text: MissingFact['text']): void {
    if (this.needs === undefined) this.needs = [];
    this.needs.push({ rule, path, text });
    this.trace?.add(rule, 'missing', path);
  }

  holds(rule: Rule, note?: string): void {
    this.trace?.add(rule, 'holds', note);
  }

  verdict(allowedBy: Reason, incomplete: Reason): Verdict {
    const basis = this.basis?.path;
    const mediaBasis = this.mediaLicence?.path;
    const trace = this.trace?.entries;
    const d = this.denials;
    if (d !== undefined) {
      const key = reasonKey(d);
      return {
        verdict: 'denied',
        reasons: d,
        cites: citesOf(d, key),
        remedies: remediesOf(d, key),
        basis,
        mediaBasis,
        trace,
      };
    }
    if (this.needs !== undefined) {
      this.notes.unshift(incomplete);
      const cites = new Set<ClauseId>();
      for (const n of this.needs) for (const c of n.rule.clauses) cites.add(c);
      for (const r of this.notes) for (const c of r.rule.clauses) cites.add(c);
      return {
        verdict: 'conditional',
        reasons: this.notes,
        cites: [...cites],
        missing: this.needs,
        basis,
        mediaBasis,
        trace,
      };
    }
    this.notes.unshift(allowedBy);
    this.trace?.add(allowedBy.rule, 'holds');
    return { verdict: 'allowed', reasons: this.notes, cites: citesOf(this.notes), basis, mediaBasis, trace };
  }
}
