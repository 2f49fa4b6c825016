import { type EsuPrice, esu } from '../data/esu.ts';
import { addPrice } from '../esu/quote.ts';
import type { Db } from './db.ts';
import { changes, writeAudit } from './esu-audit.ts';
import { requireOrganisation } from './merge.ts';

interface PriceRow {
  year: 1 | 2 | 3;
  unitPrice: number | null;
  currency: string;
  source: string;
  checked: string;
}

const enteredPrices = (db: Db, org: string): Promise<PriceRow[]> =>
  db.query<PriceRow>(
    `select year, unit_price as "unitPrice", currency, source, checked from esu_prices
     where org_id = $1 order by year`,
    [org],
  );

/**
 * The organisation's ESU price list: the shipped list (src/data/esu.yaml) with the prices it entered laid
 * over it, year by year. A year nobody priced stays unknown (null), never 0 (ESU-09).
 */
export const esuPriceList = async (db: Db, org: string): Promise<EsuPrice[]> => {
  let list: EsuPrice[] = [...esu.prices];
  for (const p of await enteredPrices(db, org))
    list =
      p.unitPrice === null
        ? list.map((r) => (r.year === p.year ? { ...r, unitPrice: null, source: p.source } : r))
        : addPrice(p.year, p.unitPrice, p.source, p.checked, list);
  return list;
};

/**
 * Enters one year's price as the distributor announced it (ESU-03, ESU-09): a positive whole number of yen
 * before tax, with where it came from and the day it was checked. Re-entering the same price writes nothing.
 */
export const setEsuPrice = (
  db: Db,
  org: string,
  input: { year: number; unitPrice: number; source: string; checked: string },
  actor: string,
): Promise<EsuPrice> =>
  db.transaction(async (tx) => {
    await requireOrganisation(tx, org);
    // addPrice validates (year 1–3, a positive price, a source, a date) and keeps the shipped code and name.
    const row = addPrice(
      input.year,
      input.unitPrice,
      input.source,
      input.checked,
      await esuPriceList(tx, org),
    )
      .filter((r) => r.year === input.year)
      .at(0)!;
    const stored = {
      unit_price: row.unitPrice,
      currency: row.currency ?? 'JPY',
      source: row.source,
      checked: row.checked,
    };
    const [before] = await tx.query<Record<string, unknown>>(
      `select unit_price, currency, source, checked from esu_prices where org_id = $1 and year = $2 for update`,
      [org, row.year],
    );
    const diff = before ? changes(before, stored) : undefined;
    if (diff && Object.keys(diff).length === 0) return row;
    await tx.query(
      `insert into esu_prices (org_id, year, unit_price, currency, source, checked) values ($1, $2, $3, $4, $5, $6)
       on conflict (org_id, year) do update set unit_price = excluded.unit_price, currency = excluded.currency,
         source = excluded.source, checked = excluded.checked, updated_at = now()`,
      [org, row.year, stored.unit_price, stored.currency, stored.source, stored.checked],
    );
    await writeAudit(
      tx,
      org,
      actor,
      before ? 'update' : 'insert',
      'esu_prices',
      `year ${row.year}`,
      diff ?? stored,
    );
    return row;
  });
