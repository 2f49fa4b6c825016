import { displayName } from '../../catalogue/catalogue.ts';
import { esuYearOn } from '../../data/esu.ts';
import type { Lang } from '../../engine/text.ts';
import type { Verdict } from '../../engine/verdict.ts';
import type { Identity, Licence, Question } from '../../model/question.ts';

/** The licence at a path such as "device.licences[1]" or "users[0].licences[2]". */
export const licenceAt = (q: Question, path: string | undefined): Licence | undefined => {
  if (path === undefined) return undefined;
  // Plain loops: this runs twice for each device of a plan, and a merged list per call was garbage.
  for (const l of q.device.licences) if (l.path === path) return l;
  for (const u of q.device.users) for (const l of u.licences) if (l.path === path) return l;
  for (const l of q.organisationLicences) if (l.path === path) return l;
  return undefined;
};

const name = (i: Identity): string => displayName(i.product, i.edition, i.version);

const channelName: Record<Licence['channel'], Record<Lang, string>> = {
  oem: { ja: 'OEM', en: 'OEM' },
  fpp: { ja: 'パッケージ製品 (FPP)', en: 'retail (FPP)' },
  volume: { ja: 'コマーシャル ライセンス', en: 'volume' },
};

export const describeLicence = (l: Licence, lang: Lang): string => {
  // Concatenation rather than a list filtered and joined: a plan describes a licence for each device.
  const how = l.programme
    ? `${channelName[l.channel][lang]} ${l.programme.toUpperCase()}`
    : channelName[l.channel][lang];
  let out = name(l);
  if (l.language) out += `, ${l.language}`;
  out += `, ${how}`;
  if (l.kind === 'upgrade') out += lang === 'ja' ? ', アップグレード' : ', upgrade';
  if (l.assignment === 'user') out += lang === 'ja' ? ', ユーザー単位' : ', per user';
  return `${out} [${l.id}]`;
};

const none = { ja: 'なし', en: 'none' };

/** What the placeholders read: the question, its verdict, and the licences the verdict rests on. */
export interface Described {
  readonly q: Question;
  readonly v: Verdict;
  readonly basis: Licence | undefined;
  readonly media: Licence | undefined;
}

export const described = (q: Question, v: Verdict): Described => ({
  q,
  v,
  basis: licenceAt(q, v.basis),
  media: licenceAt(q, v.mediaBasis),
});

type Placeholder = (d: Described, lang: Lang) => string | undefined;

/**
 * Each placeholder of the reason texts and how its value is found, one function per name, so a caller that
 * needs only the names one verdict's texts use (the planner, once per device of a fleet) computes only those.
 */
export const PLACEHOLDERS: Readonly<Record<string, Placeholder>> = {
  device: ({ q }) => q.device.id,
  image: ({ q }) => `${name(q.image)} (${q.image.language ?? '?'})`,
  basis: ({ basis }, lang) => (basis ? describeLicence(basis, lang) : none[lang]),
  mediaBasis: ({ media }, lang) => (media ? describeLicence(media, lang) : none[lang]),
  vendor: ({ q }) => q.device.vendor,
  imageVendor: ({ q }) => q.image.vendor,
  imageId: ({ q }) => q.image.id,
  firstImagedWith: ({ q }) => q.device.firstImagedWith,
  imageLanguage: ({ q }) => q.image.language,
  basisLanguage: ({ basis }) => basis?.language,
  imageMui: ({ q }, lang) => q.image.muiPacks || none[lang],
  imageComponents: ({ q }, lang) => q.image.components || none[lang],
  basisComponents: ({ basis }, lang) => basis?.components || none[lang],
  expires: ({ basis }) => basis?.expires,
  eos: ({ q }, lang) => q.image.endOfSupport ?? (lang === 'ja' ? '未発表' : 'not announced'),
  asOf: ({ q }) => q.asOf,
  esuYear: ({ q }) => String(esuYearOn(q.asOf) ?? '-'),
  agreement: ({ media }) => media?.agreementNumber,
  quantity: ({ media }) => (media?.quantity === undefined ? undefined : String(media.quantity)),
  used: ({ q, media }) =>
    media?.agreementNumber === undefined ? undefined : String(q.openUsage[media.agreementNumber] ?? '?'),
  unlicensedUser: ({ q }) =>
    q.device.users.find(
      (u) => !u.licences.some((l) => l.product === q.image.product && l.edition === q.image.edition),
    )?.id,
  architecture: ({ q }) => q.image.architecture,
  imagedBy: ({ q }, lang) => (q.imagedBy === 'oem' ? 'OEM' : lang === 'ja' ? '第三者' : 'A third party'),
};

/** Values for the placeholders in reason texts, taken from the question and the verdict. */
export const placeholders = (q: Question, v: Verdict, lang: Lang): Record<string, string | undefined> => {
  const d = described(q, v);
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(PLACEHOLDERS)) out[key] = value(d, lang);
  return out;
};
