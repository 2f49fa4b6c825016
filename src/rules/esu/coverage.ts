import { ESU_YEARS, type EsuYear, esu, esuYearOn, lastEsuDay } from '../../data/esu.ts';

/**
 * Where a date stands for a device's ESU years. Each year covers a fixed window whenever it is bought
 * (ESU-08), and a year counts only with every year before it (years are cumulative: esu.yaml `cumulative`),
 * so year 2 alone covers nothing.
 */
export type EsuCoverage =
  /** On or before Windows 7's end of support (2020-01-14): no ESU is needed yet (ESU-02). */
  | { readonly status: 'in-support'; readonly endOfSupport: string }
  /** The year holding the date is bought, and every year before it. */
  | { readonly status: 'covered'; readonly year: EsuYear }
  /**
   * The year holding the date, or an earlier one, is not bought. `gap` says the year itself was bought but an
   * earlier one was not, which is why it still does not count.
   */
  | {
      readonly status: 'not-covered';
      readonly year: EsuYear;
      readonly missing: readonly EsuYear[];
      readonly gap: boolean;
    }
  /** After the last ESU day (2023-01-10): nothing covers Windows 7 any more (ESU-02). */
  | { readonly status: 'ended'; readonly lastDay: string };

/** ESU coverage of `date` for the years bought for one device. Pure; `years` may be unsorted or repeat. */
export const esuCoverage = (years: readonly number[], date: string): EsuCoverage => {
  if (date <= esu.endOfSupport.date) return { status: 'in-support', endOfSupport: esu.endOfSupport.date };
  const year = esuYearOn(date);
  if (year === undefined) return { status: 'ended', lastDay: lastEsuDay() };
  const missing = ESU_YEARS.filter((y) => y <= year && !years.includes(y));
  if (missing.length === 0) return { status: 'covered', year };
  return { status: 'not-covered', year, missing, gap: years.includes(year) };
};

/** Whether the years bought cover `date` (the boolean the reimaging engine's downgrade check needs). */
export const esuCovers = (years: readonly number[], date: string): boolean =>
  esuCoverage(years, date).status === 'covered';
