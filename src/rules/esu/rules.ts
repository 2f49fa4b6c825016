import { rule } from '../../engine/rule.ts';
import * as rr from '../reimaging/rules.ts';
import { esuReason as reason } from './findings.ts';

// The OEM downgrade right, its end at Windows 7's end of support and its renewal by ESU are one rule of
// law whichever question asks: the ESU engine reuses the reimaging engine's rules and reasons for them
// (rr.oemDowngrade, rr.downgradeEnded, rr.esuRenewsDowngrade, rr.volumeDowngrade) so both always agree.
// ESU reasons are built with esuReason (findings.ts), outside the engine's 53-reason memo table.

// ── May the device run Windows 7 on the date? ────────────────────────────────────────────────────────

/** A licence for Windows 7 itself does not end with support; only the downgrade right does (ESU-04). */
export const ownLicence = rule({
  id: 'esu.licence.own',
  clauses: ['ESU-04'],
  says: {
    ja: 'Windows 7 そのもののライセンスはサポート終了後も有効。サポート終了で消えるのは Windows 10 Pro からのダウングレード権',
    en: 'A licence for Windows 7 itself outlives its support; what ends with support is the downgrade right from Windows 10 Pro',
  },
});

/** The OEM Windows 10 Pro → Windows 7 Professional right lasts until Windows 7's end of support (ESU-04). */
export const downgradeUntilEos = rule({
  id: 'esu.licence.downgrade-until-end-of-support',
  exceptionTo: rr.oemDowngrade.id,
  clauses: ['ESU-04', 'RR-21'],
  says: {
    ja: 'OEM Windows 10 Pro のダウングレード権による Windows 7 Pro の利用は、Windows 7 のサポート終了日まで',
    en: 'Running Windows 7 Pro by the OEM Windows 10 Pro downgrade right lasts until Windows 7 leaves support',
  },
});

/** After end of support, the downgraded device needs ESU for the year, and every year before (ESU-06, ESU-08). */
export const downgradeNeedsEsu = rule({
  id: 'esu.licence.downgrade-needs-esu',
  exceptionTo: rr.downgradeEnded.id,
  clauses: ['ESU-04', 'ESU-06', 'ESU-08'],
  says: {
    ja: 'サポート終了後にダウングレードで Windows 7 を使うには、その日を含む年度 (とそれ以前の全年度) の ESU が必要',
    en: 'After end of support, running Windows 7 by downgrade needs ESU for the year holding the date, and every year before it',
  },
});

/** Running Windows 7 with no licence for it still works, but breaches the EULA (ESU-05). */
export const noWindows7Right = rule({
  id: 'esu.licence.none',
  clauses: ['ESU-05'],
  says: {
    ja: 'ライセンスのない Windows 7 を使い続けると、PC は動作しても使用許諾契約 (EULA) 違反になる',
    en: 'Running Windows 7 without a licence for it works, but breaches the licence terms (EULA)',
  },
});

// ── ESU years ────────────────────────────────────────────────────────────────────────────────────────

/** Each year covers a fixed window whenever bought (ESU-08); paid year by year (ESU-03); years are cumulative. */
export const cumulativeYears = rule({
  id: 'esu.years.cumulative',
  clauses: ['ESU-08', 'ESU-03'],
  says: {
    ja: 'ESU は年単位で、各年度の期間は購入時期によらず固定。ある年度はそれ以前の全年度とあわせて有効になる',
    en: 'ESU is bought year by year; each year covers a fixed window whenever bought, and counts only with every year before it',
  },
});

/** ESU runs three years after end of support, until January 2023; nothing follows (ESU-02). */
export const programmeEnded = rule({
  id: 'esu.programme.ended',
  clauses: ['ESU-02'],
  says: {
    ja: 'ESU はサポート終了後 3 年間 (2023 年 1 月まで)。その後 Windows 7 をカバーするものはない',
    en: 'ESU lasts three years after end of support, until January 2023; nothing covers Windows 7 after it',
  },
});

// ── Does the device receive security updates? ──────────────────────────────────────────────────────────

export const updatesInSupport = rule({
  id: 'esu.updates.in-support',
  clauses: ['ESU-02'],
  says: {
    ja: 'サポート終了日 (2020-01-14) までは、Windows 7 は ESU なしでセキュリティ更新を受ける',
    en: 'Until end of support (2020-01-14) Windows 7 receives security updates without ESU',
  },
});

/** The base rule after end of support: ESU brings the updates, through the usual channels (ESU-14). */
export const esuUpdates = rule({
  id: 'esu.updates',
  clauses: ['ESU-15', 'ESU-12', 'ESU-14', 'ESU-08'],
  says: {
    ja: 'ESU の年度が対象日を含み、ESU キーがインストール・認証済みで、必須更新が適用されていれば、通常の経路でセキュリティ更新が届く',
    en: 'With an ESU year covering the date, the ESU key installed and activated and the prerequisites applied, updates arrive through the usual channels',
  },
});

