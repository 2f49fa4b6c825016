import { esuYearOn } from '../../data/esu.ts';
import type { Trace } from '../../engine/trace.ts';
import type { Verdict } from '../../engine/verdict.ts';
import type { Device, Image, Licence, Question } from '../../model/question.ts';
import { compare, distance, isEsuProduct, MISMATCH, Miss, Via } from './coverage.ts';
import { Findings } from './findings.ts';
import * as r from './rules.ts';

const { why } = r;

/**
 * May this device take this base image, as of the question's date? Pure: the same question always gets
 * the same verdict, and nothing here reads a clock, a file or the network.
 */
export const evaluate = (q: Question, trace?: Trace): Verdict => {
  switch (q.image.media) {
    case 'volume':
      return byVolumeMedia(q, new Findings(trace));
    case 'oem-recovery':
    case 'oem-custom':
      return byOemMedia(q, new Findings(trace));
    case 'fpp':
      return byRetailMedia(q, new Findings(trace));
  }
};

const isWindowsEnterprise = (image: Image): boolean =>
  image.product === 'windows' && image.edition === 'enterprise';

/** Says why the closest licence does not cover the image, one reason per shortfall. */
const explainShortfall = (q: Question, f: Findings, l: Licence, bits: number, oem: boolean): void => {
  const image = q.image;
  f.basis = l;
  if (bits & Miss.product) {
    f.deny(isWindowsEnterprise(image) ? why.noEnterpriseAtAll : why.differentProduct);
    return;
  }
  // Someone uses a PC with no Enterprise licence: the per-device answer is Windows SA per Device (RR-Q5).
  if (bits & Miss.edition)
    f.deny(
      isWindowsEnterprise(image)
        ? q.device.users.length > 0
          ? why.unlicensedUser
          : why.needsEnterprise
        : why.differentProduct,
    );
  if (bits & Miss.officeChannel) f.deny(why.officeChannel);
  if (bits & Miss.version) f.deny(oem ? why.oemNoLicence : why.differentVersion);
  if (bits & Miss.downgradeEnded)
    f.deny(
      isEsuProduct(image) && esuYearOn(q.asOf) !== undefined
        ? why.downgradeEndedEsuAvailable
        : why.downgradeEndedNoEsu,
    );
  if (bits & Miss.components) f.deny(why.differentComponents);
  if (bits & Miss.language) f.deny(why.differentLanguage);
  if (bits & Miss.mui) f.deny(why.muiPack);
  if (bits & Miss.expired)
    f.deny(l.assignment === 'user' && isWindowsEnterprise(image) ? why.perUserExpired : why.expired);
  // Only the language is unknown; how the version was reached (the bits above MISMATCH) does not matter.
  if ((bits & MISMATCH) === Miss.languageUnknown)
    f.need(r.differentLanguage, `${l.path}.language`, {
      ja: 'ライセンスの言語 (例: ja-JP)。言語が一致するかどうかで判定が変わる',
      en: "The licence's language (ja-JP, say): the answer depends on whether it matches the image",
    });
};

const notesForBasis = (q: Question, f: Findings, l: Licence, bits: number): void => {
  if (bits & Via.esu) f.note(why.esuRenews);
  else if (bits & Via.oemDowngrade) f.note(why.oemDowngrade);
  if (bits & Via.volumeDowngrade) f.note(why.volumeDowngrade);
  if (l.channel === 'oem' && l.product === 'windows' && l.rank === q.image.rank) f.note(r.whyOemSameVersion);
  if (l.channel !== 'volume' && q.image.media === 'volume') {
    f.note(why.anyChannel);
    f.note(why.support);
  }
  if (!l.softwareAssurance) f.note(why.noSa);
};

const commonNotes = (q: Question, f: Findings): void => {
  if (q.image.architecture !== undefined) f.note(why.architecture);
};

/**
 * The best per-device licence for the image, or the closest miss. The findings object carries these fields
 * itself, so a search allocates nothing (Findings implements Search).
 */
export interface Search {
  cover: Licence | undefined;
  coverBits: number;
  closest: Licence | undefined;
  closestBits: number;
  closestDistance: number;
}

