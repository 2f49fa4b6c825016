import { resolveEdition, resolveVersion } from '../../catalogue/catalogue.ts';
import { type DeviceRow, devicesTable } from '../../store/tables.ts';
import { listOfIntegers } from './cells.ts';
import { type ImportKindHandler, nullable, target } from './kind.ts';
import { licenceReader } from './kind-licences.ts';
import type { RowReader } from './row-reader.ts';

/** Model field → file column for the licence a device came with. */
const OS_COLUMNS: Record<string, string> = {
  channel: 'os_channel',
  product: 'os_product',
  edition: 'os_edition',
  version: 'os_version',
  language: 'os_language',
};

const DEVICE_FIELDS: readonly [string, keyof DeviceRow][] = [
  ['name', 'name'],
  ['serial', 'serial'],
  ['vendor', 'vendor'],
  ['model', 'model'],
  ['first_imaged_with', 'firstImagedWith'],
  ['primary_user', 'primaryUser'],
  ['users', 'users'],
  ['esu_years', 'esuYears'],
];

const OS_IDENTITY = ['os_product', 'os_edition', 'os_version'] as const;

const RUNNING = ['running_version', 'running_edition'] as const;

/**
 * What the device runs now, resolved through the catalogue like the os_* columns. People write the running
 * OS the way Windows names itself ("Windows 7 Professional"), so a leading "Windows" is dropped and an
 * edition after the version is read when no running_edition column says otherwise.
 */
const readRunning = (r: RowReader): Pick<DeviceRow, 'runningVersion' | 'runningEdition'> | undefined => {
  const versionCell = r.get('running_version');
  const editionCell = r.get('running_edition');
  if (versionCell === undefined) {
    if (editionCell === undefined) return { runningVersion: null, runningEdition: null };
    r.issue('running_version', 'give the version the device runs with its edition (7, 10, …)');
    return undefined;
  }
  const text = versionCell.replace(/^(microsoft\s*)?windows(\(r\))?\s*/i, '');
  const [head = '', ...rest] = text.split(/\s+/);
  const whole = resolveVersion('windows', text);
  const version = typeof whole === 'string' ? whole : resolveVersion('windows', head);
  if (typeof version !== 'string') {
    r.issue('running_version', `unknown version '${versionCell}' of windows`, version.known);
    return undefined;
  }
  const editionText = editionCell ?? (typeof whole === 'string' ? undefined : rest.join(' '));
  if (!editionText) return { runningVersion: version, runningEdition: null };
  const edition = resolveEdition('windows', editionText, version);
  if (typeof edition !== 'string') {
    r.issue(
      editionCell === undefined ? 'running_version' : 'running_edition',
      `unknown edition '${editionText}' of windows ${version}`,
      edition.known,
    );
    return undefined;
  }
  return { runningVersion: version, runningEdition: edition };
};

const NOT_RUNNING = Object.freeze({ runningVersion: null, runningEdition: null });

const ESU_EXPECTED = ['1', '2', '3', '1;2', '1;2;3'];

/** ESU years, distinct and in order; undefined when the list is not of years 1 to 3. */
const readEsuYears = (items: readonly string[]): number[] | undefined => {
  const years = listOfIntegers(items);
  if (!years || years.some((y) => y < 1 || y > 3)) return undefined;
  return [...new Set(years)].sort((a, b) => a - b);
};

const readOsLicence = licenceReader(OS_COLUMNS);

/** The licence each device came with (the reader remembers the few distinct ones a fleet has). */
const readPreinstalled = (r: RowReader) =>
  readOsLicence(r, {
    channel: r.get('os_channel') ?? 'oem',
    product: r.get('os_product'),
    edition: r.get('os_edition'),
    version: r.get('os_version'),
    language: r.get('os_language'),
  });

/** The device's fields for the licence it came with, null when the row gives none. */
const NO_OS = Object.freeze({
  osChannel: null,
  osProduct: null,
  osEdition: null,
  osVersion: null,
  osComponents: null,
  osLanguage: null,
});

