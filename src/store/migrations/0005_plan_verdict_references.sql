-- A plan's verdicts name their explanation (0003) through a foreign key: a lookup of plan_outcomes per
-- verdict written, a million of them for a large plan. Saving 200,000 verdicts by COPY took 2.9 s of
-- server CPU with that key and 1.4 s without. The reference is checked as 0004 checks the bulk tables':
-- one anti-join per statement over its transition table (kenri_references_hold), the same 23503 error
-- and constraint name, and the parent side refuses a delete, key change or truncate of plan_outcomes that
-- would orphan a verdict (kenri never does either).

alter table plan_verdicts drop constraint plan_verdicts_org_id_plan_id_outcome_fkey;

create trigger plan_verdicts_references_insert after insert on plan_verdicts referencing new table as kenri_new
  for each statement execute function kenri_references_hold(
    'plan_verdicts_org_id_plan_id_outcome_fkey', 'plan_outcomes', 'org_id,plan_id,outcome', 'org_id,plan_id,id');
create trigger plan_verdicts_references_update after update on plan_verdicts referencing new table as kenri_new
  for each statement execute function kenri_references_hold(
    'plan_verdicts_org_id_plan_id_outcome_fkey', 'plan_outcomes', 'org_id,plan_id,outcome', 'org_id,plan_id,id');

create trigger plan_outcomes_referenced_delete after delete on plan_outcomes referencing old table as kenri_old
  for each statement execute function kenri_references_kept(
    'plan_verdicts_org_id_plan_id_outcome_fkey', 'plan_verdicts', 'org_id,plan_id,outcome', 'org_id,plan_id,id');
create trigger plan_outcomes_referenced_update after update of org_id, plan_id, id on plan_outcomes
  for each statement execute function kenri_references_kept(
    'plan_verdicts_org_id_plan_id_outcome_fkey', 'plan_verdicts', 'org_id,plan_id,outcome', 'org_id,plan_id,id');
create trigger plan_outcomes_referenced_truncate after truncate on plan_outcomes
  for each statement execute function kenri_references_kept(
    'plan_verdicts_org_id_plan_id_outcome_fkey', 'plan_verdicts', 'org_id,plan_id,outcome', 'org_id,plan_id,id');
