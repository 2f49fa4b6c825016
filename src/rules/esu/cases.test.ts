import { describe, expect, it } from 'vitest';
import type { EsuPrice } from '../../data/esu.ts';
import { Trace } from '../../engine/trace.ts';
import { searchCatalogue } from '../../esu/catalogue-search.ts';
import { activate, type MakLedger, openLedger, remove } from '../../esu/mak-ledger.ts';
import { coverageOf, expiringOrders, parseOrders } from '../../esu/orders.ts';
import { parseProductKey } from '../../esu/product-key.ts';
import { addPrice, type QuoteRequest, quoteEsu } from '../../esu/quote.ts';
import { readiness } from '../../esu/readiness.ts';
import { activationPlan } from '../../esu/scripts.ts';
import { allClauses } from '../../sources/registry.ts';
import { type EsuCase, expectedCites, loadEsuCases } from './esu-cases.ts';
import { evaluateEsu } from './evaluate.ts';
import type { EsuPart } from './findings.ts';
import { toEsuQuestion } from './question.ts';

const files = loadEsuCases();

// Made-up keys in the product-key alphabet (not keys Microsoft issued) and a fixed test secret.
const KEY = parseProductKey('BCDFG-HJKMP-QRTVW-XY234-6789N');
const OTHER_KEY = parseProductKey('FGHJK-MPQRT-VWXY2-34678-9BCDF');
const SECRET = Buffer.alloc(32, 1);

type Expect = Extract<EsuCase, { kind: 'entitlement' }>['expect']['licensed'];

const checkPart = (label: string, part: EsuPart, e: Expect): void => {
  const why = `${label}: ${part.verdict}; cites ${part.cites.join(', ')}; reasons ${part.reasons.map((r) => r.rule.id).join(', ')}`;
  expect(part.verdict, why).toBe(e.verdict);
  expect(part.cites, why).toEqual(expect.arrayContaining(e.cites));
  for (const id of e.notCites) expect(part.cites, why).not.toContain(id);
  const remedies = part.verdict === 'allowed' ? [] : part.remedies.map((m) => m.id);
  expect(remedies, why).toEqual(expect.arrayContaining(e.remedies));
  const missing = part.verdict === 'conditional' ? part.missing.map((m) => m.path) : [];
  expect(missing, why).toEqual(expect.arrayContaining(e.missing));
};

