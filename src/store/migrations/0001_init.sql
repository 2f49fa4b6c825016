-- kenri's fleet inventory. Every table carries org_id and every key includes it: one store may hold
-- several organisations (a reseller, a group company) and no query may cross them.
-- Keys use the "C" collation so keyset pages come back in the same byte order on PGlite and PostgreSQL.

create table organisations (
  id text collate "C" primary key,
  name text not null,
  created_at timestamptz not null default now()
);

create table agreements (
  org_id text collate "C" not null references organisations (id),
  number text collate "C" not null,
  programme text not null check (
    programme in ('ea', 'mpsa', 'open-license', 'open-value', 'open-value-subscription', 'casa', 'csp')
  ),
  starts date,
  ends date,
  software_assurance boolean not null default false,
  customer_name text,
  contact text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, number),
  check (ends is null or starts is null or ends >= starts)
);

create table users (
  org_id text collate "C" not null references organisations (id),
  key text collate "C" not null,
  name text,
  email text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, key)
);

create table devices (
  org_id text collate "C" not null references organisations (id),
  -- The serial number when known, else the device name: whatever stays the same across reimaging.
  key text collate "C" not null,
  name text,
  serial text,
  vendor text,
  model text,
  first_imaged_with text,
  primary_user text,
  users text[],
  esu_years int[] check (esu_years <@ array[1, 2, 3]),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, key)
);

create table licences (
  org_id text collate "C" not null references organisations (id),
  -- agreement number (or channel) / SKU (or product:edition:version) [/device:KEY | /user:KEY],
  -- or '<device key>#preinstalled' for the licence a device came with.
  key text collate "C" not null,
  channel text not null check (channel in ('oem', 'fpp', 'volume')),
  programme text check (
    programme in ('ea', 'mpsa', 'open-license', 'open-value', 'open-value-subscription', 'casa', 'csp')
  ),
  agreement_number text,
  sku text,
  kind text not null check (kind in ('full', 'upgrade')),
  assignment text not null check (assignment in ('device', 'user')),
  software_assurance boolean not null default false,
  quantity int check (quantity > 0),
  product text not null,
  edition text not null,
  version text not null,
  components text[],
  language text,
  mui_packs text[],
  oem_vendor text,
  expires date,
  device_key text collate "C",
  user_key text collate "C",
  source text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, key),
  foreign key (org_id, device_key) references devices (org_id, key),
  foreign key (org_id, user_key) references users (org_id, key),
  check (device_key is null or user_key is null)
);

create index licences_by_device on licences (org_id, device_key) where device_key is not null;
create index licences_by_user on licences (org_id, user_key) where user_key is not null;
-- Pooled licences: neither device nor user; the planner allocates `quantity` of them.
create index licences_pooled on licences (org_id, key) where device_key is null and user_key is null;

create table images (
  org_id text collate "C" not null references organisations (id),
  key text collate "C" not null,
  media text not null check (media in ('volume', 'oem-recovery', 'oem-custom', 'fpp')),
  product text not null,
  edition text not null,
  version text not null,
  components text[],
  language text,
  mui_packs text[],
  architecture text check (architecture in ('x86', 'x64', 'arm64')),
  vendor text,
  modified boolean,
  fpp_licence text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, key)
);

create table installed_updates (
  org_id text collate "C" not null references organisations (id),
  device_key text collate "C" not null,
  kb text collate "C" not null,
  installed_on date,
  source text,
  primary key (org_id, device_key, kb)
);

-- What slmgr /dlv or Get-CimInstance SoftwareLicensingProduct reported for a device.
create table windows_licences (
  org_id text collate "C" not null references organisations (id),
  device_key text collate "C" not null,
  activation_id text collate "C" not null,
  name text,
  channel text,
  partial_key text,
  status text,
  esu_year int check (esu_year in (1, 2, 3)),
  source text,
  observed_at timestamptz,
  primary key (org_id, device_key, activation_id)
);

create table audit_log (
  id bigserial primary key,
  org_id text collate "C" not null references organisations (id),
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  entity text not null,
  entity_key text,
  detail jsonb
);

create index audit_log_by_entity on audit_log (org_id, entity, entity_key, id);

-- The audit log is evidence: once written, no one (not even kenri) may change or remove a row.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
end
$$;

create trigger audit_log_no_update_delete before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();

-- A plan keeps everything needed to show it again exactly as decided (STYLE §5): input, rules version, trace.
create table plans (
  id bigserial primary key,
  org_id text collate "C" not null references organisations (id),
  created_at timestamptz not null default now(),
  actor text not null,
  image_key text,
  as_of date not null,
  rules_version text not null,
  input jsonb not null,
  summary jsonb,
  unique (org_id, id)
);

create table plan_verdicts (
  plan_id bigint not null,
  org_id text collate "C" not null,
  device_key text collate "C" not null,
  verdict text not null,
  cites text[] not null default '{}',
  reasons jsonb,
  remedies jsonb,
  input jsonb,
  primary key (org_id, plan_id, device_key),
  foreign key (org_id, plan_id) references plans (org_id, id)
);
