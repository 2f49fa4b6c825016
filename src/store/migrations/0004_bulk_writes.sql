-- The bulk tables' references, checked once per statement instead of once per row; and an import's inserts
-- audited a chunk of keys at a time.
--
-- A foreign key looks its parent row up, and locks it, for every row written: importing a fleet's devices
-- with their licences made millions of lookups, which cost more than writing the rows (234,000 licences:
-- 5.2 s with their foreign keys, 1.7 s without and 0.4 s to check the same references as a set). The
-- triggers below check the same references with one query per statement, for every writer (kenri's
-- repositories, its imports, anyone with psql), and need no superuser. The foreign keys of the other
-- tables stay: they are written a few rows at a time.

alter table devices drop constraint devices_org_id_fkey;
alter table users drop constraint users_org_id_fkey;
alter table licences drop constraint licences_org_id_fkey;
alter table licences drop constraint licences_org_id_device_key_fkey;
alter table licences drop constraint licences_org_id_user_key_fkey;
alter table audit_log drop constraint audit_log_org_id_fkey;

-- The query that finds the rows of `source` (alias s) whose reference (cols, comma-separated) names no row
-- of `parent` (pcols), and returns the first as the reference's text, e.g. 'acme, SN1'; null when every
-- reference holds. A reference with a null in it refers to nothing (MATCH SIMPLE, as a foreign key).
--
-- No LIMIT 1: the statement usually has no orphan, so the whole join runs anyway, and a LIMIT lets the
-- planner bet on stopping early: with a parent it believes empty (a table whose rows were all written in
-- this transaction, or vacuumed away after a rolled-back import) it chose a nested loop over every parent
-- row for every written row, which on 200,000 devices ran for minutes. The trigger functions also turn
-- Materialize off, the node that loop rescans: left to choose between probing the parent's index and
-- hashing its rows, the planner costs both from the table's real size in pages.
create function kenri_orphan_query(source text, cols text, parent text, pcols text) returns text
language sql immutable as $$
  select format(
    'select min(concat_ws('', '', %s)) from %s s where %s and not exists (select from %I p where %s)',
    string_agg(format('s.%I', c), ', ' order by i),
    source,
    string_agg(format('s.%I is not null', c), ' and ' order by i),
    parent,
    string_agg(format('p.%I = s.%I', pc, c), ' and ' order by i))
  from unnest(string_to_array(cols, ','), string_to_array(pcols, ',')) with ordinality as r(c, pc, i)
$$;

-- The query that finds the rows of the transition table kenri_old (alias o) whose key (pcols) a row of
-- `child` (cols) still refers to, and returns the first as the key's text (no LIMIT, as above).
create function kenri_referenced_query(child text, cols text, pcols text) returns text
language sql immutable as $$
  select format(
    'select min(concat_ws('', '', %s)) from kenri_old o where exists (select from %I c where %s)',
    string_agg(format('o.%I', pc), ', ' order by i),
    child,
    string_agg(format('c.%I = o.%I', c, pc), ' and ' order by i))
  from unnest(string_to_array(cols, ','), string_to_array(pcols, ',')) with ordinality as r(c, pc, i)
$$;

-- Child side: after a statement inserts or updates rows, every reference of the rows it wrote (the
-- transition table kenri_new) must name a parent row. Arguments, four per reference: the constraint's
-- name, the parent table, the referencing columns and the referenced ones (comma-separated). The error is
-- the one a foreign key gives (23503, same message, constraint and table), so callers need not tell them
-- apart.
create function kenri_references_hold() returns trigger language plpgsql set enable_material = off as $$
declare
  i int := 0;
  orphan text;
begin
  while i < tg_nargs loop
    execute kenri_orphan_query('kenri_new', tg_argv[i + 2], tg_argv[i + 1], tg_argv[i + 3]) into orphan;
    if orphan is not null then
      raise exception 'insert or update on table "%" violates foreign key constraint "%"', tg_table_name, tg_argv[i]
        using errcode = 'foreign_key_violation', constraint = tg_argv[i], table = tg_table_name,
              schema = tg_table_schema,
              detail = format('Key (%s)=(%s) is not present in table "%s".',
                              replace(tg_argv[i + 2], ',', ', '), orphan, tg_argv[i + 1]);
    end if;
    -- Under REPEATABLE READ or SERIALIZABLE the check above saw the transaction's snapshot, which may still
    -- show a parent row a concurrent transaction has since deleted. There the parent rows are also locked
    -- FOR KEY SHARE, as a foreign key does: a parent deleted meanwhile is then a serialization failure, and
    -- one deleted later waits for this transaction (and its own check then sees the new rows).
    if current_setting('transaction_isolation') <> 'read committed' then
      execute format(
        'select from %I p where exists (select from kenri_new s where %s) for key share',
        tg_argv[i + 1],
        (select string_agg(format('p.%I = s.%I', pc, c), ' and ')
         from unnest(string_to_array(tg_argv[i + 2], ','), string_to_array(tg_argv[i + 3], ',')) as r(c, pc)));
    end if;
    i := i + 4;
  end loop;
  return null;
