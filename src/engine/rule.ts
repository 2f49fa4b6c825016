import type { ClauseId } from '../sources/clause-ids.ts';
import type { Text } from './text.ts';

/**
 * A rule of the source text: its clauses, what it says, and the base rule it is an exception to.
 * The decision procedure refers to rules by object so a trace or a verdict always names its clauses.
 */
export interface Rule {
  readonly id: string;
  readonly clauses: readonly ClauseId[];
  readonly exceptionTo?: string;
  readonly says: Text;
}

/** Something a person should do about a denial; `buy` lets the planner add up purchases. */
export interface Remedy {
  readonly id: string;
  readonly clauses: readonly ClauseId[];
  readonly text: Text;
  readonly buy?: {
    readonly what:
      | 'image-product'
      | 'enterprise'
      | 'sa-per-device'
      | 'volume-licence'
      | 'qualifying-os'
      | 'esu-year';
    readonly assignment?: 'device' | 'user' | 'device-or-user';
  };
}

/** A fact the answer hangs on that the input does not give. */
export interface MissingFact {
  readonly path: string;
  readonly text: Text;
}

/**
 * One reason in a verdict: the rule that produced it and its own wording. Reasons are built once at module
 * load and shared by every verdict, so evaluating allocates no text.
 */
export interface Reason {
  readonly rule: Rule;
  readonly text: Text;
  readonly remedies?: readonly Remedy[];
  /** Index into the reason table; keys the memoised clause and remedy lists of a verdict. */
  readonly index: number;
}

const allRules = new Map<string, Rule>();
const allReasons: Reason[] = [];

export const rule = (r: Rule): Rule => {
  if (allRules.has(r.id)) throw new Error(`rule ${r.id} defined twice`);
  if (r.exceptionTo !== undefined && !allRules.has(r.exceptionTo))
    throw new Error(`rule ${r.id} is an exception to unknown rule ${r.exceptionTo}`);
  allRules.set(r.id, r);
  return r;
};

export const reason = (r: Rule, text: Text, remedies?: readonly Remedy[]): Reason => {
  const index = allReasons.length;
  const made: Reason = remedies ? { rule: r, text, remedies, index } : { rule: r, text, index };
  allReasons.push(made);
  return made;
};

export const rules = (): readonly Rule[] => [...allRules.values()];
export const reasons = (): readonly Reason[] => allReasons;
