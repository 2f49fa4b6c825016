import { z } from 'zod';
import {
  endOfSupport,
  knownComponents,
  resolveEdition,
  resolveProduct,
  resolveVersion,
  suiteComponents,
  type Unknown,
  versionRank,
} from '../catalogue/catalogue.ts';
import { loadData } from '../data/load.ts';
import {
  isQualifyingOs,
  oemDowngradeTargets,
  programmeCountLimited,
  programmeGivesReimaging,
} from '../data/rights.ts';
import { type DeviceInput, type ImageInput, LicenceInput, QuestionInput, type UserInput } from './facts.ts';
import { fromZod, InputError, type InputIssue } from './input-error.ts';
import type { Device, Identity, Image, Licence, Question, User } from './question.ts';

type RawIdentity = {
  product: string;
  edition: string;
  version: string;
  components?: string[] | undefined;
  language?: string | undefined;
  muiPacks?: string[] | undefined;
};

const isUnknown = (v: string | Unknown): v is Unknown => typeof v !== 'string';

/** ja-jp → ja-JP, zh-hant-tw → zh-Hant-TW: Windows compares these case-insensitively. */
export const canonicalLanguage = (tag: string): string =>
  tag
    .split('-')
    .map((part, i) =>
      i === 0
        ? part.toLowerCase()
        : part.length === 4
          ? part[0]!.toUpperCase() + part.slice(1).toLowerCase()
          : part.toUpperCase(),
    )
    .join('-');