/** Runs a non-entitlement case and returns every clause the functions cited along the way. */
const run = (c: Exclude<EsuCase, { kind: 'entitlement' }>): string[] => {
  switch (c.kind) {
    case 'catalogue': {
      const r = searchCatalogue(c.input.keyword);
      expect(r.hits.map((h) => h.year)).toEqual(c.expect.years);
      if (c.expect.codes) expect(r.hits.map((h) => h.code ?? '')).toEqual(c.expect.codes);
      for (const h of r.hits) expect(h.unitPrice === 'unknown' || h.unitPrice > 0).toBe(true);
      return [...r.cites];
    }
    case 'quote': {
      let prices: EsuPrice[] | undefined;
      for (const p of c.input.addPrices ?? [])
        prices = addPrice(p.year, p.unitPrice, p.source, p.checked, prices);
      const { addPrices: _, ...request } = c.input;
      // The request is checked at run time; a case may hold years the type would not accept.
      const r = quoteEsu(request as QuoteRequest, prices);
      expect(r.ok ? 'quoted' : 'refused').toBe(c.expect.outcome);
      if (!r.ok) {
        if (c.expect.refusal) expect(r.refusal.code).toBe(c.expect.refusal);
        if (c.expect.years)
          expect(
            r.refusal.code === 'price-unknown'
              ? r.refusal.years
              : r.refusal.code === 'not-cumulative'
                ? r.refusal.missing
                : [],
          ).toEqual(c.expect.years);
        return [...r.refusal.cites];
      }
      if (c.expect.subtotal !== undefined) expect(r.quote.subtotal).toBe(c.expect.subtotal);
      if (c.expect.tax !== undefined) expect(r.quote.tax).toBe(c.expect.tax);
      if (c.expect.total !== undefined) expect(r.quote.total).toBe(c.expect.total);
      return [...r.quote.cites];
    }
    case 'orders': {
      const orders = parseOrders(c.input.orders);
      const r = expiringOrders(orders, c.input.asOf, c.input.withinDays);
      expect(r.expiring.map((e) => e.order.reference)).toEqual(c.expect.expiring);
      if (c.expect.usable) expect(coverageOf(orders).map((y) => y.usable)).toEqual(c.expect.usable);
      return [...r.cites];
    }
    case 'ledger': {
      const cites: string[] = [];
      const opened = openLedger({
        key: KEY,
        secret: SECRET,
        year: c.input.year,
        licencesBought: c.input.licencesBought,
        noticeReceivedOn: c.input.noticeReceivedOn,
      });
      expect(opened.ok).toBe(true);
      cites.push(...opened.cites);
      let ledger = (opened as { ledger: MakLedger }).ledger;
      const outcomes: string[] = [];
      let request:
        | { additionalActivations: number; partialProductKey: string; missing: readonly string[] }
        | undefined;
      for (const step of c.input.steps) {
        if ('enterKey' in step) {
          const again = openLedger(
            {
              key: step.enterKey === 'same' ? KEY : OTHER_KEY,
              secret: SECRET,
              year: c.input.year,
              licencesBought: c.input.licencesBought,
              noticeReceivedOn: c.input.noticeReceivedOn,
            },
            [ledger],
          );
          outcomes.push(again.ok ? 'key-kept' : again.code);
          cites.push(...again.cites);
        } else if ('activate' in step) {
          const r = activate(
            ledger,
            step.activate,
            step.on,
            c.input.org ? { org: c.input.org as never } : {},
          );
          outcomes.push(r.outcome);
          cites.push(...r.cites);
          ledger = r.ledger;
          if (r.outcome === 'refused') request = r.increaseRequest;
        } else {
          const r = remove(ledger, step.remove, step.on);
          outcomes.push('removed');
          cites.push(...r.cites);
          ledger = r.ledger;
        }
      }
      expect(outcomes).toEqual(c.expect.outcomes);
      expect(ledger.activations).toHaveLength(c.expect.used);
      if (c.expect.request) {
        expect(request).toBeDefined();
        expect({
          additionalActivations: request!.additionalActivations,
          partialProductKey: request!.partialProductKey,
          missing: request!.missing,
        }).toEqual(c.expect.request);
      }
      expect(JSON.stringify(ledger)).not.toContain('BCDFG-HJKMP');
      return cites;
    }
    case 'readiness': {
      const r = readiness(
        c.input.updates?.map((kb) => ({ kb })),
        c.input.asOf,
      );
      expect(r.items.filter((i) => i.status === 'listed').map((i) => i.kb)).toEqual(c.expect.listed);
      expect(r.items.filter((i) => i.status === 'not-listed').map((i) => i.kb)).toEqual(c.expect.notListed);
      expect(r.caveat.en).toContain('not proof');
      return [...r.cites];
    }
    case 'deployment': {
      const p = activationPlan(c.input.year);
      expect(p.steps.map((s) => s.slmgr)).toEqual(c.expect.steps);
      expect(p.activationId).toBe(c.expect.activationId);
      return [...p.cites];
    }
  }
};

describe.each(files)('$file', ({ cases }) => {
  it.each(cases)('$name', (c) => {
    if (c.kind === 'entitlement') {
      const q = toEsuQuestion(c.asOf ? { asOf: c.asOf, ...c.input } : c.input);
      const v = evaluateEsu(q, new Trace());
      checkPart('licensed', v.licensed, c.expect.licensed);
      checkPart('updates', v.updates, c.expect.updates);
      if (c.expect.coverage) expect(v.coverage?.status).toBe(c.expect.coverage);
      return;
    }
    const cited = run(c);
    expect(cited).toEqual(expect.arrayContaining(c.expect.cites));
    if (c.kind === 'quote') for (const id of c.expect.notCites) expect(cited).not.toContain(id);
  });
});

describe('ESU cases as a whole', () => {
  const all = files.flatMap((f) => f.cases);

  it('has cases of every kind', () => {
    const kinds = new Set(all.map((c) => c.kind));
    expect([...kinds].sort()).toEqual([
      'catalogue',
      'deployment',
      'entitlement',
      'ledger',
      'orders',
      'quote',
      'readiness',
    ]);
  });

  it('expects every ESU clause, decision and info alike, to be cited by some case', () => {
    const expected = expectedCites(files);
    const untested = allClauses()
      .filter((c) => c.document === 'ESU')
      .map((c) => c.id)
      .filter((id) => !expected.has(id));
    expect(untested).toEqual([]);
  });

  it('answers every boundary date, with and without the year it needs', () => {
    const boundaries = [
      '2020-01-14',
      '2020-01-15',
      '2021-01-12',
      '2021-01-13',
      '2022-01-11',
      '2022-01-12',
      '2023-01-10',
      '2023-01-11',
    ];
    const entitlement = all.filter((c) => c.kind === 'entitlement');
    for (const day of boundaries) {
      const onDay = entitlement.filter((c) => c.asOf === day);
      expect(onDay.length, day).toBeGreaterThanOrEqual(2);
    }
  });
});