end
$$;

-- Parent side: a statement that deletes parent rows (kenri_old), changes their key or truncates the table
-- must leave no child row without its parent. Arguments, four per reference: the constraint's name, the
-- child table, the referencing columns and the referenced ones.
--
-- Under concurrency (READ COMMITTED, as kenri's transactions run): the child's check and this one each see
-- only committed rows, so a licence inserted for a device while another transaction deletes that device
-- could pass both checks, each blind to the other's uncommitted write. So this trigger first locks the
-- child table in SHARE ROW EXCLUSIVE mode, which waits for every transaction that has written the child
-- table (they hold ROW EXCLUSIVE until they end) and keeps new writers out until this one ends:
--  * a child writer that came first has committed when the check below runs, and the check, a new
--    statement with a new snapshot, sees its rows and refuses to orphan them;
--  * a child writer that comes later waits for this transaction to end before its statement can start,
--    and its own check, with a snapshot taken after that, sees the parent row gone and refuses.
-- Readers (ACCESS SHARE) are not held up; only writers of the child table wait, and only while a parent row
-- is being removed, which kenri itself never does. Under REPEATABLE READ or SERIALIZABLE the check would see
-- the transaction's first snapshot, not what committed while it waited, so there this trigger refuses.
--
-- A key update or a TRUNCATE carries no transition table of the rows changed (PostgreSQL allows none on a
-- trigger limited to some columns, and a TRUNCATE has none), so they check every child row: kenri never
-- changes a key, and a statement that does pays for a full check rather than every import for a lookup.
create function kenri_references_kept() returns trigger language plpgsql set enable_material = off as $$
declare
  i int := 0;
  orphan text;
begin
  if tg_op = 'DELETE' then
    if not exists (select from kenri_old) then
      return null;
    end if;
  end if;
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception '% on table "%" keeps its references safe only in READ COMMITTED', tg_op, tg_table_name
      using errcode = 'feature_not_supported';
  end if;
  while i < tg_nargs loop
    execute format('lock table %I in share row exclusive mode', tg_argv[i + 1]);
    if tg_op = 'DELETE' then
      execute kenri_referenced_query(tg_argv[i + 1], tg_argv[i + 2], tg_argv[i + 3]) into orphan;
    else
      execute kenri_orphan_query(format('%I', tg_argv[i + 1]), tg_argv[i + 2], tg_table_name, tg_argv[i + 3])
      into orphan;
    end if;
    if orphan is not null then
      raise exception 'update or delete on table "%" violates foreign key constraint "%" on table "%"',
                      tg_table_name, tg_argv[i], tg_argv[i + 1]
        using errcode = 'foreign_key_violation', constraint = tg_argv[i], table = tg_table_name,
              schema = tg_table_schema,
              detail = format('Key (%s)=(%s) is still referenced from table "%s".',
                              replace(tg_argv[i + 3], ',', ', '), orphan, tg_argv[i + 1]);
    end if;
    i := i + 4;
  end loop;
  return null;
end
$$;

-- The references, as the foreign keys they replace (same names, so errors read as before).
create trigger devices_references_insert after insert on devices referencing new table as kenri_new
  for each statement execute function kenri_references_hold('devices_org_id_fkey', 'organisations', 'org_id', 'id');
create trigger devices_references_update after update on devices referencing new table as kenri_new
  for each statement execute function kenri_references_hold('devices_org_id_fkey', 'organisations', 'org_id', 'id');
create trigger users_references_insert after insert on users referencing new table as kenri_new
  for each statement execute function kenri_references_hold('users_org_id_fkey', 'organisations', 'org_id', 'id');
create trigger users_references_update after update on users referencing new table as kenri_new
  for each statement execute function kenri_references_hold('users_org_id_fkey', 'organisations', 'org_id', 'id');
create trigger licences_references_insert after insert on licences referencing new table as kenri_new
  for each statement execute function kenri_references_hold(
    'licences_org_id_fkey', 'organisations', 'org_id', 'id',
    'licences_org_id_device_key_fkey', 'devices', 'org_id,device_key', 'org_id,key',
    'licences_org_id_user_key_fkey', 'users', 'org_id,user_key', 'org_id,key');
create trigger licences_references_update after update on licences referencing new table as kenri_new
  for each statement execute function kenri_references_hold(
    'licences_org_id_fkey', 'organisations', 'org_id', 'id',
    'licences_org_id_device_key_fkey', 'devices', 'org_id,device_key', 'org_id,key',
    'licences_org_id_user_key_fkey', 'users', 'org_id,user_key', 'org_id,key');
-- audit_log refuses every update (0001), so only its inserts are checked.
create trigger audit_log_references_insert after insert on audit_log referencing new table as kenri_new
  for each statement execute function kenri_references_hold('audit_log_org_id_fkey', 'organisations', 'org_id', 'id');

create trigger organisations_referenced_delete after delete on organisations referencing old table as kenri_old
  for each statement execute function kenri_references_kept(
    'devices_org_id_fkey', 'devices', 'org_id', 'id',
    'users_org_id_fkey', 'users', 'org_id', 'id',
    'licences_org_id_fkey', 'licences', 'org_id', 'id',
    'audit_log_org_id_fkey', 'audit_log', 'org_id', 'id');
create trigger organisations_referenced_update after update of id on organisations
  for each statement execute function kenri_references_kept(
    'devices_org_id_fkey', 'devices', 'org_id', 'id',
    'users_org_id_fkey', 'users', 'org_id', 'id',
    'licences_org_id_fkey', 'licences', 'org_id', 'id',
    'audit_log_org_id_fkey', 'audit_log', 'org_id', 'id');
create trigger organisations_referenced_truncate after truncate on organisations
  for each statement execute function kenri_references_kept(
    'devices_org_id_fkey', 'devices', 'org_id', 'id',
    'users_org_id_fkey', 'users', 'org_id', 'id',
    'licences_org_id_fkey', 'licences', 'org_id', 'id',
    'audit_log_org_id_fkey', 'audit_log', 'org_id', 'id');
create trigger devices_referenced_delete after delete on devices referencing old table as kenri_old
  for each statement execute function kenri_references_kept(
    'licences_org_id_device_key_fkey', 'licences', 'org_id,device_key', 'org_id,key');
create trigger devices_referenced_update after update of org_id, key on devices
  for each statement execute function kenri_references_kept(
    'licences_org_id_device_key_fkey', 'licences', 'org_id,device_key', 'org_id,key');
create trigger devices_referenced_truncate after truncate on devices
  for each statement execute function kenri_references_kept(
    'licences_org_id_device_key_fkey', 'licences', 'org_id,device_key', 'org_id,key');
create trigger users_referenced_delete after delete on users referencing old table as kenri_old
  for each statement execute function kenri_references_kept(
    'licences_org_id_user_key_fkey', 'licences', 'org_id,user_key', 'org_id,key');
create trigger users_referenced_update after update of org_id, key on users
  for each statement execute function kenri_references_kept(
    'licences_org_id_user_key_fkey', 'licences', 'org_id,user_key', 'org_id,key');
create trigger users_referenced_truncate after truncate on users
  for each statement execute function kenri_references_kept(
    'licences_org_id_user_key_fkey', 'licences', 'org_id,user_key', 'org_id,key');

-- An import's inserts are audited a chunk at a time: one row (action 'insert', entity_key null) per up to
-- 10,000 inserted rows, their keys in entity_keys, the count and the import's source in detail. A million
-- devices wrote a million audit rows, each with a copy of the row as jsonb; now they write a hundred.
-- Nothing is lost: an inserted row's first values are its current values with the "from" of each later
-- update applied back, newest first, and every update still writes a row of its own with from and to. That
-- holds because kenri never deletes devices, users or licences, so the row to start from is always there.
-- Updates and the repositories' single-row writes keep entity_key; the audit log stays append-only (0001's
-- triggers).
alter table audit_log add column entity_keys text[];
-- Kept out of line but not compressed: pglz compressing the arrays of keys was 4% of the server's time
-- in the merges of a 200,000-device import, to save a few megabytes.
alter table audit_log alter column entity_keys set storage external;
