import { z } from 'zod';
import { loadData } from './load.ts';

const EsuYear = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const EsuFile = z.strictObject({
  checked: z.string(),
  product: z.strictObject({ product: z.string(), version: z.string() }),
  endOfSupport: z.strictObject({ date: z.string(), source: z.string() }),
  eligibleEditions: z.strictObject({ editions: z.array(z.string()), source: z.string() }),
  years: z.array(
    z.strictObject({
      year: EsuYear,
      from: z.string(),
      to: z.string(),
      activationId: z.string().regex(/^[0-9a-f-]{36}$/),
      source: z.string(),
    }),
  ),
  cumulative: z.strictObject({ value: z.boolean(), source: z.string() }),
  prerequisites: z.array(
    z.strictObject({
      kb: z.string().regex(/^KB\d+$/),
      kind: z.string(),
      title: z.strictObject({ ja: z.string(), en: z.string() }),
      source: z.string(),
    }),
  ),
  prices: z.array(
    z.strictObject({
      year: EsuYear,
      code: z.string().optional(),
      name: z.string().optional(),
      unitPrice: z.number().int().positive().nullable(),
      currency: z.string().optional(),
      taxIncluded: z.boolean().optional(),
      source: z.string(),
    }),
  ),
  consumptionTax: z.strictObject({ rate: z.number(), from: z.string(), source: z.string() }),
});

export type EsuYear = z.output<typeof EsuYear>;
export const esu = loadData('esu.yaml', EsuFile);

/** The ESU year whose coverage window holds `date`, or undefined before or after the programme. */
export const esuYearOn = (date: string): EsuYear | undefined => {
  for (const y of esu.years) if (y.from <= date && date <= y.to) return y.year;
  return undefined;
};

export const lastEsuDay = (): string => esu.years[esu.years.length - 1]!.to;
