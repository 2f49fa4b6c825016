import type { Db } from './db.ts';

/**
 * One audit row for a write the ESU repositories make row by row (the bulk upserts audit in merge.ts).
 * `detail` never holds key material: callers pass the partial key, never the sealed one.
 */
export const writeAudit = async (
  tx: Db,
  org: string,
  actor: string,
  action: 'insert' | 'update',
  entity: string,
  key: string,
  detail: Record<string, unknown>,
): Promise<void> => {
  await tx.query(
    `insert into audit_log (org_id, actor, action, entity, entity_key, detail) values ($1, $2, $3, $4, $5, $6)`,
    [org, actor, action, entity, key, JSON.stringify(detail)],
  );
};

/** The fields of `after` that differ from `before`, as { field: { from, to } } for an update's audit row. */
export const changes = (
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): Record<string, { from: unknown; to: unknown }> => {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, to] of Object.entries(after)) {
    const from = before[k] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to ?? null)) out[k] = { from, to: to ?? null };
  }
  return out;
};
