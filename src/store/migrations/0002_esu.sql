-- Windows 7 ESU: prices entered by the organisation, its orders, its MAK key and the activations it used;
-- and what a device runs now. Every table carries org_id and every key includes it (as in 0001).

-- What the device runs today, which may differ from the licence it came with: a Windows 10 Pro PC run as
-- Windows 7 Professional by downgrade (ESU-04). Catalogue ids ('7', 'pro'), like the licences' columns.
alter table devices add column running_edition text;
alter table devices add column running_version text;

-- Prices the organisation entered as its distributor announced them (ESU-03, ESU-09). A row overrides the
-- shipped price list for its year; a year with no row keeps the shipped value, and an unknown price stays
-- null: never 0.
create table esu_prices (
  org_id text collate "C" not null references organisations (id),
  year int not null check (year in (1, 2, 3)),
  unit_price int check (unit_price > 0),
  currency text not null default 'JPY',
  source text not null,
  checked date not null,
  updated_at timestamptz not null default now(),
  primary key (org_id, year)
);

-- One CSP order of ESU licences for one year. Orders never renew by themselves (ESU-10): each year is its
-- own row, entered when someone ordered it.
create table esu_orders (
  org_id text collate "C" not null references organisations (id),
  id bigserial not null,
  year int not null check (year in (1, 2, 3)),
  quantity int not null check (quantity > 0),
  ordered_on date not null,
  partner text not null,
  reference text collate "C",
  created_at timestamptz not null default now(),
  primary key (org_id, id)
);

-- The same partner order entered twice would count its licences twice (and raise the MAK limit, ESU-17).
create unique index esu_orders_reference on esu_orders (org_id, reference) where reference is not null;

-- The organisation's ESU MAK key for one year (ESU-16: one per organisation, read as one per organisation
-- and year since each year has its own add-on), entered from the CSP activation notice (ESU-20). The full
-- key is kept only encrypted (AES-256-GCM, src/esu/product-key.ts); everything else shows partial_key.
-- activation_limit: a limit Microsoft granted above the licences bought (ESU-19), null until one is; the
-- limit otherwise follows the licences ordered for the year (ESU-17).
create table mak_keys (
  org_id text collate "C" not null references organisations (id),
  year int not null check (year in (1, 2, 3)),
  partial_key text not null check (partial_key ~ '^[A-Z0-9]{5}$'),
  encrypted_key text not null check (encrypted_key like 'v1:%'),
  activation_limit int check (activation_limit >= 0),
  notice_received_on date not null,
  created_at timestamptz not null default now(),
  primary key (org_id, year)
);

-- Devices that used an activation of the year's key. Taking the key off a device sets removed_on, but the
-- row stays and still counts (ESU-18); activating the same device again costs nothing.
create table mak_activations (
  org_id text collate "C" not null,
  year int not null,
  device_key text collate "C" not null,
  activated_on date not null,
  source text not null check (source in ('cli', 'slmgr-import')),
  removed_on date,
  created_at timestamptz not null default now(),
  primary key (org_id, year, device_key),
  foreign key (org_id, year) references mak_keys (org_id, year),
  foreign key (org_id, device_key) references devices (org_id, key),
  check (removed_on is null or removed_on >= activated_on)
);

-- What slmgr /dlv or Get-CimInstance reported beyond 0001's columns: which Windows an ESU add-on is for
-- (Windows 10 has Client-ESU-Year1 add-ons too), the Windows version and edition of an OS licence (add-ons
-- have neither), and whether a key is installed at all ("This license is not in use").
alter table windows_licences add column esu_product text;
alter table windows_licences add column os_version text;
alter table windows_licences add column edition text;
alter table windows_licences add column installed boolean;
alter table windows_licences add foreign key (org_id, device_key) references devices (org_id, key);
alter table installed_updates add column description text;
alter table installed_updates add column observed_at timestamptz;
alter table installed_updates add foreign key (org_id, device_key) references devices (org_id, key);

-- Reconciliation reads every device's add-on record of one ESU year.
create index windows_licences_by_esu_year on windows_licences (org_id, esu_year) where esu_year is not null;
