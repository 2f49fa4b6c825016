import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshExplanation as fresh } from '../../test/fresh-explanation.ts';
import type { Verdict } from '../engine/verdict.ts';
import { toQuestion } from '../model/normalise.ts';
import type { Question } from '../model/question.ts';
import { loadCaseFiles } from '../rules/cases.ts';
import { evaluate } from '../rules/reimaging/evaluate.ts';
import { putBack } from '../store/plan-outcomes.ts';
import { Explainer, type Explainer as ExplainerType } from './explanation.ts';

/** The explanation as a saved plan shows it again: markers put back when it was factored. */
const shown = (explainer: ExplainerType, q: Question, v: Verdict) => {
  const subjects = q.device.users.map((u) => u.id);
  const e = explainer.explain(q, v, subjects);
  const back = (text: string) =>
    e.factored ? putBack(q.device.id, subjects, JSON.parse(text)) : JSON.parse(text);
  return {
    verdict: e.verdict,
    cites: JSON.parse(e.cites),
    reasons: back(e.reasons),
    remedies: back(e.remedies),
  };
};

const cases = loadCaseFiles(new URL('../rules/reimaging', import.meta.url).pathname).flatMap((f) => f.cases);
const questionOf = (c: (typeof cases)[number]) => toQuestion(c.asOf ? { asOf: c.asOf, ...c.input } : c.input);

describe('an explanation made once and shared', () => {
  it('reads as a freshly rendered one for every reimaging case, cached or not', () => {
    expect(cases.length).toBeGreaterThan(20);
    const explainer = new Explainer();
    for (const round of [1, 2])
      for (const c of cases) {
        const q = questionOf(c);
        const v = evaluate(q);
        expect(shown(explainer, q, v), `${c.name} (round ${round})`).toEqual(fresh(q, v));
      }
  });

  it('is one object for devices decided for the same reasons, whatever their keys', () => {
    const explainer = new Explainer();
    const device = (id: string) =>
      toQuestion({
        asOf: '2024-03-01',
        image: {
          media: 'volume',
          product: 'windows',
          edition: 'enterprise',
          version: '11',
          language: 'ja-JP',
        },
        device: {
          id,
          vendor: 'HP',
          primaryUser: `${id}-user`,
          licences: [{ id: `${id}#oem`, channel: 'oem', product: 'windows', edition: 'pro', version: '11' }],
        },
        users: [{ id: `${id}-user`, licences: [] }],
      });
    const [a, b] = [device('PC-1'), device('NOTEBOOK-22')];
    const [va, vb] = [evaluate(a), evaluate(b)];
    expect(explainer.explain(a, va, ['PC-1-user'])).toBe(explainer.explain(b, vb, ['NOTEBOOK-22-user']));
    expect(shown(explainer, b, vb)).toEqual(fresh(b, vb));
  });

  it('puts back any keys, names and vendors exactly, marker characters and all', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', '1', '-', '#', ' ', '\uE000', '\uE001', '$&'),
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(text, text, text, fc.boolean(), (id, user, vendor, withUser) => {
        const explainer = new Explainer();
        const users = withUser ? [{ id: user, licences: [] }] : [];
        for (const edition of ['pro', 'enterprise']) {
          const q = toQuestion({
            asOf: '2024-03-01',
            image: {
              media: 'volume',
              product: 'windows',
              edition: 'enterprise',
              version: '10',
              language: 'ja-JP',
            },
            device: {
              id,
              vendor,
              ...(withUser ? { primaryUser: user } : {}),
              licences: [
                {
                  id: `${id}/${user}`,
                  channel: 'oem',
                  product: 'windows',
                  edition,
                  version: '10',
                  language: 'ja-JP',
                },
              ],
            },
            users,
            organisation: {
              licences: [
                {
                  id: `ea${id}`,
                  channel: 'volume',
                  programme: 'ea',
                  product: 'windows',
                  edition,
                  version: '10',
                },
              ],
            },
          });
          const v = evaluate(q);
          expect(shown(explainer, q, v)).toEqual(fresh(q, v));
          expect(shown(explainer, q, v)).toEqual(fresh(q, v));
        }
      }),
    );
  });
});
