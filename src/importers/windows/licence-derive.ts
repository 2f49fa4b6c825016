/**
 * Deriving the normalised record fields from the raw strings Windows prints. Kept apart from the parsers
 * because slmgr text and CIM objects carry the same strings (Name, Description, ProductKeyChannel).
 */

import type {
  EsuAddOn,
  LicenceChannel,
  LicenceStatus,
  Warning,
  WindowsLicenceRecord,
  WindowsOsVersion,
} from './licence-record.ts';

// Description tokens are language-neutral: localised slmgr output still prints "…, OEM_DM channel".
// Upper-case only, so "configextension=Retail" in a URL is not mistaken for the RETAIL channel.
const CHANNEL_TOKEN =
  /(?<![A-Za-z0-9_])(OEM_COA_NSLP|OEM_COA_SLP|OEM_NONSLP|OEM_SLP|OEM_DM|VOLUME_KMSCLIENT|VOLUME_KMS(?:_[A-Z0-9]+)*|VOLUME_MAK|RETAIL|TIMEBASED_EVAL|VIRTUAL_MACHINE_ACTIVATION)(?![A-Za-z0-9_])/;

/** The channel token a line carries, if any (e.g. "VOLUME_KMSCLIENT"). */
export function findChannelToken(text: string): string | undefined {
  return CHANNEL_TOKEN.exec(text)?.[1];
}

/** Maps a Description token ("VOLUME_MAK") to the channel; tokens outside the enum stay UNKNOWN. */
export function channelFromToken(token: string): LicenceChannel {
  if (token.startsWith('VOLUME_KMS') && token !== 'VOLUME_KMSCLIENT') return 'VOLUME_KMS';
  switch (token) {
    case 'OEM_DM':
    case 'OEM_SLP':
    case 'OEM_COA_NSLP':
    case 'OEM_COA_SLP':
    case 'OEM_NONSLP':
    case 'RETAIL':
    case 'VOLUME_MAK':
    case 'VOLUME_KMSCLIENT':
      return token;
    default:
      return 'UNKNOWN';
  }
}

const PRODUCT_KEY_CHANNELS: Record<string, LicenceChannel> = {
  retail: 'RETAIL',
  'oem:dm': 'OEM_DM',
  'oem:slp': 'OEM_SLP',
  'oem:nonslp': 'OEM_NONSLP',
  'oem:coa_nslp': 'OEM_COA_NSLP',
  'oem:coa_slp': 'OEM_COA_SLP',
  'volume:mak': 'VOLUME_MAK',
  'volume:gvlk': 'VOLUME_KMSCLIENT',
  'volume:csvlk': 'VOLUME_KMS',
};

/**
 * Maps ProductKeyChannel ("OEM:DM", "Volume:GVLK") to the channel; undefined when not a known value, so the
 * caller can warn instead of guessing (e.g. "Retail:TB:Eval" for evaluation media).
 */
export function channelFromProductKeyChannel(value: string): LicenceChannel | undefined {
  return PRODUCT_KEY_CHANNELS[value.trim().toLowerCase()];
}

/** Resolves the channel from a Description token and/or ProductKeyChannel, noting disagreement. */
export function resolveChannel(
  token: string | undefined,
  productKeyChannel: string | undefined,
): { channel: LicenceChannel; channelRaw?: string; problem?: 'mismatch' | 'unrecognised' } {
  const fromToken = token === undefined ? undefined : channelFromToken(token);
  const pkc = productKeyChannel?.trim() || undefined;
  const fromPkc = pkc === undefined ? undefined : channelFromProductKeyChannel(pkc);
  if (token !== undefined && fromToken !== undefined) {
    const mismatch = fromPkc !== undefined && fromPkc !== fromToken;
    return { channel: fromToken, channelRaw: token, ...(mismatch ? { problem: 'mismatch' as const } : {}) };
  }
  if (pkc !== undefined) {
    return fromPkc !== undefined
      ? { channel: fromPkc, channelRaw: pkc }
      : { channel: 'UNKNOWN', channelRaw: pkc, problem: 'unrecognised' };
  }
  return { channel: 'UNKNOWN' };
}

/** SoftwareLicensingProduct.LicenseStatus values, as documented for the WMI class. */
const STATUS_BY_NUMBER: readonly LicenceStatus[] = [
  'unlicensed',
  'licensed',
  'oob-grace',
  'oot-grace',
  'non-genuine-grace',
  'notification',
  'extended-grace',
];

