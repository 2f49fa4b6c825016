-- How a statement's references are checked (0004's kenri_references_hold) no longer rests on the planner's
-- estimates: a statement that writes few rows next to a large parent looks each reference up in the parent's
-- key, and any other hashes the parent once.
--
-- 0004 left the join to the planner, which plans it from estimates of the parent that are wrong while an
-- import fills it: a table never analysed is guessed from its pages. An import that writes rows as it reads
-- them (insert-new.ts) runs one statement per 2,000 rows, and for 200,000 devices' preinstalled licences the
-- planner, guessing the devices a third of their number, read and sorted all of them for every batch: 60 ms a
-- batch by the end and growing with each one (quadratic). Looking 2,000 references up in the key takes a few
-- milliseconds whatever the parent's size. For a million rows written at once it chose a merge join, two
-- sorts of a million rows (2.9 s), or with sorting forbidden a million lookups (3.4 s), where hashing the
-- parent takes 1.6 s. So: when the rows written are fewer than twice the parent's pages (a page holds dozens of
-- rows, so reading the parent could not be cheaper), a nested loop over the key; otherwise a hash join, for
-- a million rows written at once, or a parent of a few pages (a plan's verdicts and their outcomes).
-- Everything else is as in 0004: the same query, the same error, the same locks.
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
