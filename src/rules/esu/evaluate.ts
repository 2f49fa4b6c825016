import { type EsuYear, esu, esuYearOn } from '../../data/esu.ts';
import type { Trace, TraceEntry } from '../../engine/trace.ts';
import type { Licence } from '../../model/question.ts';
import type { ClauseId } from '../../sources/clause-ids.ts';
import * as rr from '../reimaging/rules.ts';
import { type EsuCoverage, esuCoverage } from './coverage.ts';
import { type EsuPart, PartFindings } from './findings.ts';
import { listedPrerequisites } from './prerequisites.ts';
import type { EsuQuestion } from './question.ts';
import { remedies as m } from './remedies.ts';
import * as r from './rules.ts';

const { why, shared } = r;

/** The two answers about one Windows 7 device on one date, and the coverage they rest on. */
export interface EsuVerdict {
  readonly asOf: string;
  readonly device: string;
  /** The ESU year whose window holds `asOf`, if any. */
  readonly esuYear: EsuYear | undefined;
  /** How the device's ESU years stand on `asOf`; undefined when the years bought are not known. */
  readonly coverage: EsuCoverage | undefined;
  /** May the device run Windows 7 on `asOf`? (ESU-02, ESU-04, ESU-05, ESU-06, ESU-08) */
  readonly licensed: EsuPart;
  /** Does it receive security updates on `asOf`? (ESU-02, ESU-12, ESU-15) */
  readonly updates: EsuPart;
  /** Every clause either answer rests on, in first-cited order. */
  readonly cites: readonly ClauseId[];
  readonly trace?: readonly TraceEntry[];
}

const WINDOWS = esu.product.product;
const SEVEN = esu.product.version;

/**
 * Is this Windows 7 device licensed, and does it receive security updates, on the question's date? Pure:
 * no clock, no I/O; the same question always gets the same verdict.
 */
export const evaluateEsu = (q: EsuQuestion, trace?: Trace): EsuVerdict => {
  const coverage = q.device.esuYears === undefined ? undefined : esuCoverage(q.device.esuYears, q.asOf);
  const licensed = licensedOn(q, coverage, new PartFindings('licensed', trace));
  const updates = updatesOn(q, coverage, new PartFindings('updates', trace));
  return {
    asOf: q.asOf,
    device: q.device.id,
    esuYear: esuYearOn(q.asOf),
    coverage,
    licensed,
    updates,
    cites: [...new Set([...licensed.cites, ...updates.cites])],
    ...(trace ? { trace: trace.entries } : {}),
  };
};

const inForce = (l: Licence, asOf: string): boolean => l.expires === undefined || asOf <= l.expires;

/** Licences by the right they give to run Windows 7 in the running edition: own, volume downgrade, OEM downgrade. */
const bases = (q: EsuQuestion) => {
  const { edition, licences } = q.device;
  const live = licences.filter((l) => l.product === WINDOWS && inForce(l, q.asOf));
  const own = live.find((l) => l.version === SEVEN && l.edition === edition);
  // Volume licences carry full downgrade rights to earlier versions of the same edition (RR-22).
  const volume = live.find((l) => l.channel === 'volume' && l.edition === edition && l.version !== SEVEN);
  const oem = live.find(
    (l) => l.channel === 'oem' && l.oemDowngrades.some((t) => t.version === SEVEN && t.edition === edition),
  );
  return { own, volume, oem };
};

const buyMissing = (years: readonly EsuYear[]) => years.map((y) => m.buyYear[y]);

