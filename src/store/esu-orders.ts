import type { EsuYear } from '../data/esu.ts';
import { type Order, parseOrder } from '../esu/orders.ts';
import { InputError } from '../model/input-error.ts';
import type { Db } from './db.ts';
import { writeAudit } from './esu-audit.ts';
import { requireOrganisation } from './merge.ts';

/** An order as stored: the Order of src/esu/orders.ts, its number in the store, and when it was entered. */
export interface StoredOrder extends Order {
  readonly id: number;
  /** The partner's order number as entered; `reference` shows `#<id>` when none was given. */
  readonly enteredReference: string | null;
  readonly createdAt: string;
}

interface OrderRow {
  id: number;
  year: EsuYear;
  quantity: number;
  orderedOn: string;
  partner: string;
  reference: string | null;
  createdAt: string;
}

const stored = (r: OrderRow): StoredOrder => ({
  id: r.id,
  year: r.year,
  quantity: r.quantity,
  orderedOn: r.orderedOn,
  partner: r.partner,
  reference: r.reference ?? `#${r.id}`,
  enteredReference: r.reference,
  createdAt: r.createdAt,
});

const columns = `id, year, quantity, ordered_on as "orderedOn", partner, reference, created_at as "createdAt"`;

export interface NewOrder {
  readonly year: number;
  readonly quantity: number;
  readonly orderedOn: string;
  readonly partner: string;
  readonly reference?: string | undefined;
}

/**
 * Records one CSP order of ESU licences for one year. Nothing renews by itself (ESU-10): the next year is a
 * new order. A partner reference entered twice is refused, since counting it twice would raise the MAK
 * limit the licences set (ESU-17).
 */
export const addEsuOrder = (db: Db, org: string, input: NewOrder, actor: string): Promise<StoredOrder> =>
  db.transaction(async (tx) => {
    await requireOrganisation(tx, org);
    const reference = input.reference?.trim() || undefined;
    // The Order schema wants a reference; an order entered without one is still an order.
    const order = parseOrder({ ...input, reference: reference ?? '-' }, 'order');
    if (reference !== undefined) {
      const [dup] = await tx.query<{ id: number }>(
        'select id from esu_orders where org_id = $1 and reference = $2',
        [org, reference],
      );
      if (dup)
        throw new InputError([
          { path: 'order.reference', message: `order '${reference}' is already recorded (#${dup.id})` },
        ]);
    }
    const [row] = await tx.query<OrderRow>(
      `insert into esu_orders (org_id, year, quantity, ordered_on, partner, reference)
       values ($1, $2, $3, $4, $5, $6) returning ${columns}`,
      [org, order.year, order.quantity, order.orderedOn, order.partner, reference ?? null],
    );
    await writeAudit(tx, org, actor, 'insert', 'esu_orders', String(row!.id), {
      year: order.year,
      quantity: order.quantity,
      ordered_on: order.orderedOn,
      partner: order.partner,
      reference: reference ?? null,
    });
    return stored(row!);
  });

/** The organisation's orders, oldest first. */
export const listEsuOrders = async (db: Db, org: string): Promise<StoredOrder[]> =>
  (
    await db.query<OrderRow>(`select ${columns} from esu_orders where org_id = $1 order by ordered_on, id`, [
      org,
    ])
  ).map(stored);

/** ESU licences ordered for one year across orders: the MAK activation limit they set (ESU-17). */
export const licencesOrdered = async (db: Db, org: string, year: number): Promise<number> =>
  (
    await db.query<{ n: number }>(
      'select coalesce(sum(quantity), 0)::int as n from esu_orders where org_id = $1 and year = $2',
      [org, year],
    )
  )[0]?.n ?? 0;
