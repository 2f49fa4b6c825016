import { reason, rule } from '../../engine/rule.ts';
import { remedies as m } from './remedies.ts';

// Base rules: each medium carries its own right (the RR-17/18/19 table), under the identity rule (RR-05/06).

/** Reimaging copies one base image to many devices; it needs the licensed product to be identical. */
export const identity = rule({
  id: 'reimaging.identity',
  clauses: ['RR-01', 'RR-05', 'RR-06'],
  says: {
    ja: '再イメージングは、ライセンス製品とイメージが同じ製品・バージョン・コンポーネント・言語のときに限り認められる',
    en: 'Reimaging is allowed only when the licensed product and the image match in product, version, components and language',
  },
});

export const volumeMedia = rule({
  id: 'reimaging.volume-media',
  exceptionTo: identity.id,
  clauses: ['RR-19', 'RR-20', 'RR-03'],
  says: {
    ja: 'コマーシャル ライセンス メディアは、適切にライセンスされた任意のデバイスに使える',
    en: 'Volume-licensing media may image any properly licensed device',
  },
});

export const oemMedia = rule({
  id: 'reimaging.oem-media',
  exceptionTo: identity.id,
  clauses: ['RR-17', 'RR-23', 'RR-27'],
  says: {
    ja: 'OEM イメージは、その OEM のデバイスのうち最初にそのイメージでイメージングされたものにだけ使える',
    en: "An OEM image may restore only that OEM's devices first imaged with it",
  },
});

export const fppMedia = rule({
  id: 'reimaging.fpp-media',
  exceptionTo: identity.id,
  clauses: ['RR-18'],
  says: {
    ja: 'パッケージ製品 (FPP) のメディアは、その FPP ライセンスを持つデバイスでしか使えない',
    en: 'Retail (FPP) media may be used only on the device that holds that FPP licence',
  },
});

// Identity exceptions (RR-08 … RR-11, RR-Q3, RR-Q4).

export const differentProduct = rule({
  id: 'reimaging.identity.product',
  exceptionTo: identity.id,
  clauses: ['RR-08', 'RR-05'],
  says: {
    ja: '製品またはエディションが異なれば再イメージングできない',
    en: 'A different product or edition cannot be reimaged',
  },
});
export const enterpriseLicence = rule({
  id: 'reimaging.identity.enterprise-licence',
  exceptionTo: identity.id,
  clauses: ['RR-Q4', 'RR-08'],
  says: {
    ja: 'Windows Enterprise で再イメージングするには Windows Enterprise ライセンスが必要',
    en: 'Reimaging with Windows Enterprise needs a Windows Enterprise licence',
  },
});
export const differentComponents = rule({
  id: 'reimaging.identity.components',
  exceptionTo: identity.id,
  clauses: ['RR-09', 'RR-06'],
  says: {
    ja: 'スイートのコンポーネントが同一でなければならない',
    en: "A suite's component products must be identical",
  },
});
export const differentLanguage = rule({
  id: 'reimaging.identity.language',
  exceptionTo: identity.id,
  clauses: ['RR-10', 'RR-06'],
  says: {
    ja: '言語が同一でなければならない (MUI パックは同一言語とみなされない)',
    en: 'The language must be the same (an MUI pack is not the same language)',
  },
});
export const differentVersion = rule({
  id: 'reimaging.identity.version',
  exceptionTo: identity.id,
  clauses: ['RR-11', 'RR-15', 'RR-06'],
  says: {
    ja: 'バージョンが同一でなければならない (ダウングレード権がある場合を除く)',
    en: 'The version must be the same, unless a downgrade right allows it',
  },
});
export const officeChannel = rule({
  id: 'reimaging.identity.office-channel',
  exceptionTo: identity.id,
  clauses: ['RR-Q3', 'RR-09'],
  says: {
    ja: 'ボリューム ライセンスの Office と OEM/FPP の Office は別製品',
    en: 'Volume-licensed Office and OEM/retail Office are different products',
  },
});
export const licenceInForce = rule({
  id: 'reimaging.identity.in-force',
  exceptionTo: identity.id,
  clauses: ['RR-20', 'RR-Q5'],
  says: {
    ja: 'ライセンスは判定日に有効でなければならない',
    en: 'The licence must be in force on the date asked about',
  },
});
export const noLicence = rule({
  id: 'reimaging.licensed-device',
  exceptionTo: identity.id,
  clauses: ['RR-20', 'RR-19'],
  says: {
    ja: '再イメージング対象のデバイスは、イメージのエディションとバージョンのライセンスを持っていなければならない',
    en: 'Each device reimaged must be licensed for the edition and version imaged',
  },
});

