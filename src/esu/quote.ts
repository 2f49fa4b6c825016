import { z } from 'zod';
import { ESU_YEARS, EsuPrice, EsuYear, esu, esuYearWindow, lastEsuDay } from '../data/esu.ts';
import type { Text } from '../engine/text.ts';
import { IsoDate } from '../model/facts.ts';
import { parseWith } from '../model/normalise.ts';
import { cumulativeYears, noAutoRenewal, priceList, unknownPrice } from '../rules/esu/rules.ts';
import type { ClauseId } from '../sources/clause-ids.ts';

export const QuoteRequest = z.strictObject({
  /** Devices to cover: ESU is sold from one unit (ESU-03). */
  devices: z.number().int().positive(),
  years: z.array(EsuYear).min(1),
  /** Years these devices already have, so a later year can be quoted alone (years are cumulative). */
  alreadyOwned: z.array(EsuYear).default([]),
  /** The quote's date: picks the consumption tax rate in force and flags years already over. */
  asOf: IsoDate.optional(),
  taxRounding: z.enum(['per-line', 'per-invoice']).default('per-line'),
});
export type QuoteRequest = z.input<typeof QuoteRequest>;

export interface QuoteLine {
  readonly year: EsuYear;
  readonly code: string | undefined;
  readonly name: string;
  readonly unitPrice: number;
  readonly quantity: number;
  readonly subtotal: number;
  readonly tax: number;
  readonly total: number;
  readonly coverage: { readonly from: string; readonly to: string };
  readonly source: string;
}

export interface Quote {
  readonly devices: number;
  readonly currency: 'JPY';
  readonly lines: readonly QuoteLine[];
  /** Before tax. */
  readonly subtotal: number;
  readonly tax: number;
  /** With tax. */
  readonly total: number;
  readonly taxRate: number;
  readonly taxRounding: 'per-line' | 'per-invoice';
  readonly taxSource: string;
  readonly warnings: readonly Text[];
  readonly cites: readonly ClauseId[];
}

export type QuoteRefusal =
  | {
      readonly code: 'price-unknown';
      readonly years: readonly EsuYear[];
      readonly text: Text;
      readonly cites: readonly ClauseId[];
    }
  | {
      readonly code: 'not-cumulative';
      readonly missing: readonly EsuYear[];
      readonly text: Text;
      readonly cites: readonly ClauseId[];
    }
  | {
      readonly code: 'tax-rate-unknown';
      readonly asOf: string;
      readonly text: Text;
      readonly cites: readonly ClauseId[];
    };

export type QuoteResult =
  | { readonly ok: true; readonly quote: Quote }
  | { readonly ok: false; readonly refusal: QuoteRefusal };

/**
 * Consumption tax on an amount, in whole yen, rounded down. Japanese law leaves the rounding of a fraction
 * of a yen to the seller; rounding down (切り捨て) is the common choice and the one used here. 'per-line'
 * rounds each line (as distributors' quotes do); under the qualified invoice system (from 2023-10-01) an
 * invoice rounds once per tax rate, which is 'per-invoice'. Integer arithmetic: the rate is a whole percent.
 */
export const taxOn = (amount: number, rate: number): number =>
  Math.floor((amount * Math.round(rate * 100)) / 100);

const cites = (...lists: readonly (readonly ClauseId[])[]): ClauseId[] => [...new Set(lists.flat())];

/**
 * Prices devices × years from the price list: before and after Japan's consumption tax. Refuses, naming the
 * year, when a price is not known (ESU-09: never 0), and when the years would leave a gap (a year counts only
 * with every year before it). Orders never renew by themselves (ESU-10), so a quote for year 1 is not one for 2.
 */