export function statusFromNumber(n: number): LicenceStatus {
  return Number.isInteger(n) ? (STATUS_BY_NUMBER[n] ?? 'unknown') : 'unknown';
}

/**
 * Maps the English slmgr "License Status:" text (slmgr.vbs L_MsgLicenseStatus*_1 strings) to a status;
 * undefined when the text is not one of them.
 */
export function statusFromSlmgrText(text: string): LicenceStatus | undefined {
  const t = text.trim().replace(/\.$/, '').toLowerCase();
  if (t === 'licensed') return 'licensed';
  if (t === 'unlicensed') return 'unlicensed';
  if (t === 'initial grace period') return 'oob-grace';
  if (t.startsWith('additional grace period')) return 'oot-grace';
  if (t === 'non-genuine grace period') return 'non-genuine-grace';
  if (t === 'notification') return 'notification';
  if (t === 'extended grace period') return 'extended-grace';
  if (t === 'unknown') return 'unknown';
  return undefined;
}

/** Edition tokens as SoftwareLicensingProduct names them, mapped to the engine's vocabulary. */
const EDITIONS: Record<string, string> = {
  professional: 'pro',
  professionaleducation: 'pro-education',
  professionalworkstation: 'pro-workstation',
  professionalcountryspecific: 'pro',
  professionalsinglelanguage: 'pro',
  enterprise: 'enterprise',
  enterprises: 'enterprise-ltsc',
  enterpriseeval: 'enterprise-eval',
  enterpriseseval: 'enterprise-ltsc-eval',
  education: 'education',
  ultimate: 'ultimate',
  homepremium: 'home-premium',
  homebasic: 'home-basic',
  starter: 'starter',
  core: 'home',
  coresinglelanguage: 'home-single-language',
  corecountryspecific: 'home-china',
  iotenterprise: 'iot-enterprise',
  iotenterprises: 'iot-enterprise-ltsc',
  serverstandard: 'server-standard',
  serverdatacenter: 'server-datacenter',
  serverstandardeval: 'server-standard-eval',
  serverdatacentereval: 'server-datacenter-eval',
  serverenterprise: 'server-enterprise',
  serverweb: 'server-web',
};

/**
 * Normalises an edition token. N/E/KN/K/G variants (media-less or regional builds) carry the same licence
 * terms as their base edition, so they map to it; unknown tokens are lower-cased rather than dropped.
 */
export function normaliseEdition(raw: string): string {
  const key = raw.trim().toLowerCase();
  const direct = EDITIONS[key];
  if (direct !== undefined) return direct;
  for (const suffix of ['kn', 'gn', 'n', 'e', 'k', 'g']) {
    if (key.endsWith(suffix)) {
      const base = EDITIONS[key.slice(0, -suffix.length)];
      if (base !== undefined) return base;
    }
  }
  return key;
}

/** The "X" of "Windows(R) 7, X edition". */
export function editionTokenFromName(name: string): string | undefined {
  return /,\s*([A-Za-z0-9_]+)\s+edition\b/.exec(name)?.[1];
}

/** OS version where the string states it; Windows 10/11 print plain "Windows(R)", which says nothing. */
export function osVersionFrom(...texts: (string | undefined)[]): WindowsOsVersion | undefined {
  for (const text of texts) {
    if (text === undefined) continue;
    if (/\bWindows Server\b/i.test(text)) return 'server';
    const edition = editionTokenFromName(text);
    if (edition !== undefined && /^Server/i.test(edition)) return 'server';
    const m = /\bWindows(?:\s*\(R\))?\s+(7|8\.1|10|11)(?![\d.])/i.exec(text);
    if (m?.[1] !== undefined) return m[1] as WindowsOsVersion;
  }
  return undefined;
}

/**
 * Reads a Client-ESU-YearN add-on Name. "Windows(R) 7, …" is Windows 7; the unversioned "Windows(R), …"
 * form is Windows 10's (Windows 11 has no Client-ESU licences); server ESU and anything else is 'other'.
 * Returns the raw year too so an out-of-range one can be reported rather than silently dropped.
 */