// Downgrade rights: exceptions to the version rule (RR-07, RR-16, RR-21, RR-22, RR-28, RR-Q9).

export const oemDowngrade = rule({
  id: 'reimaging.downgrade.oem',
  exceptionTo: differentVersion.id,
  clauses: ['RR-21', 'RR-28', 'RR-16', 'RR-07'],
  says: {
    ja: 'OEM Pro ライセンスの条項が認める以前のバージョンはイメージングできる',
    en: 'An OEM Pro licence may run the earlier versions its terms name',
  },
});
export const volumeDowngrade = rule({
  id: 'reimaging.downgrade.volume',
  exceptionTo: differentVersion.id,
  clauses: ['RR-22', 'RR-Q9', 'RR-07'],
  says: {
    ja: 'コマーシャル ライセンスには同じエディションの以前のバージョンへの完全なダウングレード権がある',
    en: 'A volume licence may run any earlier version of the same edition',
  },
});
export const downgradeEnded = rule({
  id: 'reimaging.downgrade.ended',
  exceptionTo: oemDowngrade.id,
  clauses: ['ESU-04', 'ESU-05', 'RR-21'],
  says: {
    ja: 'OEM のダウングレード権は、以前のバージョンのサポート終了とともに消滅する',
    en: 'An OEM downgrade right ends when the earlier version leaves support',
  },
});
export const esuRenewsDowngrade = rule({
  id: 'reimaging.downgrade.esu',
  exceptionTo: downgradeEnded.id,
  clauses: ['ESU-06', 'ESU-08', 'RR-21'],
  says: {
    ja: 'ESU を購入すると、その年度の間 Windows 7 へのダウングレード権が上書きされる',
    en: 'ESU bought for a year renews the right to run Windows 7 by downgrade for that year',
  },
});

// Windows desktop through volume licensing (RR-13, RR-14).

export const qualifyingOs = rule({
  id: 'reimaging.windows.qualifying-os',
  exceptionTo: volumeMedia.id,
  clauses: ['RR-13', 'RR-14'],
  says: {
    ja: 'コマーシャル ライセンスの Windows はアップグレードのみ。対象となる Windows ライセンスがデバイスに必要',
    en: 'Volume Windows licences are upgrades: the device needs a qualifying Windows licence underneath',
  },
});

// Media rights (RR-02, RR-05, RR-12, RR-Q7).

export const mediaRights = rule({
  id: 'reimaging.volume-media.media-rights',
  exceptionTo: volumeMedia.id,
  clauses: ['RR-02', 'RR-05', 'RR-12', 'RR-Q7'],
  says: {
    ja: 'コマーシャル ライセンス メディアを使うには、その製品のライセンスを対象プログラム (EA、MPSA、Open、CASA) で持っている必要がある',
    en: 'Using volume media needs a licence of that product under a programme with reimaging rights (EA, MPSA, Open, CASA)',
  },
});
export const openCount = rule({
  id: 'reimaging.volume-media.open-count',
  exceptionTo: mediaRights.id,
  clauses: ['RR-12'],
  says: {
    ja: 'Open License / Open Value では、再イメージングできる台数は購入したライセンス数まで',
    en: 'Under Open License / Open Value, no more devices may be reimaged than licences bought',
  },
});

// Per-user Enterprise (RR-Q4, RR-Q5).

export const perUserEnterprise = rule({
  id: 'reimaging.enterprise.per-user',
  exceptionTo: enterpriseLicence.id,
  clauses: ['RR-Q4', 'RR-Q5'],
  says: {
    ja: 'ユーザー単位の Enterprise ライセンスは、ライセンスを持つユーザーだけが使うデバイスをカバーする',
    en: 'A per-user Enterprise licence covers a device used only by licensed users',
  },
});

