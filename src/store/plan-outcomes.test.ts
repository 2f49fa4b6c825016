import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storeBackends, useStore } from '../../test/store-harness.ts';
import { ensureOrganisation } from './organisations.ts';
import { factorOut, putBack } from './plan-outcomes.ts';
import { type PlanVerdict, planVerdicts, savePlan } from './plans.ts';

const roundTrip = (deviceKey: string, subjects: string[], reasons: unknown) => {
  const f = factorOut(deviceKey, subjects, reasons, null);
  const parsed = JSON.parse(f.reasons);
  return f.factored ? putBack(deviceKey, subjects, parsed) : parsed;
};

describe('a verdict explanation with its keys factored out', () => {
  it('reads back exactly as given, whatever the keys and texts', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
        fc.array(fc.record({ rule: text, ja: text, en: text, clauses: fc.array(text, { maxLength: 3 }) })),
        (deviceKey, subjects, reasons) => {
          const mentioned = reasons.map((r) => ({ ...r, ja: `${deviceKey} ${r.ja} ${subjects.join('/')}` }));
          expect(roundTrip(deviceKey, subjects, mentioned)).toEqual(mentioned);
        },
      ),
    );
  });

  it('writes JSON exactly as JSON.stringify does', () => {
    const same = (value: unknown) => {
      expect(factorOut('\u0001absent', [], value, null).reasons).toBe(JSON.stringify(value ?? null));
    };
    fc.assert(fc.property(fc.jsonValue(), same));
    fc.assert(fc.property(fc.anything({ withDate: true, withMap: true, withNullPrototype: true }), same));
    const sparse: unknown[] = [];
    sparse[2] = 3;
    same([{ at: new Date(0), n: Number.NaN, u: undefined, f: () => 1 }, undefined, sparse]);
    // A key named "__proto__" is data, written and read back as such.
    const proto = JSON.parse('[{"__proto__": {"en": "PC-1 of tanaka"}}]');
    same(proto);
    expect(roundTrip('PC-1', ['tanaka'], proto)).toEqual(proto);
  });

  it('makes devices decided for the same reasons share one text', () => {
    const reasons = (device: string, user: string) => [
      {
        rule: 'r',
        ja: `${device} は ${user} のライセンス [ea/${user}] を使う`,
        en: `${device} uses [ea/${user}]`,
      },
    ];
    const a = factorOut('PC-1', ['tanaka'], reasons('PC-1', 'tanaka'), []);
    const b = factorOut('PC-22', ['sato.ichiro'], reasons('PC-22', 'sato.ichiro'), []);
    expect(a.reasons).toBe(b.reasons);
    // A key inside another key, and a key that is also ordinary text, still read back as written.
    expect(roundTrip('10', ['PC10'], reasons('10', 'PC10'))).toEqual(reasons('10', 'PC10'));
  });

  it('stores a text that already holds a marker character as it is', () => {
    const reasons = [{ ja: 'PC-1 \uE000', en: 'x' }];
    const f = factorOut('PC-1', [], reasons, null);
    expect(f.factored).toBe(false);
    expect(JSON.parse(f.reasons)).toEqual(reasons);
  });
});

describe.each(storeBackends())('a saved plan on $name', (backend) => {
  const store = useStore(backend);

  it('stores each explanation once and shows every verdict as decided', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor: 'test' });
    const verdicts: PlanVerdict[] = Array.from({ length: 7 }, (_, i) => {
      const user = `user-${i % 3}`;
      return {
        deviceKey: `SN${i}`,
        verdict: i % 2 ? 'denied' : 'allowed',
        cites: ['RR-19', 'RR-Q4'],
        reasons: [
          { rule: 'reimaging.volume-media', ja: `SN${i} は ${user} のもの`, en: `SN${i} of ${user}` },
        ],
        remedies: i % 2 ? ['buy-windows-enterprise'] : [],
        input: { device: { id: `SN${i}` }, users: [{ id: user }] },
        subjects: [user],
      };
    });
    const header = { actor: 'test', imageKey: null, asOf: '2024-03-01', rulesVersion: 'v', input: {} };
    const id = await savePlan(db, 'acme', header, verdicts, {});
    const stored = await db.query<{ n: number }>(
      'select count(*)::int as n from plan_outcomes where org_id = $1 and plan_id = $2',
      ['acme', id],
    );
    expect(stored[0]!.n).toBe(2);
    const back: PlanVerdict[] = [];
    for await (const page of planVerdicts(db, 'acme', id, { batchSize: 3 })) back.push(...page);
    expect(back).toEqual(verdicts.map(({ subjects: _, ...v }) => v));
    // A verdict must name an explanation of its plan, and an explanation named stays (migration 0005).
    const orphan = await db
      .query(
        `insert into plan_verdicts (plan_id, org_id, device_key, verdict, outcome) values ($1, 'acme', 'X', 'allowed', 99)`,
        [id],
      )
      .catch((e: unknown) => e);
    expect(orphan).toMatchObject({
      code: '23503',
      constraint: 'plan_verdicts_org_id_plan_id_outcome_fkey',
    });
    const named = await db
      .query('delete from plan_outcomes where org_id = $1 and plan_id = $2', ['acme', id])
      .catch((e: unknown) => e);
    expect(named).toMatchObject({ code: '23503' });
  });
});
