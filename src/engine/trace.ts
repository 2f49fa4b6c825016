import type { Rule } from './rule.ts';

/** What happened when a rule was tried: the decision log behind a verdict (as OPA's explain does). */
export interface TraceEntry {
  readonly rule: Rule;
  readonly outcome: 'holds' | 'fails' | 'missing' | 'skipped';
  readonly note?: string;
}

/** Collects entries only when asked for; the hot path passes `undefined` and records nothing. */
export class Trace {
  readonly entries: TraceEntry[] = [];
  add(rule: Rule, outcome: TraceEntry['outcome'], note?: string): void {
    this.entries.push(note === undefined ? { rule, outcome } : { rule, outcome, note });
  }
}
