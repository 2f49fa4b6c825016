import { describe, expect, it } from 'vitest';
import { esu } from '../data/esu.ts';
import { InputError } from '../model/input-error.ts';
import { foldForSearch, searchCatalogue } from './catalogue-search.ts';
import { coverageOf, expiringOrders, parseOrder, parseOrders } from './orders.ts';
import { addPrice, quoteEsu, taxOn } from './quote.ts';

describe('searchCatalogue', () => {
  it('folds width, case, dashes and spaces', () => {
    expect(foldForSearch('  ＺＣＳＰ‐SS／f0fl732n ')).toBe('zcsp-ss/f0fl732n');
    expect(searchCatalogue('ｅｓｕ　２０２０').hits.map((h) => h.year)).toEqual([1]);
  });

  it('shows an unknown price as unknown, never 0, with the source and coverage of each row', () => {
    const hits = searchCatalogue('ESU').hits;
    expect(hits.map((h) => h.unitPrice)).toEqual([7259, 'unknown', 'unknown']);
    expect(hits[1]).toMatchObject({ source: 'ESU-09', coverage: { from: '2021-01-13', to: '2022-01-11' } });
  });

  it('lists every row for a blank keyword and carries the CSP channel note (ESU-01)', () => {
    const r = searchCatalogue('');
    expect(r.hits).toHaveLength(3);
    expect(r.cites).toEqual(['ESU-11', 'ESU-01']);
    expect(r.note.ja).toContain('CSP');
  });

  it('finds a price entered later under its new row', () => {
    const prices = addPrice(2, 14518, 'distributor price list', '2020-12-01');
    expect(searchCatalogue('ESU', prices).hits.map((h) => h.unitPrice)).toEqual([7259, 14518, 'unknown']);
  });
});

describe('quoteEsu', () => {
  it('rounds consumption tax down per line, as stated in taxOn', () => {
    expect(taxOn(7259, 0.1)).toBe(725);
    expect(taxOn(72590, 0.1)).toBe(7259);
    expect(taxOn(9, 0.1)).toBe(0);
    // 0.1 is not exact in binary: whole-percent integer arithmetic keeps 3 × 0.1 from becoming 0.30000000000000004.
    expect(taxOn(3, 0.1)).toBe(0);
    expect(taxOn(30, 0.1)).toBe(3);
  });

  it('gives each line with its coverage window, and warns when a year bought late is already over', () => {
    const r = quoteEsu({ devices: 2, years: [1], asOf: '2021-03-01' });
    if (!r.ok) throw new Error(r.refusal.code);
    expect(r.quote.lines[0]).toMatchObject({
      year: 1,
      code: 'ZCSP-SS/F0FL732N',
      unitPrice: 7259,
      quantity: 2,
      subtotal: 14518,
      tax: 1451,
      total: 15969,
      coverage: { from: '2020-01-15', to: '2021-01-12' },
    });
    expect(r.quote.warnings[0]?.en).toContain('prerequisite of later years');
    expect(r.quote.taxRate).toBe(esu.consumptionTax.rate);
  });

  it('refuses bad requests as an InputError naming the field', () => {
    expect(() => quoteEsu({ devices: 0, years: [1] })).toThrow(InputError);
    expect(() => quoteEsu({ devices: 1, years: [] })).toThrow(/years/);
    expect(() => quoteEsu({ devices: 1.5, years: [1] })).toThrow(/devices/);
  });
});

describe('addPrice', () => {
  it('returns a new list, keeping the code and name the year already had', () => {
    const before = esu.prices;
    const after = addPrice(1, 7500, 'price revision', '2020-06-01');
    expect(before.find((p) => p.year === 1)?.unitPrice).toBe(7259);
    expect(after.find((p) => p.year === 1)).toMatchObject({
      unitPrice: 7500,
      code: 'ZCSP-SS/F0FL732N',
      checked: '2020-06-01',
      source: 'price revision',
    });
    expect(after.map((p) => p.year)).toEqual([1, 2, 3]);
  });

  it('refuses 0 (an unknown price is null, ESU-09), other years and undated prices', () => {
    expect(() => addPrice(2, 0, 'x', '2020-12-01')).toThrow(InputError);
    expect(() => addPrice(4, 100, 'x', '2020-12-01')).toThrow(InputError);
    expect(() => addPrice(2, 100, '', '2020-12-01')).toThrow(InputError);
    expect(() => addPrice(2, 100, 'x', '2020-13-01')).toThrow(InputError);
  });
});

describe('orders', () => {
  const order = { year: 1, quantity: 50, orderedOn: '2019-12-16', partner: 'DIS', reference: 'A-1' } as const;

  it('validates an order and names the bad fields', () => {
    expect(parseOrder(order)).toEqual(order);
    try {
      parseOrder({ ...order, year: 4, quantity: 0, renews: true });
      throw new Error('expected an InputError');
    } catch (e) {
      expect((e as InputError).issues.map((i) => i.path).sort()).toEqual(['quantity', 'renews', 'year']);
    }
  });

  it('adds up orders per year with the cumulative ceiling', () => {
    const orders = parseOrders([
      order,
      { ...order, quantity: 30, reference: 'A-2' },
      { ...order, year: 2, quantity: 100, reference: 'B-1' },
      { ...order, year: 3, quantity: 60, reference: 'C-1' },
    ]);
    expect(coverageOf(orders).map((y) => [y.year, y.ordered, y.usable])).toEqual([
      [1, 80, 80],
      [2, 100, 80],
      [3, 60, 60],
    ]);
  });

  it('lists orders ending soon, soonest first, and says when nothing follows year 3', () => {
    const orders = parseOrders([
      { ...order, year: 3, reference: 'C-1' },
      { ...order, year: 2, reference: 'B-1' },
    ]);
    expect(
      expiringOrders(orders, '2022-01-01', 10).expiring.map((e) => [e.order.reference, e.daysLeft]),
    ).toEqual([['B-1', 10]]);
    const last = expiringOrders(orders, '2023-01-10', 0).expiring;
    expect(last.map((e) => [e.order.reference, e.nextYear])).toEqual([['C-1', undefined]]);
    expect(last[0]?.text.en).toContain('no ESU follows');
    expect(expiringOrders(orders, '2023-01-11', 365).expiring).toEqual([]);
  });

  it('says how many licences of the next year are already ordered', () => {
    const orders = parseOrders([order, { ...order, year: 2, quantity: 20, reference: 'B-1' }]);
    const [e] = expiringOrders(orders, '2021-01-01', 30).expiring;
    expect(e).toMatchObject({ nextYear: 2, nextYearOrdered: 20 });
  });
});