function licensedOn(q: EsuQuestion, coverage: EsuCoverage | undefined, f: PartFindings): EsuPart {
  const { own, volume, oem } = bases(q);
  if (own) {
    f.basis = own.path;
    return f.verdict(why.ownLicence);
  }
  if (volume) {
    f.basis = volume.path;
    return f.verdict(shared.volumeDowngrade);
  }
  if (!oem) {
    f.deny(why.noWindows7Right, m.licenceTheDevice, m.upgradeWindows);
    return f.verdict(why.noWindows7Right);
  }
  f.basis = oem.path;
  f.holds(rr.oemDowngrade);
  if (q.asOf <= esu.endOfSupport.date) return f.verdict(why.downgradeUntilEos);
  // After end of support the OEM right is gone (ESU-04, ESU-05); only ESU for the year renews it (ESU-06).
  const year = esuYearOn(q.asOf);
  if (year === undefined) {
    f.deny(shared.downgradeEndedForGood, m.upgradeWindows);
    f.deny(why.programmeEnded);
    return f.verdict(shared.esuRenews);
  }
  if (coverage === undefined) {
    f.need(
      r.downgradeNeedsEsu,
      'device.esuYears',
      {
        ja: 'このデバイスに購入した ESU の年度 (例: [1, 2])。ダウングレードで使う Windows 7 は、その日を含む年度の ESU がある間だけ使える',
        en: 'Which ESU years were bought for this device ([1, 2], say): Windows 7 run by downgrade is licensed only while ESU covers the date',
      },
      m.buyYear[year],
    );
    return f.verdict(shared.esuRenews);
  }
  if (coverage.status === 'not-covered') {
    f.deny(shared.downgradeEnded, ...buyMissing(coverage.missing), m.upgradeWindows);
    if (coverage.gap) f.deny(why.yearsGap);
  }
  return f.verdict(shared.esuRenews);
}

function updatesOn(q: EsuQuestion, coverage: EsuCoverage | undefined, f: PartFindings): EsuPart {
  const { asOf, device } = q;
  if (asOf <= esu.endOfSupport.date) return f.verdict(why.updatesInSupport);
  const year = esuYearOn(asOf);
  if (year === undefined) {
    f.deny(why.programmeEnded, m.upgradeWindows);
    return f.verdict(why.esuUpdates);
  }
  if (esu.eligibleEditions.editions.includes(device.edition)) f.holds(r.eligibleEdition);
  else f.deny(why.editionNotEligible, m.moveToEligibleEdition, m.upgradeWindows);

  if (coverage === undefined)
    f.need(
      r.esuYearNeeded,
      'device.esuYears',
      {
        ja: 'このデバイスに購入した ESU の年度 (例: [1, 2])',
        en: 'Which ESU years were bought for this device ([1, 2], say)',
      },
      m.buyYear[year],
    );
  else if (coverage.status === 'not-covered') {
    if (coverage.gap) f.deny(why.yearsGap, ...buyMissing(coverage.missing));
    else f.deny(why.noEsuYear, ...buyMissing(coverage.missing));
  } else f.holds(r.esuYearNeeded, `year ${year}`);

  const key = device.esuKey;
  if (key === 'unknown')
    f.need(
      r.keyActivated,
      'device.esuKey',
      {
        ja: 'ESU MAK キーがこのデバイスにインストールされ認証済みか (slmgr /dlv <ライセンス認証 ID> の License Status)',
        en: 'Whether the ESU MAK key is installed and activated on this device (License Status in slmgr /dlv <activation ID>)',
      },
      m.installAndActivateKey,
    );
  else if (!key.installed || !key.activated) f.deny(why.keyNotActivated, m.installAndActivateKey);
  else f.holds(r.keyActivated);

  if (device.installedUpdates === undefined)
    f.need(
      r.prerequisites,
      'device.installedUpdates',
      {
        ja: 'インストール済みの更新プログラムの一覧 (Get-HotFix または wmic qfe の出力)。必須更新が適用されているかを確認するため',
        en: 'The list of installed updates (Get-HotFix or wmic qfe output), to check the prerequisite updates',
      },
      m.installPrerequisites,
    );
  else
    for (const p of listedPrerequisites(device.installedUpdates, asOf).notListed)
      f.need(
        r.prerequisites,
        `device.installedUpdates[${p.kb}]`,
        {
          ja: `${p.kb} (${p.title.ja}) がインストール済みか。一覧に無いが、Get-HotFix はコンポーネント ベース サービスで入った更新を表示しないことがあるため、未適用とは断定できない`,
          en: `Whether ${p.kb} (${p.title.en}) is installed: the listing does not show it, but Get-HotFix can miss updates installed by component servicing, so that is no proof it is missing`,
        },
        m.installPrerequisites,
      );
  return f.verdict(why.esuUpdates);
}