// OEM media conditions (RR-17, RR-23, RR-26, RR-27).

export const oemVendor = rule({
  id: 'reimaging.oem-media.same-oem',
  exceptionTo: oemMedia.id,
  clauses: ['RR-17', 'RR-23'],
  says: {
    ja: 'OEM イメージはその OEM から購入したデバイスにだけ使える',
    en: 'An OEM image serves only devices bought from that OEM',
  },
});
export const oemFirstImaged = rule({
  id: 'reimaging.oem-media.first-imaged',
  exceptionTo: oemMedia.id,
  clauses: ['RR-23', 'RR-27', 'RR-26'],
  says: {
    ja: 'OEM メディア (カスタム イメージを含む) は、最初にそのメディアでイメージングされたデバイスにだけ使える',
    en: 'OEM media, custom images included, may reimage only devices first imaged with it',
  },
});
export const oemUnmodified = rule({
  id: 'reimaging.oem-media.unmodified',
  exceptionTo: oemMedia.id,
  clauses: ['RR-26'],
  says: {
    ja: 'OEM リカバリ メディアは変更してはならない',
    en: 'OEM recovery media may not be modified before restoring',
  },
});
export const oemLicence = rule({
  id: 'reimaging.oem-media.preinstalled',
  exceptionTo: oemMedia.id,
  clauses: ['RR-26', 'RR-15'],
  says: {
    ja: 'OEM メディアはプリインストールされた製品のバージョンと一致しなければならない',
    en: 'OEM media must match the product version originally preinstalled',
  },
});

// Notes that explain an allowed verdict without deciding it.

export const architecture = rule({
  id: 'reimaging.note.architecture',
  clauses: ['RR-Q10'],
  says: {
    ja: '32 ビットと 64 ビットの違いは判定に影響しない',
    en: '32-bit or 64-bit never changes the answer',
  },
});
export const noSaNeeded = rule({
  id: 'reimaging.note.no-software-assurance',
  clauses: ['RR-Q6'],
  says: {
    ja: '再イメージングにソフトウェア アシュアランスは不要',
    en: 'Reimaging does not need Software Assurance',
  },
});
export const onBehalf = rule({
  id: 'reimaging.note.on-behalf',
  clauses: ['RR-24'],
  says: {
    ja: 'OEM や第三者がお客様に代わってコマーシャル ライセンス メディアでイメージングできる',
    en: "An OEM or third party may image devices with the customer's volume media on its behalf",
  },
});
export const anyChannel = rule({
  id: 'reimaging.note.any-channel',
  clauses: ['RR-04', 'RR-20', 'RR-25'],
  says: {
    ja: 'デバイスのライセンスが OEM・小売・コマーシャルのいずれで取得されたかは問われない',
    en: "How the device's licence was acquired (OEM, retail, volume) does not matter",
  },
});
export const supportNote = rule({
  id: 'reimaging.note.support',
  clauses: ['RR-Q2', 'RR-Q1'],
  says: {
    ja: 'コマーシャル ライセンス メディア (VLSC から入手) で再イメージングしてもサポート対象にはならない',
    en: 'Reimaging with volume media (from VLSC) does not by itself bring Microsoft support',
  },
});

// The reasons verdicts carry. Placeholders are filled from the question when a verdict is shown.