const simplify = (v: string): string =>
  v
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[.,・]/g, ' ')
    .replace(/\b(inc|corp|corporation|co|ltd|llc|gmbh|kk|limited)\b|株式会社|合同会社/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/** Entries a memo below keeps before starting over: a fleet has far fewer distinct values. */
const MEMO_LIMIT = 10_000;

const vendorAliases = new Map<string, string>();
for (const [key, names] of Object.entries(
  loadData('vendors.yaml', z.object({ vendors: z.record(z.string(), z.array(z.string())) }).loose()).vendors,
))
  for (const n of [key, ...names]) vendorAliases.set(simplify(n), key);

/** A fleet names a handful of makers a million times: each name is simplified once. */
const vendorKeys = new Map<string, string>();

/** One key per PC maker: "Dell Inc.", "DELL" and "デル" are one OEM, as are "FUJITSU" and "富士通". */
export const vendorKey = (v: string): string => {
  let k = vendorKeys.get(v);
  if (k === undefined) {
    const s = simplify(v);
    k = vendorAliases.get(s) ?? s;
    if (vendorKeys.size >= MEMO_LIMIT) vendorKeys.clear();
    vendorKeys.set(v, k);
  }
  return k;
};

const sortedKey = (items: readonly string[] | undefined): string =>
  items ? [...new Set(items)].sort().join(',') : '';

const part = (s: string | undefined): string => (s === undefined ? '-' : `${s.length}:${s}`);
const parts = (a: readonly string[] | undefined): string =>
  a === undefined ? '-' : `${a.length}[${a.map(part).join('')}`;

/**
 * Identities resolved without a problem, by their raw fields: a fleet's licences are a few dozen kinds, and
 * an identity is frozen, so one object serves every licence of its kind. The usual raw identity (no
 * components, no MUI packs) is found through nested maps, with no key to build; a raw identity with a
 * problem is resolved each time, so its issues name each path.
 */
type Nest = Map<string, Map<string, Map<string, Map<string | undefined, Identity>>>>;
const plainIdentities: Nest = new Map();
const otherIdentities = new Map<string, Identity>();
let memoised = 0;

const plainLookup = (raw: RawIdentity): Identity | undefined =>
  plainIdentities.get(raw.product)?.get(raw.edition)?.get(raw.version)?.get(raw.language);

const remember = (raw: RawIdentity, id: Identity, plain: boolean): void => {
  if (++memoised > MEMO_LIMIT) {
    plainIdentities.clear();
    otherIdentities.clear();
    memoised = 1;
  }
  if (!plain) {
    otherIdentities.set(otherKey(raw), id);
    return;
  }
  let editions = plainIdentities.get(raw.product);
  if (!editions) {
    editions = new Map();
    plainIdentities.set(raw.product, editions);
  }
  let versions = editions.get(raw.edition);
  if (!versions) {
    versions = new Map();
    editions.set(raw.edition, versions);
  }
  let languages = versions.get(raw.version);
  if (!languages) {
    languages = new Map();
    versions.set(raw.version, languages);
  }
  languages.set(raw.language, id);
};

const otherKey = (raw: RawIdentity): string =>
  part(raw.product) +
  part(raw.edition) +
  part(raw.version) +
  parts(raw.components) +
  part(raw.language) +
  parts(raw.muiPacks);

/** Resolves product, edition, version and components against the catalogue, collecting every problem. */
export const resolveIdentity = (
  raw: RawIdentity,
  path: string,
  issues: InputIssue[],
): Identity | undefined => {
  const plain = raw.components === undefined && raw.muiPacks === undefined;
  const known = plain ? plainLookup(raw) : otherIdentities.get(otherKey(raw));
  if (known !== undefined) return known;
  const before = issues.length;
  const id = resolveIdentityOnce(raw, path, issues);
  if (id !== undefined && issues.length === before) remember(raw, id, plain);
  return id;
};

const resolveIdentityOnce = (raw: RawIdentity, path: string, issues: InputIssue[]): Identity | undefined => {
  const product = resolveProduct(raw.product);
  if (isUnknown(product)) {
    issues.push({
      path: `${path}.product`,
      message: `unknown product '${raw.product}'`,
      expected: product.known,
    });
    return undefined;
  }
  const version = resolveVersion(product, raw.version);
  if (isUnknown(version)) {
    issues.push({
      path: `${path}.version`,
      message: `unknown version '${raw.version}' of ${product}`,
      expected: version.known,
    });
    return undefined;
  }
  const edition = resolveEdition(product, raw.edition, version);
  if (isUnknown(edition)) {
    issues.push({
      path: `${path}.edition`,
      message: `unknown edition '${raw.edition}' of ${product} ${version}`,
      expected: edition.known,
    });
    return undefined;
  }
  let components = '';
  const suite = suiteComponents(product, edition, version);
  if (raw.components) {
    const known = knownComponents(product);
    const given = raw.components.map((c) => c.trim().toLowerCase().replace(/\s+/g, '-'));
    const bad = given.filter((c) => !known.includes(c));
    if (bad.length > 0) {
      issues.push({
        path: `${path}.components`,
        message: known.length ? `unknown component(s) ${bad.join(', ')}` : `${product} has no components`,
        expected: known,
      });
      return undefined;
    }
    components = sortedKey(given);
  } else if (suite) {
    components = sortedKey(suite);
  }
  return Object.freeze({
    product,
    edition,
    version,
    rank: versionRank(product, version),
    components,
    language: raw.language === undefined ? undefined : canonicalLanguage(raw.language),
    muiPacks: sortedKey(raw.muiPacks?.map(canonicalLanguage)),
  });
};

type LicenceRaw = z.output<typeof LicenceInput>;

const resolveLicence = (raw: LicenceRaw, path: string, issues: InputIssue[]): Licence | undefined => {
  if (raw.channel === 'volume' && raw.programme === undefined)
    issues.push({
      path: `${path}.programme`,
      message: 'a volume licence needs its programme',
      expected: LicenceInput.shape.programme.unwrap().options,
    });
  if (raw.channel !== 'volume' && raw.programme !== undefined)
    issues.push({ path: `${path}.programme`, message: `an ${raw.channel} licence has no volume programme` });
  const id = resolveIdentity(raw, path, issues);
  if (!id) return undefined;
  // Volume programmes sell Windows desktop only as an upgrade (RR-13).
  const kind = raw.kind ?? (raw.channel === 'volume' && id.product === 'windows' ? 'upgrade' : 'full');
  if (raw.channel === 'volume' && id.product === 'windows' && kind === 'full')
    issues.push({
      path: `${path}.kind`,
      message: 'volume programmes offer no full Windows desktop licence (RR-13)',
      expected: ['upgrade'],
    });
  // One literal with every field in one order: spreading here gave each licence its own hidden class,
  // which made every property read in the engine a slow megamorphic lookup.
  return {
    product: id.product,
    edition: id.edition,
    version: id.version,
    rank: id.rank,
    components: id.components,
    language: id.language,
    muiPacks: id.muiPacks,
    id: raw.id ?? path,
    path,
    channel: raw.channel,
    programme: raw.programme,
    kind,
    assignment: raw.assignment,
    softwareAssurance: raw.softwareAssurance,
    agreementNumber: raw.agreementNumber,
    sku: raw.sku,
    quantity: raw.quantity,
    oemVendor: raw.oemVendor,
    expires: raw.expires,
    oemDowngrades: raw.channel === 'oem' ? oemDowngradeTargets(id.product, id.edition, id.version) : [],
    givesMediaRights: raw.channel === 'volume' && programmeGivesReimaging(raw.programme ?? ''),
    countLimited: raw.channel === 'volume' && programmeCountLimited(raw.programme ?? ''),
    qualifying: isQualifyingOs({ ...id, channel: raw.channel }),
  };
};

/** "device.licences[0]", "device.licences[1]", …: the same few paths for every device of a fleet. */
const indexedPaths = new Map<string, string[]>();
const indexedPath = (path: string, i: number): string => {
  let known = indexedPaths.get(path);
  if (!known) {
    if (indexedPaths.size >= MEMO_LIMIT) indexedPaths.clear();
    known = [];
    indexedPaths.set(path, known);
  }
  let at = known[i];
  if (at === undefined) {
    at = `${path}[${i}]`;
    known[i] = at;
  }
  return at;
};

export const resolveLicences = (
  raws: readonly LicenceRaw[],
  path: string,
  issues: InputIssue[],
): Licence[] => {
  // A loop, not flatMap with a closure: this runs for every device and user of a fleet.
  const out: Licence[] = [];
  for (let i = 0; i < raws.length; i++) {
    const l = resolveLicence(raws[i]!, indexedPath(path, i), issues);
    if (l) out.push(l);
  }
  return out;
};

export const resolveImage = (
  raw: z.output<typeof ImageInput>,
  path: string,
  issues: InputIssue[],
): Image | undefined => {
  const id = resolveIdentity(raw, path, issues);
  if (!id) return undefined;
  if (id.language === undefined)
    issues.push({ path: `${path}.language`, message: 'an image has a language (RR-10)' });
  return {
    product: id.product,
    edition: id.edition,
    version: id.version,
    rank: id.rank,
    components: id.components,
    language: id.language,
    muiPacks: id.muiPacks,
    id: raw.id,
    media: raw.media,
    architecture: raw.architecture,
    vendor: raw.vendor,
    modified: raw.modified,
    fppLicence: raw.fppLicence,
    endOfSupport: endOfSupport(id.product, id.version)?.date,
    vendorKey: raw.vendor === undefined ? undefined : vendorKey(raw.vendor),
  };
};

/** Field names a strict object accepts at `path`, so an unknown field's message can list them. */
const acceptedKeys = (schema: z.ZodType, path: readonly PropertyKey[]): string[] => {
  let s: z.ZodType = schema;
  for (const step of path) {
    // Array positions carry no field names: the element's schema answers for them.
    if (typeof step === 'number') continue;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodObject) s = s.shape[step as string] as z.ZodType;
    if (!s) return [];
  }
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodArray) s = s.element as z.ZodType;
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
};

