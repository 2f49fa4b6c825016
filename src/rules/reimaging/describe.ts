import { displayName } from '../../catalogue/catalogue.ts';
import { esuYearOn } from '../../data/esu.ts';
import type { Lang } from '../../engine/text.ts';
import type { Verdict } from '../../engine/verdict.ts';
import type { Identity, Licence, Question } from '../../model/question.ts';

/** The licence at a path such as "device.licences[1]" or "users[0].licences[2]". */
export const licenceAt = (q: Question, path: string | undefined): Licence | undefined => {
  if (path === undefined) return undefined;
  const all = [...q.device.licences, ...q.device.users.flatMap((u) => u.licences), ...q.organisationLicences];
  return all.find((l) => l.path === path);
};

const name = (i: Identity): string => displayName(i.product, i.edition, i.version);

const channelName: Record<Licence['channel'], Record<Lang, string>> = {
  oem: { ja: 'OEM', en: 'OEM' },
  fpp: { ja: 'パッケージ製品 (FPP)', en: 'retail (FPP)' },
  volume: { ja: 'コマーシャル ライセンス', en: 'volume' },
};

export const describeLicence = (l: Licence, lang: Lang): string => {
  const how = l.programme
    ? `${channelName[l.channel][lang]} ${l.programme.toUpperCase()}`
    : channelName[l.channel][lang];
  const per = l.assignment === 'user' ? (lang === 'ja' ? 'ユーザー単位' : 'per user') : '';
  return [
    name(l),
    l.language,
    how,
    l.kind === 'upgrade' ? (lang === 'ja' ? 'アップグレード' : 'upgrade') : '',
    per,
  ]
    .filter(Boolean)
    .join(', ')
    .concat(` [${l.id}]`);
};

const none = { ja: 'なし', en: 'none' };

/** Values for the placeholders in reason texts, taken from the question and the verdict. */
export const placeholders = (q: Question, v: Verdict, lang: Lang): Record<string, string | undefined> => {
  const basis = licenceAt(q, v.basis);
  const media = licenceAt(q, v.mediaBasis);
  const unlicensed = q.device.users.find(
    (u) => !u.licences.some((l) => l.product === q.image.product && l.edition === q.image.edition),
  );
  return {
    device: q.device.id,
    image: `${name(q.image)} (${q.image.language ?? '?'})`,
    basis: basis ? describeLicence(basis, lang) : none[lang],
    mediaBasis: media ? describeLicence(media, lang) : none[lang],
    vendor: q.device.vendor,
    imageVendor: q.image.vendor,
    imageId: q.image.id,
    firstImagedWith: q.device.firstImagedWith,
    imageLanguage: q.image.language,
    basisLanguage: basis?.language,
    imageMui: q.image.muiPacks || none[lang],
    imageComponents: q.image.components || none[lang],
    basisComponents: basis?.components || none[lang],
    expires: basis?.expires,
    eos: q.image.endOfSupport ?? (lang === 'ja' ? '未発表' : 'not announced'),
    asOf: q.asOf,
    esuYear: String(esuYearOn(q.asOf) ?? '-'),
    agreement: media?.agreementNumber,
    quantity: media?.quantity === undefined ? undefined : String(media.quantity),
    used:
      media?.agreementNumber === undefined ? undefined : String(q.openUsage[media.agreementNumber] ?? '?'),
    unlicensedUser: unlicensed?.id,
    architecture: q.image.architecture,
    imagedBy: q.imagedBy === 'oem' ? 'OEM' : lang === 'ja' ? '第三者' : 'A third party',
  };
};