type OsFields = Pick<
  DeviceRow,
  'osChannel' | 'osProduct' | 'osEdition' | 'osVersion' | 'osComponents' | 'osLanguage'
>;

export const devicesKind: ImportKindHandler = {
  targets: (columns) => [
    target(devicesTable, [
      'key',
      ...DEVICE_FIELDS.filter(([c]) => columns.has(c) || (c === 'serial' && columns.has('key'))).map(
        ([, f]) => f,
      ),
      ...(RUNNING.some((c) => columns.has(c)) ? (['runningVersion', 'runningEdition'] as const) : []),
      // The licence the device came with is kept on its row (store/preinstalled.ts).
      ...(OS_IDENTITY.some((c) => columns.has(c))
        ? ([
            'osChannel',
            'osProduct',
            'osEdition',
            'osVersion',
            'osComponents',
            ...(columns.has('os_language') ? (['osLanguage'] as const) : []),
          ] as const)
        : []),
    ]),
  ],
  headerProblem: (columns) => {
    if (!['key', 'serial', 'name'].some((c) => columns.has(c)))
      return 'a devices file needs a serial column or a name column (シリアル番号 / デバイス名) to tell devices apart';
    const os = OS_IDENTITY.filter((c) => columns.has(c));
    if (os.length > 0 && os.length < OS_IDENTITY.length)
      return `the preinstalled OS needs all of ${OS_IDENTITY.join(', ')}; missing ${OS_IDENTITY.filter((c) => !columns.has(c)).join(', ')}`;
    return undefined;
  },
  keyColumn: (columns) => (columns.has('key') ? 'key' : columns.has('serial') ? 'serial' : 'name'),
  read: (r) => {
    const serial = r.get('serial');
    const name = r.get('name');
    const key = r.get('key') ?? serial ?? name;
    let ok = true;
    if (!key) {
      if (!(r.failed('key') || r.failed('serial') || r.failed('name')))
        r.issue(r.has('serial') ? 'serial' : 'name', 'empty: a device needs a serial number or a name');
      ok = false;
    }
    const esu = r.get<string[]>('esu_years');
    const esuYears = esu ? readEsuYears(esu) : null;
    if (esuYears === undefined) {
      r.issue('esu_years', `'${esu!.join(';')}' is not a list of ESU years`, ESU_EXPECTED);
      ok = false;
    }
    const users = r.get<string[]>('users');
    const running = r.has('running_version') || r.has('running_edition') ? readRunning(r) : NOT_RUNNING;
    if (!running) ok = false;
    const vendor = nullable(r.get<string>('vendor'));
    let os: OsFields = NO_OS;
    if (
      r.get('os_product') !== undefined ||
      r.get('os_edition') !== undefined ||
      r.get('os_version') !== undefined ||
      r.failed('os_product') ||
      r.failed('os_edition') ||
      r.failed('os_version')
    ) {
      const licence = readPreinstalled(r);
      if (!licence) ok = false;
      else if (licence.channel === 'volume') {
        r.issue('os_channel', 'a device comes with an OEM or retail licence', ['oem', 'fpp']);
        ok = false;
      } else
        os = {
          osChannel: licence.channel,
          osProduct: licence.product,
          osEdition: licence.edition,
          osVersion: licence.version,
          osComponents: licence.components,
          osLanguage: licence.language,
        };
    }
    if (!ok || !key) return undefined;
    const device: DeviceRow = {
      key,
      name: nullable(name),
      serial: nullable(serial),
      vendor,
      model: nullable(r.get('model')),
      firstImagedWith: nullable(r.get('first_imaged_with')),
      primaryUser: nullable(r.get('primary_user')),
      users: users ? [...new Set(users)] : null,
      esuYears: esuYears ?? null,
      runningVersion: running?.runningVersion ?? null,
      runningEdition: running?.runningEdition ?? null,
      osChannel: os.osChannel,
      osProduct: os.osProduct,
      osEdition: os.osEdition,
      osVersion: os.osVersion,
      osComponents: os.osComponents,
      osLanguage: os.osLanguage,
    };
    return { devices: device };
  },
};