/** Structural check: zod issues, with the accepted field names for unknown fields. */
export const parseWith = <T extends z.ZodType>(schema: T, input: unknown, source?: string): z.output<T> => {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) => {
    const ours = fromZod(new z.ZodError([issue]));
    return issue.code === 'unrecognized_keys'
      ? ours.map((o) => ({ ...o, expected: acceptedKeys(schema, issue.path) }))
      : ours;
  });
  throw new InputError(issues, source);
};

/** Turns raw input (from JSON or YAML) into a question the rules can read, or throws one InputError. */
export const toQuestion = (input: unknown, source?: string): Question =>
  buildQuestion(parseWith(QuestionInput, input, source), source);

/** Resolves users and their per-user licences; a user listed twice is an input error. */
export const resolveUsers = (
  raws: readonly z.output<typeof UserInput>[],
  issues: InputIssue[],
  path = 'users',
): Map<string, User> => {
  const users = new Map<string, User>();
  for (let i = 0; i < raws.length; i++) {
    const u = raws[i]!;
    const at = indexedPath(path, i);
    if (users.has(u.id)) issues.push({ path: `${at}.id`, message: `user '${u.id}' is listed twice` });
    users.set(u.id, {
      id: u.id,
      name: u.name,
      licences: u.licences.length === 0 ? [] : resolveLicences(u.licences, `${at}.licences`, issues),
    });
  }
  return users;
};

const userRef = (
  users: ReadonlyMap<string, User>,
  id: string,
  path: string,
  issues: InputIssue[],
  out: User[],
): void => {
  const u = users.get(id);
  if (u) out.push(u);
  else issues.push({ path, message: `user '${id}' is not among users`, expected: [...users.keys()] });
};

/** Resolves a device and links it to the users who use it (`users`, else the primary user). */
export const resolveDevice = (
  d: z.output<typeof DeviceInput>,
  users: ReadonlyMap<string, User>,
  issues: InputIssue[],
): Device => {
  // Loops and top-level helpers, not closures: this runs for every device of a fleet.
  const deviceUsers: User[] = [];
  if (d.users)
    for (let i = 0; i < d.users.length; i++)
      userRef(users, d.users[i]!, indexedPath('device.users', i), issues, deviceUsers);
  else if (d.primaryUser) userRef(users, d.primaryUser, 'device.primaryUser', issues, deviceUsers);
  return {
    id: d.id,
    vendor: d.vendor,
    vendorKey: d.vendor === undefined ? undefined : vendorKey(d.vendor),
    licences: resolveLicences(d.licences, 'device.licences', issues),
    firstImagedWith: d.firstImagedWith,
    primaryUser: d.primaryUser,
    users: deviceUsers,
    esuYears: d.esuYears === undefined || d.esuYears.length === 0 ? [] : [...new Set(d.esuYears)].sort(),
  };
};

/**
 * Builds a question from input that already has the structural shape (checked by zod, or read from the
 * store where it was checked on import): resolves names against the catalogue and user references.
 */
export const buildQuestion = (raw: z.output<typeof QuestionInput>, source?: string): Question => {
  const issues: InputIssue[] = [];
  const image = resolveImage(raw.image, 'image', issues);
  const users = resolveUsers(raw.users, issues);
  const device = resolveDevice(raw.device, users, issues);
  const organisationLicences = resolveLicences(
    raw.organisation?.licences ?? [],
    'organisation.licences',
    issues,
  );
  if (issues.length > 0 || !image) throw new InputError(issues, source);
  return {
    asOf: raw.asOf,
    image,
    device,
    organisationLicences,
    imagedBy: raw.imagedBy,
    openUsage: raw.openUsage ?? {},
  };
};