export const why = {
  volumeMediaAllowed: reason(volumeMedia, {
    ja: '{device} は {image} のライセンス ({basis}) を持ち、コマーシャル ライセンス メディアで再イメージングできる',
    en: '{device} is licensed for {image} ({basis}), so volume media may image it',
  }),
  oemMediaAllowed: reason(oemMedia, {
    ja: '{device} は {vendor} のデバイスで、最初にこの OEM イメージ ({imageId}) でイメージングされており、プリインストール版のライセンス ({basis}) と一致する',
    en: '{device} is a {vendor} device first imaged with this OEM image ({imageId}) and matches its preinstalled licence ({basis})',
  }),
  fppMediaAllowed: reason(fppMedia, {
    ja: 'このパッケージ製品メディアは {device} 自身の FPP ライセンス ({basis}) のもの',
    en: "This retail media belongs to {device}'s own FPP licence ({basis})",
  }),
  differentProduct: reason(
    differentProduct,
    {
      ja: '{image} は、デバイスのライセンス ({basis}) と製品またはエディションが異なる',
      en: "{image} is a different product or edition from the device's licence ({basis})",
    },
    [m.useLicensedEdition, m.buyImageLicence],
  ),
  needsEnterprise: reason(
    enterpriseLicence,
    {
      ja: '{device} には Windows Enterprise ライセンスがない ({basis})。Pro のみのデバイスは Enterprise で再イメージングできない',
      en: '{device} holds no Windows Enterprise licence ({basis}); a Pro-only device cannot be reimaged with Enterprise',
    },
    [m.buyEnterprise, m.useLicensedEdition],
  ),
  differentComponents: reason(
    differentComponents,
    {
      ja: 'イメージのコンポーネント ({imageComponents}) がライセンス ({basis}: {basisComponents}) と異なる',
      en: "The image's components ({imageComponents}) differ from the licence's ({basis}: {basisComponents})",
    },
    [m.useLicensedComponents, m.buyImageLicence],
  ),
  differentLanguage: reason(
    differentLanguage,
    {
      ja: 'イメージの言語 {imageLanguage} がライセンス ({basis}) の言語 {basisLanguage} と異なる',
      en: "The image's language {imageLanguage} differs from the licence's ({basis}) {basisLanguage}",
    },
    [m.useLicensedLanguage],
  ),
  muiPack: reason(
    differentLanguage,
    {
      ja: 'イメージに MUI パック ({imageMui}) が含まれ、ライセンス ({basis}) の言語と同一ではない',
      en: "The image carries MUI packs ({imageMui}), which is not the licence's ({basis}) language",
    },
    [m.useLicensedLanguage],
  ),
  differentVersion: reason(
    differentVersion,
    {
      ja: 'イメージのバージョンがライセンス ({basis}) と異なり、ダウングレード権もこのバージョンを認めていない',
      en: 'The image is a different version from the licence ({basis}) and no downgrade right reaches it',
    },
    [m.useLicensedVersion, m.buyImageLicence],
  ),
  officeChannel: reason(
    officeChannel,
    {
      ja: '{basis} は OEM/FPP の Office で、ボリューム ライセンスの Office イメージとは別製品',
      en: '{basis} is OEM/retail Office, a different product from volume-licensed Office media',
    },
    [m.buyOfficeVolume],
  ),
  expired: reason(
    licenceInForce,
    { ja: 'ライセンス {basis} は {expires} に期限切れ', en: 'Licence {basis} expired on {expires}' },
    [m.buyImageLicence],
  ),
  noLicence: reason(
    noLicence,
    {
      ja: '{device} には {image} と同じ製品のライセンスがない',
      en: '{device} holds no licence for the product of {image}',
    },
    [m.buyImageLicence],
  ),
  noEnterpriseAtAll: reason(
    enterpriseLicence,
    {
      ja: '{device} には Windows のライセンスがなく、Enterprise で再イメージングするには Enterprise ライセンスが必要',
      en: '{device} holds no Windows licence; reimaging with Enterprise needs an Enterprise licence',
    },
    [m.buyEnterprise, m.buyQualifyingOs],
  ),
  oemDowngrade: reason(oemDowngrade, {
    ja: 'OEM ライセンス {basis} のダウングレード権により {image} を使える ({eos} までサポート)',
    en: 'The OEM licence {basis} may run {image} by its downgrade right (supported until {eos})',
  }),
  volumeDowngrade: reason(volumeDowngrade, {
    ja: 'コマーシャル ライセンス {basis} のダウングレード権により、同じエディションの以前のバージョン {image} を使える',
    en: 'The volume licence {basis} may run the earlier version {image} of the same edition',
  }),
  downgradeEndedEsuAvailable: reason(
    downgradeEnded,
    {
      ja: '{image} は {eos} にサポート終了し、{basis} のダウングレード権は消滅した。{asOf} を含む ESU 第 {esuYear} 年度 (までの全年度) がこのデバイスにない',
      en: '{image} left support on {eos}, ending the downgrade right of {basis}; the device lacks ESU for year {esuYear} (and every year before it), which covers {asOf}',
    },
    [m.buyEsu, m.moveToSupported],
  ),
  downgradeEndedNoEsu: reason(
    downgradeEnded,
    {
      ja: '{image} は {eos} にサポート終了し、{basis} のダウングレード権は消滅した。{asOf} を対象とする ESU はない',
      en: '{image} left support on {eos}, ending the downgrade right of {basis}; no ESU covers {asOf}',
    },
    [m.moveToSupported],
  ),
  esuRenews: reason(esuRenewsDowngrade, {
    ja: 'ESU 第 {esuYear} 年度の購入により、{asOf} 時点の Windows 7 へのダウングレード権が上書きされている',
    en: 'ESU year {esuYear} renews the right to run Windows 7 by downgrade on {asOf}',
  }),
  noQualifyingOs: reason(
    qualifyingOs,
    {
      ja: '{basis} はアップグレード ライセンスで、{device} には対象となる Windows ライセンス (OEM/FPP の Pro など) がない',
      en: '{basis} is an upgrade licence and {device} holds no qualifying Windows licence (OEM or retail Pro, say)',
    },
    [m.buyQualifyingOs],
  ),
  noMediaRights: reason(
    mediaRights,
    {
      ja: '組織は {image} のライセンスを再イメージング権のあるコマーシャル ライセンス プログラムで持っていない',
      en: 'The organisation holds no licence for {image} under a programme with reimaging rights',
    },
    [m.buyVolumeLicence],
  ),
  cspOnly: reason(
    mediaRights,
    {
      ja: '{image} のライセンスは CSP のみで、この資料が再イメージング権を認めるプログラム (EA、MPSA、Open、Open Value、CASA) に含まれない',
      en: 'The licences for {image} come only through CSP, which is not among the programmes the brief gives reimaging rights (EA, MPSA, Open, Open Value, CASA)',
    },
    [m.buyVolumeLicence],
  ),
  openCountReached: reason(
    openCount,
    {
      ja: 'Open 番号 {agreement} のライセンス {quantity} 本に対し、すでに {used} 台を再イメージング済み',
      en: 'Open number {agreement} has {quantity} licence(s) and {used} device(s) are already reimaged under it',
    },
    [m.buyMoreOpen],
  ),
  openCountOk: reason(openCount, {
    ja: 'Open 番号 {agreement} のライセンス {quantity} 本のうち {used} 台を使用済みで、枠が残っている',
    en: 'Open number {agreement} has {quantity} licence(s) with {used} used: room remains',
  }),
  perUser: reason(perUserEnterprise, {
    ja: 'デバイスの利用者全員がユーザー単位の Enterprise ライセンス ({basis}) を持つ',
    en: 'Everyone using the device holds a per-user Enterprise licence ({basis})',
  }),
  unlicensedUser: reason(
    perUserEnterprise,
    {
      ja: '{device} を Windows Enterprise per User ライセンスのないユーザー ({unlicensedUser}) が使っている',
      en: '{device} is used by someone ({unlicensedUser}) with no Windows Enterprise per User licence',
    },
    [m.buySaPerDevice, m.buyEnterprise],
  ),
  perUserExpired: reason(
    perUserEnterprise,
    {
      ja: 'ユーザー単位の Enterprise サブスクリプション {basis} は {expires} に期限切れ',
      en: 'The per-user Enterprise subscription {basis} expired on {expires}',
    },
    [m.returnToOriginalOs],
  ),
  oemOtherVendor: reason(
    oemVendor,
    {
      ja: 'イメージは {imageVendor} のもので、{device} は {vendor} のデバイス',
      en: 'The image is from {imageVendor} and {device} is a {vendor} device',
    },
    [m.useVolumeMedia],
  ),
  oemNotFirstImaged: reason(
    oemFirstImaged,
    {
      ja: '{device} は最初に {firstImagedWith} でイメージングされており、この OEM イメージ ({imageId}) ではない',
      en: '{device} was first imaged with {firstImagedWith}, not with this OEM image ({imageId})',
    },
    [m.useVolumeMedia],
  ),
  oemModified: reason(
    oemUnmodified,
    { ja: 'OEM リカバリ イメージが変更されている', en: 'The OEM recovery image has been modified' },
    [m.useUnmodifiedRecovery, m.useVolumeMedia],
  ),
  oemNoLicence: reason(
    oemLicence,
    {
      ja: '{device} には {image} と一致するプリインストール (OEM) ライセンスがない',
      en: '{device} holds no preinstalled (OEM) licence matching {image}',
    },
    [m.useVolumeMedia],
  ),
  fppNotOwnDevice: reason(
    fppMedia,
    {
      ja: 'このパッケージ製品メディアは {device} の FPP ライセンスのものではない (FPP メディアで複数台はイメージングできない)',
      en: "This retail media is not {device}'s own FPP licence; FPP media cannot image several devices",
    },
    [m.useVolumeMedia],
  ),
  qualifyingOsHeld: reason(qualifyingOs, {
    ja: '{device} は対象となる Windows ライセンスを持ち、その上にアップグレード/ユーザー単位のライセンス {basis} が乗る',
    en: '{device} holds a qualifying Windows licence beneath the upgrade or per-user licence {basis}',
  }),
  mediaRightsHeld: reason(mediaRights, {
    ja: '組織は {mediaBasis} により、このコマーシャル ライセンス メディアを使う権利を持つ',
    en: 'The organisation may use this volume media through {mediaBasis}',
  }),
  incomplete: reason(identity, {
    ja: '入力に含まれていない事実によって判定が変わる (下記の不足している情報を参照)',
    en: 'The answer depends on facts the input does not give (see the missing facts below)',
  }),
  architecture: reason(architecture, {
    ja: 'イメージは {architecture} だが、32/64 ビットの違いは関係しない',
    en: 'The image is {architecture}; 32-bit or 64-bit does not matter',
  }),
  noSa: reason(noSaNeeded, {
    ja: '{basis} にソフトウェア アシュアランスはないが、再イメージングには不要',
    en: '{basis} has no Software Assurance, which reimaging does not need',
  }),
  onBehalf: reason(onBehalf, {
    ja: '{imagedBy} がお客様に代わってコマーシャル ライセンス メディアでイメージングする。デバイスの元の OEM ライセンスはそのまま残る',
    en: "{imagedBy} images on the customer's behalf with volume media; the device keeps its original OEM licence",
  }),
  anyChannel: reason(anyChannel, {
    ja: '{basis} はコマーシャル ライセンスではないが、適切なライセンスであればよい',
    en: '{basis} is not a volume licence, which does not matter while it licenses the device properly',
  }),
  support: reason(supportNote, {
    ja: 'OEM/FPP 製品の保証・サポートへの影響は提供元に確認すること',
    en: 'Check with the OEM or retailer how reimaging affects their warranty and support',
  }),
} as const;