const consider = (s: Search, l: Licence, bits: number): boolean => {
  if ((bits & MISMATCH) === 0) {
    if (s.cover === undefined) {
      s.cover = l;
      s.coverBits = bits;
    }
    return true;
  }
  const d = distance(bits);
  if (d < s.closestDistance) {
    s.closest = l;
    s.closestBits = bits;
    s.closestDistance = d;
  }
  return false;
};

const holdsQualifyingOs = (device: Device): boolean => {
  for (const l of device.licences) if (l.qualifying) return true;
  return false;
};

function byVolumeMedia(q: Question, f: Findings): Verdict {
  const { image, device, asOf } = q;
  const s: Search = f;
  for (const l of device.licences) consider(s, l, compare(l, image, device, asOf, true, false));
  f.holds(r.identity);

  // Per-user licences cover the device only when everyone using it holds one (RR-Q5).
  let perUser = false;
  if (s.cover === undefined && device.users.length > 0) {
    let userBasis: Licence | undefined;
    let userBits = 0;
    let unlicensed: string | undefined;
    for (const u of device.users) {
      let covered = false;
      for (const l of u.licences) {
        const bits = compare(l, image, device, asOf, true, false);
        if ((bits & MISMATCH) === 0) {
          covered = true;
          userBasis ??= l;
          if (userBasis === l) userBits = bits;
          break;
        }
        consider(s, l, bits);
      }
      if (!covered) unlicensed ??= u.id;
    }
    if (userBasis !== undefined && unlicensed === undefined) {
      s.cover = userBasis;
      s.coverBits = userBits;
      perUser = true;
    } else if (userBasis !== undefined) {
      f.basis = userBasis;
      f.deny(why.unlicensedUser);
    }
  }

  if (s.cover !== undefined) {
    const l = s.cover;
    f.basis = l;
    notesForBasis(q, f, l, s.coverBits);
    if (perUser) f.note(why.perUser);
    if (l.product === 'windows' && (l.kind === 'upgrade' || l.assignment === 'user')) {
      if (holdsQualifyingOs(device)) f.note(why.qualifyingOsHeld);
      else f.deny(why.noQualifyingOs);
    }
  } else if (!f.denied) {
    if (s.closest === undefined) f.deny(isWindowsEnterprise(image) ? why.noEnterpriseAtAll : why.noLicence);
    else explainShortfall(q, f, s.closest, s.closestBits, false);
  }

  mediaRights(q, f);
  if (image.product === 'windows' || image.product === 'windows-server') f.note(r.whyActivation);
  if (q.imagedBy !== 'customer') f.note(why.onBehalf);
  commonNotes(q, f);
  return f.verdict(why.volumeMediaAllowed, why.incomplete);
}

/** Which volume licence lets the organisation use this media (RR-02, RR-05, RR-12), and its count limit. */
function mediaRights(q: Question, f: Findings): void {
  for (const l of q.device.licences) considerMedia(q, f, l);
  for (const u of q.device.users) for (const l of u.licences) considerMedia(q, f, l);
  for (const l of q.organisationLicences) considerMedia(q, f, l);
  const media = f.mediaLicence;
  if (media === undefined) {
    f.deny(f.cspOnly ? why.cspOnly : why.noMediaRights);
    return;
  }
  f.note(why.mediaRightsHeld);
  if (!media.countLimited) return;
  if (media.quantity === undefined) {
    f.need(r.openCount, `${media.path}.quantity`, {
      ja: 'Open 番号で購入したライセンス数 (再イメージングできる台数の上限)',
      en: 'How many licences were bought under the Open number (the most devices that may be reimaged)',
    });
    return;
  }
  const used = media.agreementNumber === undefined ? undefined : q.openUsage[media.agreementNumber];
  if (used === undefined) {
    f.need(r.openCount, `openUsage.${media.agreementNumber ?? '(agreementNumber)'}`, {
      ja: 'この Open 番号ですでに再イメージングしたデバイスの台数',
      en: 'How many devices have already been reimaged under this Open number',
    });
    return;
  }
  if (used < media.quantity) f.note(why.openCountOk);
  else f.deny(why.openCountReached);
}

