import type { Db } from './db.ts';

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  /** The row written; null on an import's insert chunk, which names its rows in entityKeys. */
  readonly entityKey: string | null;
  /** The rows an import's insert chunk wrote (migration 0004), in key order; null otherwise. */
  readonly entityKeys: string[] | null;
  readonly detail: unknown;
}

/**
 * The audit trail of one organisation, newest first; narrowed to one entity when given, and to one key:
 * the rows that name it, an insert chunk that lists it among others included.
 */
export const auditEntries = (
  db: Db,
  org: string,
  options: { entity?: string; key?: string; limit?: number; afterId?: number } = {},
): Promise<AuditEntry[]> =>
  db.query<AuditEntry>(
    `select id, at, actor, action, entity, entity_key as "entityKey", entity_keys as "entityKeys", detail
     from audit_log
     where org_id = $1 and ($2::text is null or entity = $2)
       and ($3::text is null or entity_key = $3 or $3 = any(entity_keys))
       and id > $5
     order by id desc limit $4`,
    [org, options.entity ?? null, options.key ?? null, options.limit ?? 100, options.afterId ?? 0],
  );

export const countAudit = async (db: Db, org: string): Promise<number> =>
  (await db.query<{ n: number }>('select count(*)::int as n from audit_log where org_id = $1', [org]))[0]
    ?.n ?? 0;
