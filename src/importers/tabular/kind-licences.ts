import { LicenceInput } from '../../model/facts.ts';
import type { InputIssue } from '../../model/input-error.ts';
import { resolveIdentity } from '../../model/normalise.ts';
import { type LicenceRow, licencesTable } from '../../store/tables.ts';
import { checkWith, type ImportKindHandler, nullable, reportAt, type StoreCheck, target } from './kind.ts';
import type { RowReader } from './row-reader.ts';

/** Model field → file column, for licences files. */
const LICENCE_COLUMNS: Record<string, string> = {
  softwareAssurance: 'software_assurance',
  agreementNumber: 'agreement_number',
  muiPacks: 'mui_packs',
  oemVendor: 'oem_vendor',
};

/**
 * The stable key of a licence: agreement number (or channel) / SKU (or product:edition:version), then the
 * device or user it is assigned to. The same licence imported again lands on the same row.
 */
export const licenceKey = (l: {
  agreementNumber: string | null;
  sku: string | null;
  channel: string;
  product: string;
  edition: string;
  version: string;
  deviceKey: string | null;
  userKey: string | null;
}): string => {
  const what = l.sku ?? `${l.product}:${l.edition}:${l.version}`;
  const to = l.deviceKey ? `/device:${l.deviceKey}` : l.userKey ? `/user:${l.userKey}` : '';
  return `${l.agreementNumber ?? l.channel}/${what}${to}`;
};

const list = (joined: string): string[] | null => (joined ? joined.split(',') : null);

type CheckedLicence = Omit<LicenceRow, 'key' | 'deviceKey' | 'userKey' | 'source'>;

/** Checks a licence against the input model and the catalogue (see licenceReader). */
const checkLicence = (
  r: RowReader,
  input: Record<string, unknown>,
  columnOf: Record<string, string>,
): CheckedLicence | undefined => {
  const raw = checkWith(r, LicenceInput, input, columnOf);
  if (!raw) return undefined;
  const issues: InputIssue[] = [];
  const id = resolveIdentity(raw, 'licence', issues);
  if (raw.channel === 'volume' && raw.programme === undefined)
    issues.push({
      path: 'licence.programme',
      message: 'a volume licence needs its programme',
      expected: LicenceInput.shape.programme.unwrap().options,
    });
  if (raw.channel !== 'volume' && raw.programme !== undefined)
    issues.push({ path: 'licence.programme', message: `an ${raw.channel} licence has no volume programme` });
  // Volume programmes sell Windows desktop only as an upgrade (RR-13).
  const kind = raw.kind ?? (raw.channel === 'volume' && id?.product === 'windows' ? 'upgrade' : 'full');
  if (raw.channel === 'volume' && id?.product === 'windows' && kind === 'full')
    issues.push({
      path: 'licence.kind',
      message: 'volume programmes offer no full Windows desktop licence (RR-13)',
      expected: ['upgrade'],
    });
  if (issues.length || !id) {
    reportAt(r, issues, columnOf);
    return undefined;
  }
  return {
    channel: raw.channel,
    programme: nullable(raw.programme),
    agreementNumber: nullable(raw.agreementNumber),
    sku: nullable(raw.sku),
    kind,
    assignment: raw.assignment,
    softwareAssurance: raw.softwareAssurance,
    quantity: nullable(raw.quantity),
    product: id.product,
    edition: id.edition,
    version: id.version,
    components: list(id.components),
    language: nullable(id.language),
    muiPacks: list(id.muiPacks),
    oemVendor: nullable(raw.oemVendor),
    expires: nullable(raw.expires),
  };
};

/** Beyond this many distinct licences a file is not worth remembering (a licence per row, say). */
const REMEMBERED_LIMIT = 2048;

const LEAF: unique symbol = Symbol('licence');

type Trie = Map<unknown, unknown>;

/**
 * A licence reader for one kind of file: checks a licence against the input model and the catalogue, as
 * the engine would read it, and returns the row to store. `columnOf` names the file column of each model
 * field (devices files say os_product).
 *
 * It remembers the licences it has checked, by their input. A licences file repeats the same licence for
 * every user or device it is assigned to (the assignee is not part of the check), and a devices file has a
 * handful of preinstalled OSes, so most rows would repeat the same zod and catalogue work. The check is a
 * pure function of the input and reports nothing when it passes, so only passing licences are remembered;
 * a row with problems is checked in full and reported at its own line. They are frozen, arrays too, so no
 * row can change what another gets. The input is looked up one field at a time in nested Maps, in the
 * order the caller's object literal gives its fields: building a string key cost ten times more.
 */
export const licenceReader = (columnOf: Record<string, string>) => {
  const root: Trie = new Map();
  let remembered = 0;
  return (r: RowReader, input: Record<string, unknown>): Readonly<CheckedLicence> | undefined => {
    let node: Trie | undefined = root;
    for (const field in input) {
      const v = input[field];
      node = node.get(Array.isArray(v) ? JSON.stringify(v) : v) as Trie | undefined;
      if (node === undefined) break;
    }
    const seen = node?.get(LEAF) as Readonly<CheckedLicence> | undefined;
    if (seen) return seen;
    const licence = checkLicence(r, input, columnOf);
    if (licence && remembered < REMEMBERED_LIMIT) {
      Object.freeze(licence.components);
      Object.freeze(licence.muiPacks);
      let at = root;
      for (const field in input) {
        const v = input[field];
        const k = Array.isArray(v) ? JSON.stringify(v) : v;
        let next = at.get(k) as Trie | undefined;
        if (next === undefined) {
          next = new Map();
          at.set(k, next);
        }
        at = next;
      }
      at.set(LEAF, Object.freeze(licence));
      remembered += 1;
    }
    return licence;
  };
};

