import { z } from 'zod';
import { loadData } from './load.ts';

export const EsuYear = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type EsuYear = z.output<typeof EsuYear>;

const Localised = z.strictObject({ ja: z.string().min(1), en: z.string().min(1) });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Month = z.string().regex(/^\d{4}-\d{2}$/);

/** One price-list row. `unitPrice: null` means the price is not known yet (ESU-09): never read it as 0. */
export const EsuPrice = z.strictObject({
  year: EsuYear,
  code: z.string().optional(),
  name: z.string().optional(),
  unitPrice: z.number().int().positive().nullable(),
  currency: z.string().optional(),
  taxIncluded: z.boolean().optional(),
  source: z.string().min(1),
  checked: Day.optional(),
});
export type EsuPrice = z.output<typeof EsuPrice>;

const EsuFile = z.strictObject({
  checked: z.string(),
  product: z.strictObject({ product: z.string(), version: z.string() }),
  endOfSupport: z.strictObject({ date: Day, source: z.string() }),
  sales: z.strictObject({
    csp: z.strictObject({ from: Month, source: z.string() }),
    lsp: z.strictObject({ until: Month, source: z.string() }),
    note: Localised,
  }),
  eligibleEditions: z.strictObject({ editions: z.array(z.string()), source: z.string() }),
  years: z.array(
    z.strictObject({
      year: EsuYear,
      from: Day,
      to: Day,
      activationId: z.string().regex(/^[0-9a-f-]{36}$/),
      source: z.string(),
    }),
  ),
  cumulative: z.strictObject({ value: z.boolean(), source: z.string() }),
  updatesFrom: z.strictObject({ month: Month, source: z.string() }),
  prerequisites: z.array(
    z.strictObject({
      kb: z.string().regex(/^KB\d+$/),
      kind: z.string(),
      from: Day.optional(),
      title: Localised,
      source: z.string(),
    }),
  ),
  mak: z.strictObject({
    keysPerOrganisation: z.strictObject({ value: z.number().int().positive(), source: z.string() }),
    delivery: Localised.extend({ source: z.string() }),
    limitRequest: z.strictObject({ form: z.url(), email: z.email(), source: z.string() }),
  }),
  prices: z.array(EsuPrice),
  consumptionTax: z.strictObject({ rate: z.number().min(0).max(1), from: Day, source: z.string() }),
});

export type EsuData = z.output<typeof EsuFile>;
export type EsuPrerequisite = EsuData['prerequisites'][number];
export type EsuYearWindow = EsuData['years'][number];

export const esu: EsuData = loadData('esu.yaml', EsuFile);

/** The ESU year whose coverage window holds `date`, or undefined before or after the programme. */
export const esuYearOn = (date: string): EsuYear | undefined => {
  for (const y of esu.years) if (y.from <= date && date <= y.to) return y.year;
  return undefined;
};

export const lastEsuDay = (): string => esu.years[esu.years.length - 1]!.to;

/** The coverage window and activation ID of one year (ESU-08: the same whenever the year is bought). */
export const esuYearWindow = (year: EsuYear): EsuYearWindow => {
  const w = esu.years.find((y) => y.year === year);
  if (!w) throw new Error(`data file esu.yaml: no window for ESU year ${year}`);
  return w;
};

export const ESU_YEARS: readonly EsuYear[] = esu.years.map((y) => y.year);
