import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceWithLicences } from '../src/store/fleet.ts';
import { preinstalledKey } from '../src/store/preinstalled.ts';
import { type DeviceRow, devicesTable, type LicenceRow, type UserRow } from '../src/store/tables.ts';
import { seeded } from './generate.ts';

/**
 * A seeded fleet for the fleet benchmark, written as the CSVs a Japanese IT department would import
 * (devices with their preinstalled OS, users, licences, agreements) and as the rows the store would hand
 * back, so the pure engine can decide the very same fleet without a database. Every device and user is a
 * function of its index alone: a million devices stream out in flat memory, in any order.
 */

export const EA = '67123456';
export const OPEN = 'V4820173';
export const CSP = 'CSP-2024-0042';
export const IMAGE_ID = 'corp-win11-ent-ja';

const VENDORS = [
  { name: 'Dell', prefix: 'D', models: ['Latitude 5440', 'OptiPlex 7010', 'Latitude 7440'] },
  { name: 'HP', prefix: '5CG', models: ['EliteBook 830 G10', 'ProDesk 400 G9', 'ProBook 450 G10'] },
  { name: 'Lenovo', prefix: 'PF', models: ['ThinkPad X1 Carbon Gen 11', 'ThinkCentre M75q Gen 2'] },
  { name: '富士通', prefix: 'R', models: ['LIFEBOOK U9313/M', 'ESPRIMO D7012/M'] },
  { name: 'NEC', prefix: '9Z', models: ['Mate MKM34/B', 'VersaPro VKT44/C'] },
  { name: 'Panasonic', prefix: 'CF', models: ['Let’s note FV4', 'TOUGHBOOK 55'] },
  { name: 'Dynabook', prefix: 'DB', models: ['dynabook G83/KW', 'Satellite Pro L50'] },
] as const;

const SITES = ['TKY', 'OSK', 'NGY', 'FKO', 'SPR', 'SDI'];
const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤'];
const GIVEN = ['太郎', '花子', '一郎', '由紀', '健', '美咲', '翔太', '陽菜', '大輔', '愛'];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** A random-looking but unique 7-character code per index (a bijection on 0 … 36^7 − 1). */
const code = (i: number): string =>
  ((i * 2654435761 + 104_729) % 78_364_164_096).toString(36).toUpperCase().padStart(7, '0');

export interface GenDevice {
  readonly index: number;
  readonly serial: string;
  readonly name: string;
  readonly vendor: string;
  readonly model: string;
  readonly primaryUser: string | undefined;
  readonly users: readonly string[] | undefined;
  readonly os: {
    readonly channel: 'oem' | 'fpp';
    readonly edition: 'pro' | 'home';
    readonly version: '7' | '10' | '11';
    readonly language: string | undefined;
  };
  readonly esuYears: readonly number[] | undefined;
  /** A retail Windows 11 Pro bought for this device (in the licences file, column device). */
  readonly fppLicence: boolean;
}

export interface GenUser {
  readonly key: string;
  readonly name: string;
  readonly email: string;
  /** Listed in users.csv; a few users named on devices have left and were never imported. */
  readonly imported: boolean;
  /** Holds a per-user Windows Enterprise E3 licence (EA). */
  readonly perUser: boolean;
}

export interface Fleet {
  readonly devices: number;
  readonly users: number;
  /** EA Windows Enterprise upgrades in the pool: 60% of the fleet. */
  readonly pool: number;
}

export const fleetOf = (devices: number): Fleet => ({
  devices,
  users: Math.max(1, Math.floor(devices * 0.95)),
  pool: Math.floor(devices * 0.6),
});

const userKey = (j: number): string => `emp${String(j).padStart(7, '0')}`;

export const genUser = (j: number): GenUser => {
  const rand = seeded(j * 7919 + 17);
  const family = pick(rand, FAMILY);
  const given = pick(rand, GIVEN);
  const imported = j % 97 !== 0;
  return {
    key: userKey(j),
    name: `${family} ${given}`,
    email: `${userKey(j)}@example.co.jp`,
    imported,
    perUser: imported && rand() < 0.15,
  };
};

export const genDevice = (fleet: Fleet, i: number): GenDevice => {
  const rand = seeded(i * 104_729 + 3);
  const vendor = pick(rand, VENDORS);
  const hasUser = rand() < 0.92;
  const primary = hasUser ? userKey(i % fleet.users) : undefined;
  const second = hasUser && rand() < 0.1 ? userKey((i * 31 + 7) % fleet.users) : undefined;
  const roll = rand();
  const version = roll < 0.08 ? '7' : roll < 0.6 ? '10' : '11';
  const channel = rand() < 0.95 ? 'oem' : 'fpp';
  const langRoll = rand();
  // Asset lists often leave the OS language blank; a retail licence always states its language.
  const language = langRoll < 0.05 && channel === 'oem' ? undefined : langRoll < 0.07 ? 'en-US' : 'ja-JP';
  const esuRoll = rand();
  return {
    index: i,
    serial: `${vendor.prefix}${code(i)}`,
    name: `${pick(rand, SITES)}-PC${String(i).padStart(7, '0')}`,
    vendor: vendor.name,
    model: pick(rand, vendor.models),
    primaryUser: primary,
    users: second && second !== primary ? [primary!, second] : undefined,
    os: { channel, edition: rand() < 0.95 ? 'pro' : 'home', version, language },
    esuYears: version === '7' ? (esuRoll < 0.6 ? [1, 2] : esuRoll < 0.8 ? [1, 2, 3] : undefined) : undefined,
    fppLicence: rand() < 0.03,
  };
};

