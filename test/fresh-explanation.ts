import { fill } from '../src/engine/text.ts';
import type { Verdict } from '../src/engine/verdict.ts';
import type { Question } from '../src/model/question.ts';
import { placeholders } from '../src/rules/reimaging/describe.ts';

/**
 * A verdict's explanation as the planner rendered it before explanations were shared: every text filled
 * afresh from its own question with engine/text.ts fill. What a saved plan must read back as.
 */
export const freshExplanation = (q: Question, v: Verdict) => {
  const ja = placeholders(q, v, 'ja');
  const en = placeholders(q, v, 'en');
  return {
    verdict: v.verdict,
    cites: v.cites,
    reasons: v.reasons.map((r) => ({
      rule: r.rule.id,
      clauses: r.rule.clauses,
      ja: fill(r.text.ja, ja),
      en: fill(r.text.en, en),
    })),
    remedies:
      v.verdict === 'denied'
        ? v.remedies.map((m) => m.id)
        : v.verdict === 'conditional'
          ? v.missing.map((m) => ({ missing: m.path }))
          : [],
  };
};