export const esuYearNeeded = rule({
  id: 'esu.updates.year',
  exceptionTo: esuUpdates.id,
  clauses: ['ESU-02', 'ESU-03', 'ESU-08'],
  says: {
    ja: 'サポート終了後のセキュリティ更新には、その日を含む年度の ESU (とそれ以前の全年度) が必要',
    en: 'After end of support, security updates need ESU for the year holding the date, and every year before it',
  },
});

export const keyActivated = rule({
  id: 'esu.updates.key',
  exceptionTo: esuUpdates.id,
  clauses: ['ESU-15', 'ESU-13'],
  says: {
    ja: 'ESU の更新は、ESU MAK キーがインストールされ認証済みの端末にしかインストールされない',
    en: 'ESU updates install only on devices whose ESU MAK key is installed and activated',
  },
});

export const prerequisites = rule({
  id: 'esu.updates.prerequisites',
  exceptionTo: esuUpdates.id,
  clauses: ['ESU-12'],
  says: {
    ja: 'ESU を展開する前に、必須の更新プログラム (ライセンス準備、サービス スタック更新など) を適用しておく',
    en: 'Before ESU is deployed, the device needs the prerequisite updates (licensing, servicing stack and others)',
  },
});

export const eligibleEdition = rule({
  id: 'esu.updates.edition',
  exceptionTo: esuUpdates.id,
  clauses: ['ESU-02'],
  says: {
    ja: 'Windows 7 ESU の対象は Professional と Enterprise (Microsoft の ESU FAQ)',
    en: "Windows 7 ESU is for Professional and Enterprise (Microsoft's ESU FAQ)",
  },
});

// ── Ordering, the MAK ledger and deployment: they cite without deciding a verdict ────────────────────────

export const cspChannel = rule({
  id: 'esu.order.csp',
  clauses: ['ESU-01'],
  says: {
    ja: 'ESU は 2019 年 12 月から CSP でも購入できる (それまでは LSP のみ)。販売には CSP 登録が必要',
    en: 'ESU is sold through CSP from December 2019 (before, through LSPs only); reselling needs CSP registration',
  },
});
export const catalogueSearch = rule({
  id: 'esu.order.catalogue',
  clauses: ['ESU-11'],
  says: {
    ja: '新規注文の「プランファミリ」欄に ESU と入力すると商品が見つかる',
    en: 'Typing "ESU" in the plan-family field of a new order finds the product',
  },
});
export const priceList = rule({
  id: 'esu.order.price',
  clauses: ['ESU-07', 'ESU-03'],
  says: {
    ja: '価格は CSP の価格表による (1 年目 ZCSP-SS/F0FL732N 7,259 円 税抜)。1 本から年払いで購入する',
    en: 'Prices come from the CSP price list (year 1: ZCSP-SS/F0FL732N, 7,259 JPY before tax); bought from one unit, yearly',
  },
});
export const unknownPrice = rule({
  id: 'esu.order.unknown-price',
  exceptionTo: priceList.id,
  clauses: ['ESU-09'],
  says: {
    ja: '2 年目以降の価格は未定。未定の価格は「不明」であり 0 円ではない',
    en: 'Prices for year 2 and later were not fixed; an unknown price is unknown, never 0',
  },
});
export const noAutoRenewal = rule({
  id: 'esu.order.no-auto-renewal',
  clauses: ['ESU-10'],
  says: {
    ja: 'ESU の注文は自動更新されない。次の年度は改めて注文する',
    en: 'ESU orders do not renew by themselves: each next year must be ordered',
  },
});
export const makPerOrganisation = rule({
  id: 'esu.mak.one-per-organisation',
  clauses: ['ESU-16', 'ESU-20'],
  says: {
    ja: 'ESU MAK キーは組織に 1 つ提供され、CSP の開通案内に記載されて届く',
    en: 'One ESU MAK key is issued per organisation, delivered in the CSP activation notice',
  },
});
export const makLimit = rule({
  id: 'esu.mak.limit',
  clauses: ['ESU-17'],
  says: {
    ja: 'MAK キーの認証上限数は購入した ESU ライセンス数に基づく',
    en: 'The MAK activation limit is the number of ESU licences bought',
  },
});
export const makRemovalKeepsCount = rule({
  id: 'esu.mak.removal-keeps-count',
  exceptionTo: makLimit.id,
  clauses: ['ESU-18'],
  says: {
    ja: '上限に達すると新しい端末は認証できない。古い端末からキーを削除しても認証済みの数は減らない',
    en: 'At the limit no new device can activate; removing the key from old devices does not lower the count',
  },
});
export const makIncrease = rule({
  id: 'esu.mak.increase',
  clauses: ['ESU-19', 'RR-Q8'],
  says: {
    ja: '上限の引き上げは MAK/KMS キー認証上限数申請フォーム (またはライセンス認証窓口) に申請する',
    en: 'A higher limit is requested through the MAK/KMS limit request form (or the activation centre)',
  },
});
export const activationSteps = rule({
  id: 'esu.deploy.activate',
  clauses: ['ESU-13'],
  says: {
    ja: '各端末で slmgr /ipk <ESU MAK キー>、slmgr /dlv でライセンス認証 ID を確認、slmgr /ato <ライセンス認証 ID> の順に実行する',
    en: 'On each device: slmgr /ipk <ESU MAK key>, slmgr /dlv to find the activation ID, slmgr /ato <activation ID>',
  },
});