export const quoteEsu = (request: QuoteRequest, prices: readonly EsuPrice[] = esu.prices): QuoteResult => {
  const req = parseWith(QuoteRequest, request, 'quote');
  const years = [...new Set(req.years)].sort();
  const held = new Set<number>([...years, ...req.alreadyOwned]);
  const missing = ESU_YEARS.filter((y) => y < years[years.length - 1]! && !held.has(y));
  if (missing.length > 0)
    return {
      ok: false,
      refusal: {
        code: 'not-cumulative',
        missing,
        cites: cumulativeYears.clauses,
        text: {
          ja: `ESU の各年度はそれ以前の全年度とあわせて有効。第 ${missing.join('、')} 年度を見積もりに加えるか、購入済み (alreadyOwned) として示すこと`,
          en: `Each ESU year counts only with every year before it: add year ${missing.join(', ')} to the quote, or give it as already owned (alreadyOwned)`,
        },
      },
    };
  const rows = years.map((y) => ({ year: y, row: prices.find((p) => p.year === y) }));
  const unknown = rows.filter((r) => r.row?.unitPrice == null).map((r) => r.year);
  if (unknown.length > 0)
    return {
      ok: false,
      refusal: {
        code: 'price-unknown',
        years: unknown,
        cites: unknownPrice.clauses,
        text: {
          ja: `ESU 第 ${unknown.join('、')} 年度の価格は価格表にない (未定)。0 円として見積もることはしない。価格が発表されたら価格表に追加すること`,
          en: `The price of ESU year ${unknown.join(', ')} is not in the price list (not fixed yet); it is not quoted as 0. Add it to the price list once announced`,
        },
      },
    };
  const tax = esu.consumptionTax;
  if (req.asOf !== undefined && req.asOf < tax.from)
    return {
      ok: false,
      refusal: {
        code: 'tax-rate-unknown',
        asOf: req.asOf,
        cites: [],
        text: {
          ja: `${req.asOf} の消費税率はデータにない (${tax.from} 以降の税率のみ)`,
          en: `The data holds no consumption tax rate for ${req.asOf} (only from ${tax.from})`,
        },
      },
    };
  const lines: QuoteLine[] = rows.map(({ year, row }) => {
    const unitPrice = row!.unitPrice!;
    const subtotal = unitPrice * req.devices;
    const lineTax = taxOn(subtotal, tax.rate);
    const w = esuYearWindow(year);
    return {
      year,
      code: row!.code,
      name: row!.name ?? `Windows 7 Extended Security Updates year ${year}`,
      unitPrice,
      quantity: req.devices,
      subtotal,
      tax: lineTax,
      total: subtotal + lineTax,
      coverage: { from: w.from, to: w.to },
      source: row!.source,
    };
  });
  const subtotal = lines.reduce((s, l) => s + l.subtotal, 0);
  const totalTax =
    req.taxRounding === 'per-line' ? lines.reduce((s, l) => s + l.tax, 0) : taxOn(subtotal, tax.rate);
  const warnings: Text[] = [];
  if (req.asOf !== undefined)
    for (const l of lines)
      if (l.coverage.to < req.asOf)
        warnings.push({
          ja: `第 ${l.year} 年度の期間 (${l.coverage.to} まで) は ${req.asOf} にはすでに終わっている。後の年度の前提として購入することになる`,
          en: `Year ${l.year} coverage ended on ${l.coverage.to}, before ${req.asOf}: it is bought only as the prerequisite of later years`,
        });
  if (req.asOf !== undefined && req.asOf > lastEsuDay())
    warnings.push({
      ja: `ESU は ${lastEsuDay()} に終了している`,
      en: `ESU ended on ${lastEsuDay()}`,
    });
  return {
    ok: true,
    quote: {
      devices: req.devices,
      currency: 'JPY',
      lines,
      subtotal,
      tax: totalTax,
      total: subtotal + totalTax,
      taxRate: tax.rate,
      taxRounding: req.taxRounding,
      taxSource: tax.source,
      warnings,
      cites: cites(priceList.clauses, cumulativeYears.clauses, noAutoRenewal.clauses),
    },
  };
};

const NewPrice = z.strictObject({
  year: EsuYear,
  // An unknown price is null in the list (ESU-09); entering 0 would make it look known and free.
  unitPrice: z.number().int().positive(),
  source: z.string().trim().min(1),
  checked: IsoDate,
});

/**
 * The price list with one year's price entered (as a distributor announces it, ESU-03/ESU-09). Returns a new
 * list; the storage layer persists it. Code and name already known for that year are kept.
 */
export const addPrice = (
  year: number,
  unitPrice: number,
  source: string,
  checked: string,
  prices: readonly EsuPrice[] = esu.prices,
): EsuPrice[] => {
  const p = parseWith(NewPrice, { year, unitPrice, source, checked }, 'price');
  const old = prices.find((r) => r.year === p.year);
  const row = EsuPrice.parse({
    ...old,
    year: p.year,
    unitPrice: p.unitPrice,
    currency: old?.currency ?? 'JPY',
    taxIncluded: false,
    source: p.source,
    checked: p.checked,
  });
  return [...prices.filter((r) => r.year !== p.year), row].sort((a, b) => a.year - b.year);
};
