import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { migrate, migrations } from './migrate.ts';
import { wrapPglite } from './pglite.ts';
import { planVerdicts } from './plans.ts';

const input = { device: { id: 'SN1', licences: [] }, users: [], allocated: 'ea/ent' };

/** A store as 0008 left it, with a plan whose verdict carries its own input. */
const before0009 = async (db: Db) => {
  await migrate(
    db,
    migrations().filter((m) => m.version < '0009'),
  );
  await db.exec(`
    insert into organisations (id, name) values ('acme', 'Acme');
    insert into plans (id, org_id, actor, as_of, rules_version, input, summary)
    values (1, 'acme', 'test', '2025-06-01', 'v', '{}', '{}');
    insert into plan_outcomes (org_id, plan_id, id, verdict, cites, reasons, remedies)
    values ('acme', 1, 1, 'allowed', '{RR-01}', '[]', '[]');`);
  await db.query(
    `insert into plan_verdicts (plan_id, org_id, device_key, verdict, outcome, input)
     values (1, 'acme', 'SN1', 'allowed', 1, $1)`,
    [JSON.stringify(input)],
  );
};

const inputs = async (db: Db, plan: number) => {
  const out: unknown[] = [];
  for await (const page of planVerdicts(db, 'acme', plan)) out.push(...page.map((v) => v.input));
  return out;
};

describe('migration 0009: the facts of a plan are kept once, beside its verdicts', () => {
  let pglite: PGlite;
  let db: Db;
  beforeAll(async () => {
    pglite = await PGlite.create();
    db = wrapPglite(pglite);
    await before0009(db);
    expect(await migrate(db)).toEqual(['0009_plan_inputs']);
  });
  afterAll(() => pglite.close());

  it('reads a plan saved before it exactly as it was saved', async () => {
    expect(await inputs(db, 1)).toEqual([input]);
  });

  it('reads a verdict without an input of its own from the facts kept with its plan', async () => {
    await db.exec(`
      insert into plans (id, org_id, actor, as_of, rules_version, input, summary)
      values (2, 'acme', 'test', '2025-06-01', 'v', '{}', '{}');
      insert into plan_outcomes (org_id, plan_id, id, verdict, cites, reasons, remedies)
      values ('acme', 2, 1, 'allowed', '{RR-01}', '[]', '[]');
      insert into plan_inputs (org_id, plan_id, device_key, facts)
      values ('acme', 2, 'SN1', '{"device":{"id":"SN1","licences":[]},"users":[]}');
      insert into plan_verdicts (plan_id, org_id, device_key, verdict, outcome, allocated)
      values (2, 'acme', 'SN1', 'allowed', 1, 'ea/ent');`);
    expect(await inputs(db, 2)).toEqual([input]);
  });

  it('refuses facts for a plan that does not exist, and a plan deleted from under its facts', async () => {
    await expect(
      db.exec(
        `insert into plan_inputs (org_id, plan_id, device_key, facts) values ('acme', 99, 'SN1', '{}')`,
      ),
    ).rejects.toMatchObject({ code: '23503', constraint: 'plan_inputs_org_id_plan_id_fkey' });
    await expect(
      db.exec(`delete from plan_verdicts where plan_id = 2; delete from plan_outcomes where plan_id = 2;
               delete from plans where id = 2`),
    ).rejects.toMatchObject({ code: '23503', constraint: 'plan_inputs_org_id_plan_id_fkey' });
  });
});
