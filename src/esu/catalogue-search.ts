import { type EsuPrice, type EsuYear, esu, esuYearWindow } from '../data/esu.ts';
import type { Text } from '../engine/text.ts';
import { catalogueSearch, cspChannel } from '../rules/esu/rules.ts';
import type { ClauseId } from '../sources/clause-ids.ts';

/** One row of the CSP price list as a search shows it. */
export interface CatalogueHit {
  readonly year: EsuYear;
  /** CSP product code; undefined until the distributor publishes it for that year. */
  readonly code: string | undefined;
  readonly name: string;
  /** Yen before tax, or 'unknown' (ESU-09): never 0. */
  readonly unitPrice: number | 'unknown';
  readonly currency: string;
  readonly coverage: { readonly from: string; readonly to: string };
  readonly source: string;
  readonly checked: string | undefined;
}

export interface CatalogueResult {
  readonly keyword: string;
  readonly hits: readonly CatalogueHit[];
  /** ESU-11 (finding the plan by "ESU"), ESU-01 (sold through CSP). */
  readonly cites: readonly ClauseId[];
  /** The CSP channel note (ESU-01), to show beside the hits. */
  readonly note: Text;
}

/**
 * Folds what people type into one form: NFKC turns full-width "ＥＳＵ" into "ESU", every dash becomes "-",
 * case and runs of spaces stop mattering. The flyer itself prints the code with U+2010 hyphens.
 */
export const foldForSearch = (text: string): string =>
  text
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\ufe63\uff0d]/g, '-')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

const rowName = (p: EsuPrice): string => p.name ?? `Windows 7 Extended Security Updates year ${p.year}`;

// Words each row is found by besides its name and code: the plan family as the ordering portal calls it.
const familyWords = 'esu extended security updates windows 7 win7 拡張セキュリティ更新 有償サポート延長';

const hitOf = (p: EsuPrice): CatalogueHit => {
  const w = esuYearWindow(p.year);
  return {
    year: p.year,
    code: p.code,
    name: rowName(p),
    unitPrice: p.unitPrice ?? 'unknown',
    currency: p.currency ?? 'JPY',
    coverage: { from: w.from, to: w.to },
    source: p.source,
    checked: p.checked,
  };
};

/**
 * Searches the CSP price list as the ordering portal's plan-family field does (ESU-11): every word typed must
 * appear in a row's code, name or plan family. A blank keyword lists every row.
 */
export const searchCatalogue = (
  keyword: string,
  prices: readonly EsuPrice[] = esu.prices,
): CatalogueResult => {
  const words = foldForSearch(keyword).split(' ').filter(Boolean);
  const hits = prices
    .filter((p) => {
      const hay = foldForSearch(`${p.code ?? ''} ${rowName(p)} year ${p.year} ${familyWords}`);
      return words.every((w) => hay.includes(w));
    })
    .map(hitOf)
    .sort((a, b) => a.year - b.year);
  return {
    keyword,
    hits,
    cites: [...catalogueSearch.clauses, ...cspChannel.clauses],
    note: esu.sales.note,
  };
};