export const activation = rule({
  id: 'reimaging.note.activation',
  clauses: ['RR-Q7', 'RR-Q8'],
  says: {
    ja: 'ボリューム ライセンス キー (KMS または MAK) で認証する。MAK の認証数には上限があり、追加はライセンス認証窓口に申請する',
    en: 'Activate with the volume licence key (KMS or MAK); a MAK has an activation limit, raised on request to the activation centre',
  },
});

export const whyActivation = reason(activation, {
  ja: 'ボリューム ライセンス キーは VLSC (MPSA は Business Center) で入手する。MAK の上限を超える場合は、契約情報・連絡先・業務上の理由・プロダクト キー・必要数を添えて追加を申請する',
  en: 'Get the volume key from VLSC (Business Center for MPSA); beyond the MAK limit, request more with agreement, contact, business reason, the key and the number needed',
});

export const oemSameVersion = rule({
  id: 'reimaging.windows.oem-same-version',
  exceptionTo: volumeMedia.id,
  clauses: ['RR-15'],
  says: {
    ja: 'OEM の Windows は、PC に同梱されたものと同じ製品・バージョンのコマーシャル ライセンス メディアで再イメージングできる',
    en: 'OEM Windows may be reimaged with volume media of the same product and version the PC shipped with',
  },
});

export const whyOemSameVersion = reason(oemSameVersion, {
  ja: '{basis} は PC に同梱された OEM ライセンスで、イメージと同じ製品・バージョン',
  en: '{basis} is the OEM licence the PC shipped with, of the same product and version as the image',
});
