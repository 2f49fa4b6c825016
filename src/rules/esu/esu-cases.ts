import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { isClauseId } from '../../sources/clause-ids.ts';

/**
 * ESU case files. An entitlement case expects two answers (licensed, updates), so it cannot use the
 * reimaging Case schema; the other kinds exercise the ordering, ledger and deployment functions, which cite
 * clauses without giving a verdict. Every case asserts the clauses cited, so the explanation is tested too.
 */
const Cite = z.string().refine(isClauseId, 'unknown clause id');
const Cites = z.array(Cite).default([]);
const Year = z.union([z.literal(1), z.literal(2), z.literal(3)]);

const PartExpect = z.strictObject({
  verdict: z.enum(['allowed', 'denied', 'conditional']),
  cites: Cites,
  notCites: Cites,
  remedies: z.array(z.string()).default([]),
  missing: z.array(z.string()).default([]),
});

const common = { name: z.string().min(10), source: z.string().optional() };

const Entitlement = z.strictObject({
  ...common,
  kind: z.literal('entitlement'),
  asOf: z.string().optional(),
  input: z.record(z.string(), z.unknown()),
  expect: z.strictObject({
    licensed: PartExpect,
    updates: PartExpect,
    coverage: z.enum(['in-support', 'covered', 'not-covered', 'ended']).optional(),
  }),
});

const Catalogue = z.strictObject({
  ...common,
  kind: z.literal('catalogue'),
  input: z.strictObject({ keyword: z.string() }),
  expect: z.strictObject({ years: z.array(Year), codes: z.array(z.string()).optional(), cites: Cites }),
});

const Quote = z.strictObject({
  ...common,
  kind: z.literal('quote'),
  input: z.strictObject({
    devices: z.number(),
    years: z.array(z.number()),
    alreadyOwned: z.array(z.number()).optional(),
    asOf: z.string().optional(),
    taxRounding: z.enum(['per-line', 'per-invoice']).optional(),
    /** Prices entered with addPrice before quoting. */
    addPrices: z
      .array(
        z.strictObject({ year: z.number(), unitPrice: z.number(), source: z.string(), checked: z.string() }),
      )
      .optional(),
  }),
  expect: z.strictObject({
    outcome: z.enum(['quoted', 'refused']),
    refusal: z.enum(['price-unknown', 'not-cumulative', 'tax-rate-unknown']).optional(),
    years: z.array(Year).optional(),
    subtotal: z.number().optional(),
    tax: z.number().optional(),
    total: z.number().optional(),
    cites: Cites,
    notCites: Cites,
  }),
});

const Orders = z.strictObject({
  ...common,
  kind: z.literal('orders'),
  input: z.strictObject({ orders: z.array(z.unknown()), asOf: z.string(), withinDays: z.number() }),
  expect: z.strictObject({
    expiring: z.array(z.string()),
    usable: z.array(z.number()).optional(),
    cites: Cites,
  }),
});

const LedgerStep = z.union([
  z.strictObject({ activate: z.string(), on: z.string() }),
  z.strictObject({ remove: z.string(), on: z.string() }),
  z.strictObject({ enterKey: z.enum(['same', 'other']) }),
]);

const Ledger = z.strictObject({
  ...common,
  kind: z.literal('ledger'),
  input: z.strictObject({
    year: z.number(),
    licencesBought: z.number(),
    noticeReceivedOn: z.string(),
    org: z.record(z.string(), z.string()).optional(),
    steps: z.array(LedgerStep),
  }),
  expect: z.strictObject({
    outcomes: z.array(z.string()),
    used: z.number(),
    request: z
      .strictObject({
        additionalActivations: z.number(),
        partialProductKey: z.string(),
        missing: z.array(z.string()),
      })
      .optional(),
    cites: Cites,
  }),
});

const Readiness = z.strictObject({
  ...common,
  kind: z.literal('readiness'),
  input: z.strictObject({ updates: z.array(z.string()).nullable(), asOf: z.string() }),
  expect: z.strictObject({ listed: z.array(z.string()), notListed: z.array(z.string()), cites: Cites }),
});

const Deployment = z.strictObject({
  ...common,
  kind: z.literal('deployment'),
  input: z.strictObject({ year: Year }),
  expect: z.strictObject({ steps: z.array(z.string()), activationId: z.string(), cites: Cites }),
});

export const EsuCase = z.preprocess(
  (raw) => (raw && typeof raw === 'object' && !('kind' in raw) ? { kind: 'entitlement', ...raw } : raw),
  z.discriminatedUnion('kind', [Entitlement, Catalogue, Quote, Orders, Ledger, Readiness, Deployment]),
);
export type EsuCase = z.output<typeof EsuCase>;

export interface EsuCaseFile {
  readonly file: string;
  readonly cases: readonly EsuCase[];
}

const here = fileURLToPath(new URL('./cases/', import.meta.url));

/** Every ESU case file, parsed and checked; a malformed case fails loudly with file, case and field. */
export const loadEsuCases = (dir = here): EsuCaseFile[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const parsed = z.array(EsuCase).safeParse(parse(readFileSync(join(dir, f), 'utf8')));
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new Error(`${f}: ${i?.path.join('.')}: ${i?.message}`);
      }
      return { file: f, cases: parsed.data };
    });

/** Every clause some case expects to be cited. */
export const expectedCites = (files: readonly EsuCaseFile[]): Set<string> => {
  const all = new Set<string>();
  for (const { cases } of files)
    for (const c of cases) {
      const lists =
        c.kind === 'entitlement' ? [c.expect.licensed.cites, c.expect.updates.cites] : [c.expect.cites];
      for (const l of lists) for (const id of l) all.add(id);
    }
  return all;
};