/**
 * The row stored for a checked licence, as one literal with every field in one order: building it by
 * spreading the checked licence cost more per row than checking it, once checks were remembered.
 */
const licenceRow = (
  l: Readonly<CheckedLicence>,
  key: string,
  deviceKey: string | null,
  userKey: string | null,
  oemVendor: string | null,
  source: string,
): LicenceRow => ({
  channel: l.channel,
  programme: l.programme,
  agreementNumber: l.agreementNumber,
  sku: l.sku,
  kind: l.kind,
  assignment: l.assignment,
  softwareAssurance: l.softwareAssurance,
  quantity: l.quantity,
  product: l.product,
  edition: l.edition,
  version: l.version,
  components: l.components,
  language: l.language,
  muiPacks: l.muiPacks,
  oemVendor,
  expires: l.expires,
  key,
  deviceKey,
  userKey,
  source,
});

const missingReferences =
  (column: 'device' | 'user', field: 'device_key' | 'user_key', table: 'devices' | 'users'): StoreCheck =>
  async (tx, org, stages) => {
    const stage = stages.get('licences');
    if (!stage) return [];
    const rows = await tx.query<{ line: number; ref: string }>(
      `select s.line, s.${field} as ref from ${stage.name} s
       where s.${field} is not null
         and not exists (select 1 from ${table} t where t.org_id = $1 and t.key = s.${field})
       order by s.line limit 1000`,
      [org],
    );
    return rows.map((row) => ({
      line: row.line,
      column,
      message: `no ${column} '${row.ref}' in this organisation: import the ${table} first`,
    }));
  };

const OPTIONAL: readonly [string, keyof LicenceRow][] = [
  ['programme', 'programme'],
  ['quantity', 'quantity'],
  ['language', 'language'],
  ['mui_packs', 'muiPacks'],
  ['oem_vendor', 'oemVendor'],
  ['expires', 'expires'],
];

const readFileLicence = licenceReader(LICENCE_COLUMNS);

export const licencesKind: ImportKindHandler = {
  targets: (columns) => [
    target(
      licencesTable,
      [
        'key',
        'channel',
        'product',
        'edition',
        'version',
        'components',
        'agreementNumber',
        'sku',
        'deviceKey',
        'userKey',
        'source',
        ...OPTIONAL.filter(([c]) => columns.has(c)).map(([, f]) => f),
        ...(columns.has('kind') ? (['kind'] as const) : []),
        ...(columns.has('assignment') ? (['assignment'] as const) : []),
        ...(columns.has('software_assurance') ? (['softwareAssurance'] as const) : []),
      ],
      ['kind', 'assignment', 'softwareAssurance'],
    ),
  ],
  keyColumn: (columns) =>
    columns.has('sku') ? 'sku' : columns.has('agreement_number') ? 'agreement_number' : 'product',
  read: (r, source) => {
    const device = r.get('device');
    const user = r.get('user');
    const assignment = r.get('assignment') ?? (user ? 'user' : 'device');
    let ok = true;
    if (device && user) {
      r.issue('user', 'a licence is assigned to a device or to a user, not both');
      ok = false;
    } else if (assignment === 'user' && device) {
      r.issue('device', 'a per-user licence is assigned to a user, not to a device');
      ok = false;
    } else if (assignment === 'device' && user) {
      r.issue('user', 'a per-device licence is assigned to a device, not to a user');
      ok = false;
    }
    const licence = readFileLicence(r, {
      channel: r.get('channel'),
      programme: r.get('programme'),
      kind: r.get('kind'),
      assignment,
      softwareAssurance: r.get<boolean>('software_assurance'),
      agreementNumber: r.get('agreement_number'),
      sku: r.get('sku'),
      quantity: r.get<number>('quantity'),
      product: r.get('product'),
      edition: r.get('edition'),
      version: r.get('version'),
      components: r.get<string[]>('components'),
      language: r.get('language'),
      muiPacks: r.get<string[]>('mui_packs'),
      oemVendor: r.get('oem_vendor'),
      expires: r.get('expires'),
    });
    if (!licence || !ok) return undefined;
    const deviceKey = nullable(device);
    const userKey = nullable(user);
    const key = licenceKey({
      agreementNumber: licence.agreementNumber,
      sku: licence.sku,
      channel: licence.channel,
      product: licence.product,
      edition: licence.edition,
      version: licence.version,
      deviceKey,
      userKey,
    });
    const row = licenceRow(licence, key, deviceKey, userKey, licence.oemVendor, source);
    return { licences: row };
  },
  check: async (tx, org, stages) => [
    ...(await missingReferences('device', 'device_key', 'devices')(tx, org, stages)),
    ...(await missingReferences('user', 'user_key', 'users')(tx, org, stages)),
  ],
};