function considerMedia(q: Question, pick: Findings, l: Licence): void {
  const image = q.image;
  if (l.channel !== 'volume' || l.product !== image.product || l.edition !== image.edition) return;
  if (l.rank < image.rank || (l.expires !== undefined && l.expires < q.asOf)) return;
  if (!l.givesMediaRights) {
    pick.cspOnly = true;
    return;
  }
  const best = pick.mediaLicence;
  // A licence with no count limit is the better basis; among Open licences, the one with most room left.
  if (best === undefined) pick.mediaLicence = l;
  else if (best.countLimited && (!l.countLimited || openRoom(q, l) > openRoom(q, best)))
    pick.mediaLicence = l;
}

function openRoom(q: Question, l: Licence): number {
  return (l.quantity ?? 0) - (l.agreementNumber === undefined ? 0 : (q.openUsage[l.agreementNumber] ?? 0));
}

function byOemMedia(q: Question, f: Findings): Verdict {
  const { image, device, asOf } = q;
  if (device.vendor === undefined)
    f.need(r.oemVendor, 'device.vendor', {
      ja: 'デバイスのメーカー (OEM)',
      en: "The device's manufacturer (OEM)",
    });
  if (image.vendor === undefined)
    f.need(r.oemVendor, 'image.vendor', { ja: 'OEM イメージのメーカー', en: 'The OEM that made the image' });
  if (device.vendor !== undefined && image.vendor !== undefined) {
    if (device.vendorKey === image.vendorKey) f.holds(r.oemVendor);
    else f.deny(why.oemOtherVendor);
  }
  if (image.id === undefined)
    f.need(r.oemFirstImaged, 'image.id', { ja: 'OEM イメージの識別子', en: "The OEM image's identity" });
  if (device.firstImagedWith === undefined)
    f.need(r.oemFirstImaged, 'device.firstImagedWith', {
      ja: 'デバイスが最初にイメージングされたイメージの識別子',
      en: 'Which image the device was first imaged with',
    });
  if (image.id !== undefined && device.firstImagedWith !== undefined) {
    if (image.id === device.firstImagedWith) f.holds(r.oemFirstImaged);
    else f.deny(why.oemNotFirstImaged);
  }
  if (image.media === 'oem-recovery') {
    if (image.modified === undefined)
      f.need(r.oemUnmodified, 'image.modified', {
        ja: 'リカバリ イメージが変更されているかどうか',
        en: 'Whether the recovery image has been modified',
      });
    else if (image.modified) f.deny(why.oemModified);
    else f.holds(r.oemUnmodified);
  }
  const s: Search = f;
  // The version check is the licence's own (its OEM downgrade right included): that the image is the
  // one preinstalled is proven by the first-imaged check above (RR-26 (1), RR-27).
  for (const l of device.licences)
    if (l.channel === 'oem') consider(s, l, compare(l, image, device, asOf, false, false));
  if (s.cover !== undefined) {
    f.basis = s.cover;
    f.holds(r.oemLicence);
    if (s.coverBits & Via.esu) f.note(why.esuRenews);
    else if (s.coverBits & Via.oemDowngrade) f.note(why.oemDowngrade);
    if (!s.cover.softwareAssurance) f.note(why.noSa);
  } else if (s.closest === undefined) f.deny(why.oemNoLicence);
  else explainShortfall(q, f, s.closest, s.closestBits, true);
  commonNotes(q, f);
  return f.verdict(why.oemMediaAllowed, why.incomplete);
}

function byRetailMedia(q: Question, f: Findings): Verdict {
  const { image, device, asOf } = q;
  let own: Licence | undefined;
  let anyRetail = false;
  for (const l of device.licences) {
    if (l.channel !== 'fpp') continue;
    anyRetail = true;
    if (l.id === image.fppLicence) own = l;
  }
  if (own === undefined) {
    if (image.fppLicence === undefined && anyRetail)
      f.need(r.fppMedia, 'image.fppLicence', {
        ja: 'このパッケージ製品メディアがどの FPP ライセンスのものか (ライセンス ID)',
        en: 'Which FPP licence this retail media belongs to (licence id)',
      });
    else f.deny(why.fppNotOwnDevice);
  } else {
    const bits = compare(own, image, device, asOf, false, true);
    if ((bits & MISMATCH) === 0) {
      f.basis = own;
      f.holds(r.fppMedia);
    } else explainShortfall(q, f, own, bits, false);
  }
  commonNotes(q, f);
  return f.verdict(why.fppMediaAllowed, why.incomplete);
}
