-- How a statement's references are checked (0004's kenri_references_hold) no longer rests on the planner's
-- estimates: a statement that writes few rows beside a large parent looks each reference up in the parent's
-- key, and any other hashes the parent once.
--
-- 0004 left the join to the planner, which plans it from estimates that are wrong while an import fills the
-- parent: a table never analysed is guessed from its pages. A first import inserts a million devices'
-- preinstalled licences in one statement (insert-new.ts), and for their check the planner, guessing the
-- devices a third of their number, chose a merge join that sorted both sides (2.9 s), or, with sorting
-- forbidden, a million lookups in the key (3.4 s), where hashing the devices once takes 1.6 s. Forcing the
-- hash join everywhere would hash the whole parent for a statement of one row, and statements of 2,000 rows
-- written one after another (tried: an import writing rows as it read them) were checked by reading and
-- sorting all the devices each time, 60 ms a batch and growing. So: when the rows written are fewer than
-- twice the parent's pages (a page holds dozens of rows, so reading the parent could not be cheaper), a
-- nested loop over the key; otherwise a hash join. Everything else is as in 0004: the same query, the same
-- error, the same locks.
create or replace function kenri_references_hold() returns trigger language plpgsql
  set enable_material = off set enable_mergejoin = off set enable_nestloop = on set enable_hashjoin = on as $$
declare
  i int := 0;
  written bigint;
  probe boolean;
  orphan text;
begin
  select count(*) into written from kenri_new;
  while i < tg_nargs loop
    probe := written < 2 * pg_relation_size(tg_argv[i + 1]::regclass) / current_setting('block_size')::int;
    -- Local to this function: its SET clause restores them when it returns.
    perform set_config('enable_nestloop', probe::text, true);
    perform set_config('enable_hashjoin', (not probe)::text, true);
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
    -- FOR KEY SHARE, as a foreign key does (0004).
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
