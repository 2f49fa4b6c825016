import { suiteComponents } from '../../catalogue/catalogue.ts';
import { esu, esuYearOn } from '../../data/esu.ts';
import type { Device, Image, Licence } from '../../model/question.ts';

/**
 * How a licence falls short of an image, as bits, so the hot path allocates nothing. The low bits are
 * mismatches (0 = the licence covers the image); the high bits say how the version was reached.
 */
export const Miss = {
  product: 1,
  edition: 2,
  version: 4,
  components: 8,
  language: 16,
  mui: 32,
  officeChannel: 64,
  expired: 128,
  downgradeEnded: 256,
  languageUnknown: 512,
} as const;
export const MISMATCH = 0xffff;
export const Via = { oemDowngrade: 1 << 16, volumeDowngrade: 1 << 17, esu: 1 << 18 } as const;

// How far a licence is from covering the image: a different product is the farthest. Straight-line code
// because this runs for every licence of every device in a fleet.
export const distance = (bits: number): number =>
  (bits & Miss.product ? 10_000 : 0) +
  (bits & Miss.edition ? 1000 : 0) +
  (bits & Miss.officeChannel ? 500 : 0) +
  (bits & Miss.version ? 100 : 0) +
  (bits & Miss.downgradeEnded ? 50 : 0) +
  (bits & Miss.components ? 40 : 0) +
  (bits & Miss.language ? 30 : 0) +
  (bits & Miss.mui ? 20 : 0) +
  (bits & Miss.expired ? 10 : 0) +
  (bits & Miss.languageUnknown ? 1 : 0);

/** Whether the device holds every ESU year up to the one covering `date` (years are cumulative). */
export const esuCovers = (device: Device, date: string): boolean => {
  const year = esuYearOn(date);
  if (year === undefined) return false;
  for (let y = 1; y <= year; y++) if (!device.esuYears.includes(y as 1 | 2 | 3)) return false;
  return true;
};

export const isEsuProduct = (image: Image): boolean =>
  image.product === esu.product.product && image.version === esu.product.version;

const downgradeComponents = new Map<string, string>();
/** Components of the licensed edition at the image's version: an earlier version brings its own (RR-28). */
const componentsAt = (l: Licence, version: string): string => {
  const key = `${l.product}|${l.edition}|${version}`;
  let c = downgradeComponents.get(key);
  if (c === undefined) {
    c = [...(suiteComponents(l.product, l.edition, version) ?? [])].sort().join(',');
    downgradeComponents.set(key, c);
  }
  return c;
};

/**
 * Compares one licence with the image. `exactVersion` is for OEM and retail media, which must match the
 * version preinstalled or bought (RR-26); volume media may use downgrade rights (RR-21, RR-22).
 */
export const compare = (
  l: Licence,
  image: Image,
  device: Device,
  asOf: string,
  volumeMediaUsed: boolean,
  exactVersion: boolean,
): number => {
  if (l.product !== image.product) return Miss.product;
  let bits = 0;
  if (l.edition !== image.edition) bits |= Miss.edition;
  // Volume Office is a different product from OEM/retail Office (RR-Q3).
  if (volumeMediaUsed && l.product === 'office' && l.channel !== 'volume') bits |= Miss.officeChannel;
  if (l.rank !== image.rank) {
    if (exactVersion || l.rank < image.rank) bits |= Miss.version;
    else if (l.channel === 'volume') bits |= l.edition === image.edition ? Via.volumeDowngrade : Miss.version;
    else bits |= oemDowngrade(l, image, device, asOf);
  }
  const components =
    l.rank === image.rank || l.components === '' ? l.components : componentsAt(l, image.version);
  if (components !== image.components) bits |= Miss.components;
  // A volume licence with no language is language-neutral: VLSC offers its media in every language.
  if (l.language === undefined) {
    if (l.channel !== 'volume') bits |= Miss.languageUnknown;
  } else {
    if (l.language !== image.language) bits |= Miss.language;
    if (image.muiPacks !== l.muiPacks) bits |= Miss.mui;
  }
  if (l.expires !== undefined && l.expires < asOf) bits |= Miss.expired;
  return bits;
};

const oemDowngrade = (l: Licence, image: Image, device: Device, asOf: string): number => {
  let named = false;
  for (const t of l.oemDowngrades)
    if (t.version === image.version && t.edition === image.edition) named = true;
  if (!named) return Miss.version;
  // The right lasts while the earlier version is supported (ESU-04); ESU renews it (ESU-06).
  if (image.endOfSupport === undefined || asOf <= image.endOfSupport) return Via.oemDowngrade;
  if (isEsuProduct(image) && esuCovers(device, asOf)) return Via.oemDowngrade | Via.esu;
  return Miss.downgradeEnded;
};
