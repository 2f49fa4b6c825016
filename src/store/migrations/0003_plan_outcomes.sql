-- A fleet's verdicts repeat: thousands of devices are decided for the same reasons, and their texts differ
-- only by the device's key (and its users' keys). Each distinct explanation — verdict, cited clauses, reasons
-- with their ja/en texts, remedies — is stored once per plan, with those keys factored out of its texts
-- (U+E000 stands for the device key, U+E001… for `subjects`, in order). A device's verdict row names its
-- explanation and keeps the facts it was decided on; reading a plan puts the keys back, so it reads exactly
-- as decided (STYLE §5).

create table plan_outcomes (
  org_id text collate "C" not null,
  plan_id bigint not null,
  id int not null,
  verdict text not null,
  cites text[] not null default '{}',
  reasons jsonb,
  remedies jsonb,
  primary key (org_id, plan_id, id),
  foreign key (org_id, plan_id) references plans (org_id, id)
);

alter table plan_verdicts add column outcome int;
-- The facts a device was decided on, kept as the text written (json, not jsonb): read back whole, never
-- searched, and turning a million of them into jsonb cost more than the rest of their row.
alter table plan_verdicts alter column input type json using input::json;
alter table plan_verdicts add column subjects text[];
alter table plan_verdicts
  add foreign key (org_id, plan_id, outcome) references plan_outcomes (org_id, plan_id, id);

-- Every verdict written from now on names its explanation, which belongs to the plan: that reference makes
-- the plan's own one redundant, and a foreign key costs a lookup per row — a million of them per large plan.
-- Rows saved before this migration were checked against plans when written and keep their own columns.
alter table plan_verdicts drop constraint plan_verdicts_org_id_plan_id_fkey;
alter table plan_verdicts add constraint plan_verdicts_outcome_given check (outcome is not null) not valid;
