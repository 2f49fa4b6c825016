/**
 * The entity tables the repositories upsert, described once as data: the row fields (camelCase in
 * TypeScript, snake_case in SQL) and their SQL types. Staging, merging, auditing and reading all follow it.
 */

export type ColumnType = 'text' | 'date' | 'boolean' | 'int' | 'text[]' | 'int[]';

export interface TableDef<Row> {
  readonly table: string;
  /** The row field that, with org_id, identifies a row. */
  readonly key: keyof Row & string;
  readonly fields: readonly (keyof Row & string)[];
  readonly types: { readonly [F in keyof Row]: ColumnType };
  /** Written with a change but not a change by themselves (where a row came from). */
  readonly untracked: readonly (keyof Row & string)[];
}

export const columnOf = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const define = <Row>(
  table: string,
  key: keyof Row & string,
  types: { [F in keyof Row]: ColumnType },
  untracked: readonly (keyof Row & string)[] = [],
): TableDef<Row> => ({
  table,
  key,
  fields: Object.keys(types) as (keyof Row & string)[],
  types,
  untracked,
});

export interface AgreementRow {
  number: string;
  programme: string;
  starts: string | null;
  ends: string | null;
  softwareAssurance: boolean;
  customerName: string | null;
  contact: string | null;
}

export interface UserRow {
  key: string;
  name: string | null;
  email: string | null;
}

export interface DeviceRow {
  key: string;
  name: string | null;
  serial: string | null;
  vendor: string | null;
  model: string | null;
  firstImagedWith: string | null;
  primaryUser: string | null;
  users: string[] | null;
  esuYears: number[] | null;
  /** What the device runs now, as catalogue ids (Windows 7 Professional by downgrade: '7', 'pro'). */
  runningEdition: string | null;
  runningVersion: string | null;
  /**
   * The licence the device came with (its OS as sold with it, OEM or retail), as catalogue ids; null when
   * not known. Read as a licence of the device (preinstalled.ts): it lives and goes with the device.
   */
  osChannel: 'oem' | 'fpp' | null;
  osProduct: string | null;
  osEdition: string | null;
  osVersion: string | null;
  osComponents: string[] | null;
  osLanguage: string | null;
}

export interface LicenceRow {
  key: string;
  channel: 'oem' | 'fpp' | 'volume';
  programme: string | null;
  agreementNumber: string | null;
  sku: string | null;
  kind: 'full' | 'upgrade';
  assignment: 'device' | 'user';
  softwareAssurance: boolean;
  quantity: number | null;
  product: string;
  edition: string;
  version: string;
  components: string[] | null;
  language: string | null;
  muiPacks: string[] | null;
  oemVendor: string | null;
  expires: string | null;
  deviceKey: string | null;
  userKey: string | null;
  source: string | null;
}

export interface ImageRow {
  key: string;
  media: 'volume' | 'oem-recovery' | 'oem-custom' | 'fpp';
  product: string;
  edition: string;
  version: string;
  components: string[] | null;
  language: string | null;
  muiPacks: string[] | null;
  architecture: 'x86' | 'x64' | 'arm64' | null;
  vendor: string | null;
  modified: boolean | null;
  fppLicence: string | null;
}

export const agreementsTable = define<AgreementRow>('agreements', 'number', {
  number: 'text',
  programme: 'text',
  starts: 'date',
  ends: 'date',
  softwareAssurance: 'boolean',
  customerName: 'text',
  contact: 'text',
});

export const usersTable = define<UserRow>('users', 'key', { key: 'text', name: 'text', email: 'text' });

export const devicesTable = define<DeviceRow>('devices', 'key', {
  key: 'text',
  name: 'text',
  serial: 'text',
  vendor: 'text',
  model: 'text',
  firstImagedWith: 'text',
  primaryUser: 'text',
  users: 'text[]',
  esuYears: 'int[]',
  runningEdition: 'text',
  runningVersion: 'text',
  osChannel: 'text',
  osProduct: 'text',
  osEdition: 'text',
  osVersion: 'text',
  osComponents: 'text[]',
  osLanguage: 'text',
});

export const licencesTable = define<LicenceRow>(
  'licences',
  'key',
  {
    key: 'text',
    channel: 'text',
    programme: 'text',
    agreementNumber: 'text',
    sku: 'text',
    kind: 'text',
    assignment: 'text',
    softwareAssurance: 'boolean',
    quantity: 'int',
    product: 'text',
    edition: 'text',
    version: 'text',
    components: 'text[]',
    language: 'text',
    muiPacks: 'text[]',
    oemVendor: 'text',
    expires: 'date',
    deviceKey: 'text',
    userKey: 'text',
    source: 'text',
  },
  ['source'],
);

export const imagesTable = define<ImageRow>('images', 'key', {
  key: 'text',
  media: 'text',
  product: 'text',
  edition: 'text',
  version: 'text',
  components: 'text[]',
  language: 'text',
  muiPacks: 'text[]',
  architecture: 'text',
  vendor: 'text',
  modified: 'boolean',
  fppLicence: 'text',
});

/** The select list that reads a table's fields under their camelCase names. */
export const selectList = <Row>(def: TableDef<Row>, alias = ''): string =>
  def.fields.map((f) => `${alias ? `${alias}.` : ''}${columnOf(f)} as "${f}"`).join(', ');