/** Buffered writes: a million rows written one syscall per ~1 MB. */
const writer = (path: string) => {
  const fd = openSync(path, 'w');
  let buf = '';
  return {
    line(s: string) {
      buf += `${s}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    },
    close() {
      if (buf) writeSync(fd, buf);
      closeSync(fd);
    },
  };
};

export interface FleetFiles {
  readonly dir: string;
  readonly agreements: string;
  readonly users: string;
  readonly devices: string;
  readonly licences: string;
  readonly image: string;
}

export const filesIn = (dir: string): FleetFiles => ({
  dir,
  agreements: join(dir, 'agreements.csv'),
  users: join(dir, 'users.csv'),
  devices: join(dir, 'devices.csv'),
  licences: join(dir, 'licences.csv'),
  image: join(dir, 'image.yaml'),
});

const POOLS = [
  `${EA},KW5-00359,volume,ea,upgrade,device,yes,{pool},windows,enterprise,11,,2027-03-31,,`,
  `${EA},79P-05729,volume,ea,,device,yes,{office},office,professional-plus,2021,ja-JP,2027-03-31,,`,
  `${OPEN},FQC-02306,volume,open-license,upgrade,device,no,50,windows,pro,10,ja-JP,,,`,
];

/** Writes the four CSVs and the image file of a fleet into `dir`. */
export const writeFleet = (dir: string, fleet: Fleet): FleetFiles => {
  mkdirSync(dir, { recursive: true });
  const files = filesIn(dir);

  const agreements = writer(files.agreements);
  agreements.line('number,programme,starts,ends,software_assurance,customer_name,contact');
  agreements.line(`${EA},EA,2024-04-01,2027-03-31,yes,株式会社サンプル商事,情報システム部 中村`);
  agreements.line(
    `${OPEN},Open License,2019/10/01,2021/09/30,いいえ,株式会社サンプル商事,情報システム部 中村`,
  );
  agreements.line(`${CSP},CSP,2024-01-01,,no,株式会社サンプル商事,情報システム部 中村`);
  agreements.close();

  const users = writer(files.users);
  users.line('key,name,email');
  for (let j = 0; j < fleet.users; j++) {
    const u = genUser(j);
    if (u.imported) users.line(`${u.key},${u.name},${u.email}`);
  }
  users.close();

  const devices = writer(files.devices);
  devices.line(
    'serial,name,vendor,model,primary_user,users,os_product,os_edition,os_version,os_language,os_channel,esu_years',
  );
  for (let i = 0; i < fleet.devices; i++) {
    const d = genDevice(fleet, i);
    devices.line(
      [
        d.serial,
        d.name,
        d.vendor,
        d.model,
        d.primaryUser ?? '',
        d.users?.join(';') ?? '',
        'windows',
        d.os.edition,
        d.os.version,
        d.os.language ?? '',
        d.os.channel,
        d.esuYears?.join(';') ?? '',
      ].join(','),
    );
  }
  devices.close();

  const licences = writer(files.licences);
  licences.line(
    'agreement_number,sku,channel,programme,kind,assignment,software_assurance,quantity,product,edition,version,language,expires,device,user',
  );
  for (const p of POOLS)
    licences.line(
      p
        .replace('{pool}', String(Math.max(1, fleet.pool)))
        .replace('{office}', String(Math.max(1, fleet.pool))),
    );
  for (let i = 0; i < fleet.devices; i++) {
    const d = genDevice(fleet, i);
    if (d.fppLicence) licences.line(`,,fpp,,full,device,no,,windows,pro,11,ja-JP,,${d.serial},`);
  }
  for (let j = 0; j < fleet.users; j++) {
    const u = genUser(j);
    if (u.perUser)
      licences.line(
        `${EA},AAA-04311,volume,ea,upgrade,user,yes,1,windows,enterprise,11,,2027-03-31,,${u.key}`,
      );
  }
  licences.close();

  const image = writer(files.image);
  image.line(`# Base image: Windows 11 Enterprise, Japanese, from the volume licensing (VLSC) download.
id: ${IMAGE_ID}
media: volume
product: windows
edition: enterprise
version: '11'
language: ja-JP
architecture: x64`);
  image.close();
  return files;
};

// ---- The same fleet as the store reads it back (for the engine floor) ----

const licence = (fields: Partial<LicenceRow> & Pick<LicenceRow, 'key'>): LicenceRow => ({
  channel: 'oem',
  programme: null,
  agreementNumber: null,
  sku: null,
  kind: 'full',
  assignment: 'device',
  softwareAssurance: false,
  quantity: null,
  product: 'windows',
  edition: 'pro',
  version: '10',
  components: null,
  language: null,
  muiPacks: null,
  oemVendor: null,
  expires: null,
  deviceKey: null,
  userKey: null,
  source: null,
  ...fields,
});

/** The pooled licences (neither device nor user), in key order as pooledLicences returns them. */
export const pooledRows = (fleet: Fleet): LicenceRow[] =>
  [
    licence({
      key: `${EA}/KW5-00359`,
      channel: 'volume',
      programme: 'ea',
      agreementNumber: EA,
      sku: 'KW5-00359',
      kind: 'upgrade',
      softwareAssurance: true,
      quantity: Math.max(1, fleet.pool),
      edition: 'enterprise',
      version: '11',
      expires: '2027-03-31',
      source: 'licences.csv',
    }),
    licence({
      key: `${EA}/79P-05729`,
      channel: 'volume',
      programme: 'ea',
      agreementNumber: EA,
      sku: '79P-05729',
      softwareAssurance: true,
      quantity: Math.max(1, fleet.pool),
      product: 'office',
      edition: 'professional-plus',
      version: '2021',
      language: 'ja-JP',
      expires: '2027-03-31',
      source: 'licences.csv',
    }),
    licence({
      key: `${OPEN}/FQC-02306`,
      channel: 'volume',
      programme: 'open-license',
      agreementNumber: OPEN,
      sku: 'FQC-02306',
      kind: 'upgrade',
      quantity: 50,
      language: 'ja-JP',
      source: 'licences.csv',
    }),
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

const perUserLicence = (u: GenUser): LicenceRow =>
  licence({
    key: `${EA}/AAA-04311/user:${u.key}`,
    channel: 'volume',
    programme: 'ea',
    agreementNumber: EA,
    sku: 'AAA-04311',
    kind: 'upgrade',
    assignment: 'user',
    softwareAssurance: true,
    quantity: 1,
    edition: 'enterprise',
    version: '11',
    expires: '2027-03-31',
    userKey: u.key,
    source: 'licences.csv',
  });

/** Device `i` as devicesWithLicences would return it after the four files were imported. */
export const deviceRows = (fleet: Fleet, i: number): DeviceWithLicences => {
  const d = genDevice(fleet, i);
  // Every stored column, null unless the file gave it (the table may have grown columns since).
  const device = {
    ...(Object.fromEntries(devicesTable.fields.map((f) => [f, null])) as unknown as DeviceRow),
    key: d.serial,
    name: d.name,
    serial: d.serial,
    vendor: d.vendor,
    model: d.model,
    firstImagedWith: null,
    primaryUser: d.primaryUser ?? null,
    users: d.users ? [...d.users] : null,
    esuYears: d.esuYears ? [...d.esuYears] : null,
    osChannel: d.os.channel,
    osProduct: 'windows',
    osEdition: d.os.edition,
    osVersion: d.os.version,
    osLanguage: d.os.language ?? null,
  };
  // The licence the device came with, read from its row under the key store/preinstalled.ts gives it.
  const licences = [
    licence({
      key: preinstalledKey(d.serial),
      channel: d.os.channel,
      edition: d.os.edition,
      version: d.os.version,
      language: d.os.language ?? null,
      oemVendor: d.os.channel === 'oem' ? d.vendor : null,
      deviceKey: d.serial,
    }),
  ];
  if (d.fppLicence)
    licences.push(
      licence({
        key: `fpp/windows:pro:11/device:${d.serial}`,
        channel: 'fpp',
        version: '11',
        language: 'ja-JP',
        deviceKey: d.serial,
        source: 'licences.csv',
      }),
    );
  const keys = [...(d.users ?? [])];
  if (d.primaryUser && !keys.includes(d.primaryUser)) keys.push(d.primaryUser);
  const users = keys.map((key) => {
    const u = genUser(Number(key.slice(3)));
    const row: UserRow = u.imported
      ? { key, name: u.name, email: u.email }
      : { key, name: null, email: null };
    return { user: row, licences: u.perUser ? [perUserLicence(u)] : [] };
  });
  return { device, licences, users };
};

/** Device indices in the order the store pages them: by key, byte order (collation "C"). */
export const keyOrder = (fleet: Fleet): Uint32Array => {
  const keys = Array.from({ length: fleet.devices }, (_, i) => genDevice(fleet, i).serial);
  const order = Uint32Array.from(keys.keys());
  order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  return order;
};
