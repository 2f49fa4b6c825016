import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { esu } from '../../data/esu.ts';
import { reasons } from '../../engine/rule.ts';
import { Trace } from '../../engine/trace.ts';
import { InputError } from '../../model/input-error.ts';
import { esuCoverage, esuCovers } from './coverage.ts';
import { renderEsuVerdict } from './describe.ts';
import { loadEsuCases } from './esu-cases.ts';
import { evaluateEsu } from './evaluate.ts';
import { toEsuQuestion } from './question.ts';

const day = fc
  .integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2024, 11, 31) })
  .map((t) => new Date(t - (t % 86_400_000)).toISOString().slice(0, 10));
const years = fc.subarray([1, 2, 3] as const);

describe('esuCoverage', () => {
  it.each([
    ['2020-01-14', [], 'in-support'],
    ['2020-01-15', [], 'not-covered'],
    ['2020-01-15', [1], 'covered'],
    ['2021-01-12', [1], 'covered'],
    ['2021-01-13', [1], 'not-covered'],
    ['2021-01-13', [1, 2], 'covered'],
    ['2021-01-13', [2], 'not-covered'],
    ['2022-01-11', [1, 2], 'covered'],
    ['2022-01-12', [1, 2], 'not-covered'],
    ['2022-01-12', [3, 1, 2], 'covered'],
    ['2023-01-10', [1, 2, 3], 'covered'],
    ['2023-01-11', [1, 2, 3], 'ended'],
  ] as const)('%s with years %j is %s', (date, ys, status) => {
    expect(esuCoverage(ys, date).status).toBe(status);
  });

  it('says a year bought without an earlier one is a gap, and which years are missing', () => {
    expect(esuCoverage([2], '2021-06-01')).toEqual({
      status: 'not-covered',
      year: 2,
      missing: [1],
      gap: true,
    });
    expect(esuCoverage([1], '2022-06-01')).toEqual({
      status: 'not-covered',
      year: 3,
      missing: [2, 3],
      gap: false,
    });
  });

  it('covers a date exactly when every year up to the one holding it is bought (property)', () => {
    fc.assert(
      fc.property(day, years, (d, ys) => {
        const year = esu.years.find((y) => y.from <= d && d <= y.to)?.year;
        const expected =
          year !== undefined && [1, 2, 3].filter((y) => y <= year).every((y) => ys.includes(y as 1));
        expect(esuCovers(ys, d)).toBe(expected);
        expect(esuCovers([...ys, ...ys].reverse(), d)).toBe(expected);
      }),
    );
  });
});

const downgraded = (asOf: string, esuYears: readonly number[]) =>
  toEsuQuestion({
    asOf,
    device: {
      id: 'PC',
      running: { edition: 'pro', version: '7' },
      licences: [{ channel: 'oem', product: 'windows', edition: 'pro', version: '10', language: 'ja-JP' }],
      esuYears,
      esuKey: { installed: true, activated: true },
      installedUpdates: esu.prerequisites.map((p) => p.kb),
    },
  });

describe('evaluateEsu', () => {
  it('is pure: the same question gets the same verdict', () => {
    fc.assert(
      fc.property(day, years, (d, ys) => {
        expect(evaluateEsu(downgraded(d, ys))).toEqual(evaluateEsu(downgraded(d, ys)));
      }),
    );
  });

  it('never takes a right away when a year is added (property)', () => {
    const rank = { denied: 0, conditional: 1, allowed: 2 } as const;
    fc.assert(
      fc.property(day, years, fc.constantFrom(1, 2, 3), (d, ys, extra) => {
        const before = evaluateEsu(downgraded(d, ys));
        const after = evaluateEsu(downgraded(d, [...ys, extra]));
        expect(rank[after.licensed.verdict]).toBeGreaterThanOrEqual(rank[before.licensed.verdict]);
        expect(rank[after.updates.verdict]).toBeGreaterThanOrEqual(rank[before.updates.verdict]);
      }),
    );
  });

  it('licenses a downgraded PC exactly when it is inside support or ESU covers the date (property)', () => {
    fc.assert(
      fc.property(day, years, (d, ys) => {
        const v = evaluateEsu(downgraded(d, ys));
        const expected = d <= esu.endOfSupport.date || esuCovers(ys, d);
        expect(v.licensed.verdict === 'allowed').toBe(expected);
        expect(v.updates.verdict === 'allowed').toBe(expected);
      }),
    );
  });

  it('cites at least one clause in every answer, and fills every placeholder in both languages', () => {
    for (const { cases } of loadEsuCases())
      for (const c of cases) {
        if (c.kind !== 'entitlement') continue;
        const q = toEsuQuestion({ asOf: c.asOf, ...c.input });
        const v = evaluateEsu(q, new Trace());
        expect(v.licensed.cites.length, c.name).toBeGreaterThan(0);
        expect(v.updates.cites.length, c.name).toBeGreaterThan(0);
        for (const lang of ['ja', 'en'] as const)
          expect(renderEsuVerdict(q, v, lang), c.name).not.toMatch(/\{\w+\}/);
        expect(v.trace?.length, c.name).toBeGreaterThan(0);
      }
  });

  it('takes nothing from the engine-wide reason table the reimaging memo keys on', () => {
    expect(reasons().filter((r) => r.rule.id.startsWith('esu.'))).toEqual([]);
  });
});

describe('toEsuQuestion', () => {
  const issues = (input: unknown) => {
    try {
      toEsuQuestion(input);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).issues;
    }
    throw new Error('expected an InputError');
  };

  it('reports every problem with its path and the accepted values', () => {
    const got = issues({
      asOf: '2021-06-01',
      device: { id: 'x', running: { edition: 'starter', version: '10' }, installedUpdates: ['Q123'] },
    });
    expect(got).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'device.running.version', expected: ['7'] }),
        expect.objectContaining({
          path: 'device.running.edition',
          expected: ['home', 'pro', 'enterprise', 'ultimate'],
        }),
        expect.objectContaining({ path: 'device.installedUpdates[0]' }),
      ]),
    );
  });

  it('lists the accepted fields for an unknown one, and the years accepted', () => {
    expect(
      issues({
        asOf: '2021-06-01',
        device: { id: 'x', running: { edition: 'pro', version: '7' }, esuYear: [1] },
      }),
    ).toEqual([
      expect.objectContaining({
        path: 'device.esuYear',
        expected: expect.arrayContaining(['esuYears', 'esuKey']),
      }),
    ]);
    expect(
      issues({
        asOf: '2021-06-01',
        device: { id: 'x', running: { edition: 'pro', version: '7' }, esuYears: [4] },
      })[0]?.path,
    ).toBe('device.esuYears[0]');
  });

  it('reads names as people write them', () => {
    const q = toEsuQuestion({
      asOf: '2021-06-01',
      device: {
        id: 'x',
        running: { edition: 'Professional', version: '7' },
        esuYears: [2, 1, 2],
        installedUpdates: ['kb4519976'],
      },
    });
    expect(q.device).toMatchObject({
      edition: 'pro',
      esuYears: [1, 2],
      esuYearsFrom: 'device',
      installedUpdates: ['KB4519976'],
    });
  });
});
