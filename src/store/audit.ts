import type { Db } from './db.ts';

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly entityKey: string | null;
  readonly detail: unknown;
}

/** The audit trail of one organisation, newest first; narrowed to one entity (and key) when given. */
export const auditEntries = (
  db: Db,
  org: string,
  options: { entity?: string; key?: string; limit?: number; afterId?: number } = {},
): Promise<AuditEntry[]> =>
  db.query<AuditEntry>(
    `select id, at, actor, action, entity, entity_key as "entityKey", detail from audit_log
     where org_id = $1 and ($2::text is null or entity = $2) and ($3::text is null or entity_key = $3)
       and id > $5
     order by id desc limit $4`,
    [org, options.entity ?? null, options.key ?? null, options.limit ?? 100, options.afterId ?? 0],
  );

export const countAudit = async (db: Db, org: string): Promise<number> =>
  (await db.query<{ n: number }>('select count(*)::int as n from audit_log where org_id = $1', [org]))[0]
    ?.n ?? 0;
