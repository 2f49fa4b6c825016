import { type ColumnType, columnOf, type LicenceRow, licencesTable } from './tables.ts';

/**
 * A device's preinstalled licence (migration 0008): kept on the device row, read as one of the device's
 * licences. Everything that reads licences reads it through the SQL here, so it has one key and one shape.
 */

const SUFFIX = '#preinstalled';

/** The key the licence a device came with is read under. */
export const preinstalledKey = (deviceKey: string): string => `${deviceKey}${SUFFIX}`;

/** preinstalledKey in SQL, of a device key given as SQL. */
export const preinstalledKeySql = (deviceKey: string): string => `${deviceKey} || '${SUFFIX}'`;

/** The device key of a preinstalled licence's key; undefined for any other licence key. */
export const preinstalledDevice = (licenceKey: string): string | undefined =>
  licenceKey.endsWith(SUFFIX) ? licenceKey.slice(0, -SUFFIX.length) : undefined;

type Constant = string | boolean | null;

/** A licence field as SQL, or the value every preinstalled licence has in it. */
export type LicenceField = { readonly sql: string } | { readonly value: Constant };

/**
 * Each licence field of the preinstalled licence of device row `d`. A device's OS licence is a full
 * licence of the device, outside any agreement: what the devices file gives (licences file columns it
 * lacks take their defaults), with the device's vendor as an OEM licence's vendor.
 */
export const preinstalledLicence = (d: string): { readonly [F in keyof LicenceRow]: LicenceField } => ({
  key: { sql: preinstalledKeySql(`${d}.key`) },
  channel: { sql: `${d}.os_channel` },
  programme: { value: null },
  agreementNumber: { value: null },
  sku: { value: null },
  kind: { value: 'full' },
  assignment: { value: 'device' },
  softwareAssurance: { value: false },
  quantity: { value: null },
  product: { sql: `${d}.os_product` },
  edition: { sql: `${d}.os_edition` },
  version: { sql: `${d}.os_version` },
  components: { sql: `${d}.os_components` },
  language: { sql: `${d}.os_language` },
  muiPacks: { value: null },
  oemVendor: { sql: `case when ${d}.os_channel = 'oem' then ${d}.vendor end` },
  expires: { value: null },
  deviceKey: { sql: `${d}.key` },
  userKey: { value: null },
  source: { value: null },
});

const literal = (value: Constant, type: ColumnType): string =>
  value === null
    ? `null::${type}`
    : typeof value === 'boolean'
      ? String(value)
      : `'${value.replaceAll("'", "''")}'::${type}`;

/** The same, every field as SQL, typed as the licences table's column. */
export const preinstalledFields = (d: string): { readonly [F in keyof LicenceRow]: string } => {
  const fields = preinstalledLicence(d);
  return Object.fromEntries(
    licencesTable.fields.map((f) => {
      const field = fields[f];
      return [f, 'sql' in field ? field.sql : literal(field.value, licencesTable.types[f])];
    }),
  ) as { [F in keyof LicenceRow]: string };
};

/** Whether device `d` holds a preinstalled licence (SQL). */
export const hasPreinstalled = (d: string): string => `${d}.os_product is not null`;

/**
 * Every licence the organisation holds as rows of the licences table's columns (SQL, a subquery body):
 * the licences table's rows matching `where` (over alias `l`), then the preinstalled licences of the
 * devices matching `deviceWhere` (over alias `d`). `$1` is the organisation.
 */
export const heldLicences = (where: string, deviceWhere: string): string => {
  const pre = preinstalledFields('d');
  const columns = licencesTable.fields.map(columnOf);
  return `select ${columns.map((c) => `l.${c}`).join(', ')} from licences l where l.org_id = $1 and (${where})
     union all
     select ${licencesTable.fields.map((f, i) => `${pre[f]} as ${columns[i]}`).join(', ')}
     from devices d where d.org_id = $1 and ${hasPreinstalled('d')} and (${deviceWhere})`;
};
