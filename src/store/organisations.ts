import { InputError } from '../model/input-error.ts';
import type { Db } from './db.ts';

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

const columns = 'id, name, created_at as "createdAt"';

/** Short, stable ids people type on the command line: letters, digits, '.', '_' and '-'. */
const ORG_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const getOrganisation = async (db: Db, id: string): Promise<Organisation | undefined> =>
  (await db.query<Organisation>(`select ${columns} from organisations where id = $1`, [id]))[0];

export const listOrganisations = (db: Db): Promise<Organisation[]> =>
  db.query<Organisation>(`select ${columns} from organisations order by id`);

/** Returns the organisation, creating it (and auditing that) the first time it is named. */
export const ensureOrganisation = async (
  db: Db,
  id: string,
  options: { name?: string; actor: string },
): Promise<Organisation> => {
  if (!ORG_ID.test(id))
    throw new InputError([
      {
        path: 'org',
        message: `'${id}' is not an organisation id: use letters, digits, '.', '_' or '-' (up to 64)`,
      },
    ]);
  return db.transaction(async (tx) => {
    const created = await tx.query<Organisation>(
      `insert into organisations (id, name) values ($1, $2) on conflict (id) do nothing returning ${columns}`,
      [id, options.name ?? id],
    );
    const row = created[0];
    if (!row) return (await getOrganisation(tx, id))!;
    await tx.query(
      `insert into audit_log (org_id, actor, action, entity, entity_key, detail)
       values ($1, $2, 'insert', 'organisations', $1, $3)`,
      [id, options.actor, JSON.stringify({ name: row.name })],
    );
    return row;
  });
};
