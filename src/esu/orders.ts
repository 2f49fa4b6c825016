import { z } from 'zod';
import { ESU_YEARS, EsuYear, esuYearWindow } from '../data/esu.ts';
import type { Text } from '../engine/text.ts';
import { IsoDate } from '../model/facts.ts';
import { parseWith } from '../model/normalise.ts';
import { cumulativeYears, noAutoRenewal } from '../rules/esu/rules.ts';
import type { ClauseId } from '../sources/clause-ids.ts';

/** One CSP order of ESU licences: a single year, never renewed by itself (ESU-10). */
export const Order = z.strictObject({
  year: EsuYear,
  quantity: z.number().int().positive(),
  orderedOn: IsoDate,
  /** The CSP partner (distributor or reseller) the order went through. */
  partner: z.string().trim().min(1),
  /** The partner's or the CSP portal's order number. */
  reference: z.string().trim().min(1),
});
export type Order = z.output<typeof Order>;

/** Checks one order as typed or imported; bad input is an InputError naming each field. */
export const parseOrder = (input: unknown, source?: string): Order => parseWith(Order, input, source);
export const parseOrders = (input: unknown, source?: string): Order[] =>
  parseWith(z.array(Order), input, source);

export interface YearCoverage {
  readonly year: EsuYear;
  readonly from: string;
  readonly to: string;
  /** Licences ordered for this year. */
  readonly ordered: number;
  /**
   * Devices this year can actually cover: a year counts only with every year before it, so at most the
   * smallest count among years 1 … this one.
   */
  readonly usable: number;
  readonly references: readonly string[];
}

/** Licences per ESU year across orders, with the window each covers (ESU-08) and the cumulative ceiling. */
export const coverageOf = (orders: readonly Order[]): YearCoverage[] => {
  let ceiling = Number.POSITIVE_INFINITY;
  return ESU_YEARS.map((year) => {
    const mine = orders.filter((o) => o.year === year);
    const ordered = mine.reduce((s, o) => s + o.quantity, 0);
    ceiling = Math.min(ceiling, ordered);
    const w = esuYearWindow(year);
    return {
      year,
      from: w.from,
      to: w.to,
      ordered,
      usable: ceiling,
      references: mine.map((o) => o.reference),
    };
  });
};

export interface ExpiringOrder {
  readonly order: Order;
  /** Last covered day of the order's year. */
  readonly endsOn: string;
  readonly daysLeft: number;
  /** The year to order next, or undefined after year 3 (nothing follows, ESU-02). */
  readonly nextYear: EsuYear | undefined;
  /** Licences already ordered for the next year, across all orders. */
  readonly nextYearOrdered: number;
  readonly text: Text;
}

const DAY = 86_400_000;
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

/**
 * Orders whose year ends within `withinDays` of `asOf` (inclusive), soonest first. Nothing renews by itself
 * (ESU-10): someone has to decide whether to order the next year, and this is the list they decide from.
 */
export const expiringOrders = (
  orders: readonly Order[],
  asOf: string,
  withinDays: number,
): { readonly expiring: readonly ExpiringOrder[]; readonly cites: readonly ClauseId[] } => {
  const expiring = orders
    .map((order): ExpiringOrder | undefined => {
      const endsOn = esuYearWindow(order.year).to;
      const daysLeft = daysBetween(asOf, endsOn);
      if (daysLeft < 0 || daysLeft > withinDays) return undefined;
      const nextYear = ESU_YEARS.find((y) => y === order.year + 1);
      const nextYearOrdered = orders.filter((o) => o.year === nextYear).reduce((s, o) => s + o.quantity, 0);
      const next = nextYear
        ? {
            ja: `第 ${nextYear} 年度は自動更新されない (発注済み ${nextYearOrdered} 本)。継続するか決めて発注すること`,
            en: `Year ${nextYear} does not follow by itself (${nextYearOrdered} ordered so far): decide and order it`,
          }
        : { ja: 'これが最終年度。この後の ESU はない', en: 'This is the last year; no ESU follows it' };
      return {
        order,
        endsOn,
        daysLeft,
        nextYear,
        nextYearOrdered,
        text: {
          ja: `注文 ${order.reference} (${order.partner}、第 ${order.year} 年度 ${order.quantity} 本) は ${endsOn} に終了 (残り ${daysLeft} 日)。${next.ja}`,
          en: `Order ${order.reference} (${order.partner}, year ${order.year}, ${order.quantity} licence(s)) ends on ${endsOn}, in ${daysLeft} day(s). ${next.en}`,
        },
      };
    })
    .filter((e): e is ExpiringOrder => e !== undefined)
    .sort((a, b) => a.daysLeft - b.daysLeft || a.order.reference.localeCompare(b.order.reference));
  return { expiring, cites: [...noAutoRenewal.clauses, ...cumulativeYears.clauses] };
};