// ── The reasons ESU verdicts carry. Placeholders are filled by describe.ts. ─────────────────────────────

export const why = {
  ownLicence: reason(ownLicence, {
    ja: '{device} は Windows 7 そのもののライセンス ({basis}) を持つ。このライセンスはサポート終了 ({eos}) 後も有効 (期限があるのは Windows 10 Pro からのダウングレードの場合)',
    en: '{device} holds a licence for Windows 7 itself ({basis}), which stays valid after end of support on {eos} (the deadline applies to a downgrade from Windows 10 Pro)',
  }),
  downgradeUntilEos: reason(downgradeUntilEos, {
    ja: '{device} は {basis} のダウングレード権で {running} を使える。ただし Windows 7 のサポート終了日 {eos} まで',
    en: '{device} may run {running} by the downgrade right of {basis}, until Windows 7 leaves support on {eos}',
  }),
  noWindows7Right: reason(noWindows7Right, {
    ja: '{device} のライセンスはいずれも {running} を認めていない。動作はしても使用許諾契約違反になる',
    en: 'None of the licences of {device} covers {running}: it runs, but in breach of the licence terms',
  }),
  yearsGap: reason(cumulativeYears, {
    ja: '{device} は ESU 第 {bought} 年度を持つが、第 {missingYears} 年度がない。各年度はそれ以前の全年度とあわせて有効なので、{asOf} (第 {esuYear} 年度) はカバーされない',
    en: '{device} has ESU year {bought} but not year {missingYears}; a year counts only with every year before it, so {asOf} (year {esuYear}) is not covered',
  }),
  programmeEnded: reason(programmeEnded, {
    ja: 'ESU は {lastDay} で終了した。{asOf} に Windows 7 をカバーするものはない',
    en: 'ESU ended on {lastDay}; nothing covers Windows 7 on {asOf}',
  }),
  updatesInSupport: reason(updatesInSupport, {
    ja: 'Windows 7 のサポートは {eos} まで。{asOf} は ESU なしでセキュリティ更新を受けられる',
    en: 'Windows 7 is supported until {eos}: on {asOf} it receives security updates without ESU',
  }),
  esuUpdates: reason(esuUpdates, {
    ja: 'ESU 第 {esuYear} 年度が {asOf} をカバーし、ESU キーはインストール・認証済み、必須更新 ({prerequisites}) も一覧にある。更新は Windows Update、WSUS、SCCM、Microsoft Update カタログから入手できる',
    en: 'ESU year {esuYear} covers {asOf}, the ESU key is installed and activated and the prerequisites ({prerequisites}) are listed; updates come through Windows Update, WSUS, SCCM or the Microsoft Update Catalog',
  }),
  noEsuYear: reason(esuYearNeeded, {
    ja: '{device} には {asOf} を含む ESU 第 {esuYear} 年度がない (不足: 第 {missingYears} 年度)。{eos} 以降、Windows 7 は ESU なしではセキュリティ更新を受けられない',
    en: '{device} lacks ESU year {esuYear}, which covers {asOf} (missing: year {missingYears}); after {eos} Windows 7 gets no security updates without ESU',
  }),
  keyNotActivated: reason(keyActivated, {
    ja: '{device} の ESU 第 {esuYear} 年度のキーは{keyState}。ESU の更新はキーがインストールされ認証済みの端末にしか入らない',
    en: 'The ESU year {esuYear} key is {keyState} on {device}; ESU updates install only where the key is installed and activated',
  }),
  editionNotEligible: reason(eligibleEdition, {
    ja: '{running} は ESU の対象外 (対象は Professional と Enterprise)',
    en: '{running} cannot get ESU: only Professional and Enterprise are eligible',
  }),
} as const;

/** Reasons shared with the reimaging engine (see the note at the top). */
export const shared = {
  volumeDowngrade: rr.why.volumeDowngrade,
  esuRenews: rr.why.esuRenews,
  downgradeEnded: rr.why.downgradeEndedEsuAvailable,
  downgradeEndedForGood: rr.why.downgradeEndedNoEsu,
} as const;