export function esuFromName(name: string): { esu?: EsuAddOn; year?: number } {
  const m = /\b(Client|Server)-ESU-Year(\d+)\b/i.exec(name);
  if (m === null) return {};
  const year = Number(m[2]);
  let product: EsuAddOn['product'] = 'other';
  if (m[1]?.toLowerCase() === 'client') {
    if (/^Windows(?:\(R\))?\s+7\s*,/i.test(name)) product = 'windows-7';
    else if (/^Windows(?:\(R\))?\s*,/i.test(name)) product = 'windows-10';
  }
  if (year !== 1 && year !== 2 && year !== 3) return { year };
  return { esu: { year, product }, year };
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

export function normaliseGuid(value: string): string | undefined {
  return GUID.exec(value.trim())?.[1]?.toLowerCase();
}

/** A 5-character partial key; from a masked full key only its visible last 5 characters are taken. */
export function normalisePartialKey(value: string): string | undefined {
  const v = value.trim();
  if (/^[A-Z0-9]{5}$/i.test(v)) return v.toUpperCase();
  const masked = /^\*{5}(?:-\*{5}){3}-([A-Z0-9]{5})$/i.exec(v);
  return masked?.[1]?.toUpperCase();
}

/** Formats an HRESULT the way slmgr prints it ("0xC004F200"). */
export function formatHresult(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** The raw strings a parser collected for one licence, before normalisation. */
export interface RawLicenceFields {
  name?: string;
  description?: string;
  licenseFamily?: string;
  activationId?: string;
  applicationId?: string;
  productKeyChannel?: string;
  /** A channel token found on a line whose label was not recognised (localised output). */
  channelToken?: string;
  partialProductKey?: string;
  installed?: boolean;
  status?: LicenceStatus;
  statusRaw?: string;
  notificationReason?: string;
  unrecognisedLabels?: string[];
}

/** Normalises collected fields into a record; anything that needs the user's attention goes to `warn`. */
export function buildRecord(
  raw: RawLicenceFields,
  warn: (code: Warning['code'], message: string) => void,
): WindowsLicenceRecord {
  const name = raw.name ?? '';
  const record: WindowsLicenceRecord = { name, channel: 'UNKNOWN', status: raw.status ?? 'unknown' };
  if (raw.description !== undefined) record.description = raw.description;

  const osVersion = osVersionFrom(raw.name, raw.description);
  if (osVersion !== undefined) record.osVersion = osVersion;

  const { esu, year } = esuFromName(name);
  if (esu !== undefined) record.esu = esu;
  else if (year !== undefined) {
    warn(
      'esu-year-out-of-range',
      `ESU add-on year ${year} in ${JSON.stringify(name)} is outside 1–3; not mapped.`,
    );
  }

  // An add-on's Name lists the editions it applies to, not the edition installed, so no edition is derived.
  if (year === undefined) {
    const editionRaw = editionTokenFromName(name) ?? raw.licenseFamily?.trim();
    if (editionRaw) {
      record.editionRaw = editionRaw;
      if (/^Windows/i.test(name)) record.edition = normaliseEdition(editionRaw);
    }
  }

  const token =
    (raw.description === undefined ? undefined : findChannelToken(raw.description)) ?? raw.channelToken;
  const channel = resolveChannel(token, raw.productKeyChannel);
  record.channel = channel.channel;
  if (channel.channelRaw !== undefined) record.channelRaw = channel.channelRaw;
  if (channel.problem === 'mismatch') {
    warn(
      'channel-mismatch',
      `Description says ${token} but the product key channel is ${JSON.stringify(raw.productKeyChannel)}; ` +
        `using ${channel.channel} from the Description.`,
    );
  } else if (channel.problem === 'unrecognised') {
    warn(
      'unrecognised-channel',
      `Product key channel ${JSON.stringify(raw.productKeyChannel)} is not one kenri maps.`,
    );
  }
  if (token !== undefined && channel.channel === 'UNKNOWN') {
    warn('unrecognised-channel', `Channel ${token} is not one of the channels kenri reasons about.`);
  }

  if (raw.activationId !== undefined) record.activationId = raw.activationId;
  if (raw.applicationId !== undefined) record.applicationId = raw.applicationId;
  if (raw.partialProductKey !== undefined) record.partialProductKey = raw.partialProductKey;
  if (raw.installed !== undefined) record.installed = raw.installed;
  if (raw.statusRaw !== undefined) record.statusRaw = raw.statusRaw;
  if (raw.notificationReason !== undefined) record.notificationReason = raw.notificationReason;
  if (raw.unrecognisedLabels !== undefined && raw.unrecognisedLabels.length > 0) {
    record.unrecognisedLabels = [...raw.unrecognisedLabels];
  }
  return record;
}
