import { describe, expect, it } from 'vitest';
import { Trace } from '../../engine/trace.ts';
import { toQuestion } from '../../model/normalise.ts';
import { allClauses } from '../../sources/registry.ts';
import { loadCaseFiles } from '../cases.ts';
import { evaluate } from './evaluate.ts';

const files = loadCaseFiles(new URL('.', import.meta.url).pathname);

describe.each(files)('$file', ({ cases }) => {
  it.each(cases)('$name', (c) => {
    const q = toQuestion(c.asOf ? { asOf: c.asOf, ...c.input } : c.input);
    const v = evaluate(q, new Trace());
    const got = {
      verdict: v.verdict,
      remedies: v.verdict === 'denied' ? v.remedies.map((m) => m.id) : [],
      missing: v.verdict === 'conditional' ? v.missing.map((m) => m.path) : [],
    };
    expect(
      got.verdict,
      `cites ${v.cites.join(', ')}; reasons ${v.reasons.map((r) => r.rule.id).join(', ')}`,
    ).toBe(c.expect.verdict);
    expect(v.cites).toEqual(expect.arrayContaining(c.expect.cites));
    for (const id of c.expect.notCites) expect(v.cites).not.toContain(id);
    expect(got.remedies).toEqual(expect.arrayContaining(c.expect.remedies));
    expect(got.missing).toEqual(expect.arrayContaining(c.expect.missing));
  });
});

describe('reimaging cases as a whole', () => {
  const all = files.flatMap((f) => f.cases);
  it('has cases to run', () => {
    expect(all.length).toBeGreaterThan(0);
  });
  it('exercises every RR decision clause in at least one expectation', () => {
    const expected = new Set(all.flatMap((c) => c.expect.cites));
    const untested = allClauses()
      .filter((c) => c.document === 'RR' && c.kind === 'decision')
      .map((c) => c.id)
      .filter((id) => !expected.has(id));
    expect(untested).toEqual([]);
  });
});
