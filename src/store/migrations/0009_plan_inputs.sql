-- The facts a plan decided each device on (STYLE §5) are kept once, in plan_inputs, written by the statement
-- that builds them for the planner (store/fleet-facts.ts). Until now each verdict row carried them: the store
-- built them into a temporary table, sent them to the planner, then copied them into the verdict row once it
-- was decided, joining the two by key. For a million devices that wrote 450 MB twice and joined them, about
-- a third of the plan's server time. A verdict whose facts are kept here has no input of its own (null) and
-- keeps only what the plan added to them: the pooled licence it allocated. Reading a plan puts the two back
-- together into the input as it was stored before (store/plans.ts), so older plans and newer ones read alike.
create table plan_inputs (
  org_id text collate "C" not null,
  plan_id bigint not null,
  device_key text collate "C" not null,
  -- JSON text, as 0007 keeps a verdict's input: written by the store, read back whole.
  facts text not null,
  primary key (org_id, plan_id, device_key)
);

alter table plan_verdicts add column allocated text;

-- The plan a row belongs to is checked once per statement, as 0005 checks a verdict's explanation: a foreign
-- key would look the plan up, and lock it, once for each of a million rows.
create trigger plan_inputs_references_insert after insert on plan_inputs referencing new table as kenri_new
  for each statement execute function kenri_references_hold(
    'plan_inputs_org_id_plan_id_fkey', 'plans', 'org_id,plan_id', 'org_id,id');
create trigger plan_inputs_references_update after update on plan_inputs referencing new table as kenri_new
  for each statement execute function kenri_references_hold(
    'plan_inputs_org_id_plan_id_fkey', 'plans', 'org_id,plan_id', 'org_id,id');

create trigger plans_referenced_by_inputs_delete after delete on plans referencing old table as kenri_old
  for each statement execute function kenri_references_kept(
    'plan_inputs_org_id_plan_id_fkey', 'plan_inputs', 'org_id,plan_id', 'org_id,id');
create trigger plans_referenced_by_inputs_update after update of org_id, id on plans
  for each statement execute function kenri_references_kept(
    'plan_inputs_org_id_plan_id_fkey', 'plan_inputs', 'org_id,plan_id', 'org_id,id');
create trigger plans_referenced_by_inputs_truncate after truncate on plans
  for each statement execute function kenri_references_kept(
    'plan_inputs_org_id_plan_id_fkey', 'plan_inputs', 'org_id,plan_id', 'org_id,id');

