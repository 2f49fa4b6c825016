import type { Remedy } from '../../engine/rule.ts';

/** What to buy or change when a device may not take the image. Shared by every verdict. */
export const remedies = {
  buyEnterprise: {
    id: 'buy-windows-enterprise',
    clauses: ['RR-Q4'],
    text: {
      ja: 'Windows Enterprise ライセンス (デバイス単位またはユーザー単位) を購入する',
      en: 'Buy a Windows Enterprise licence, per device or per user',
    },
    buy: { what: 'enterprise', assignment: 'device-or-user' },
  },
  buyImageLicence: {
    id: 'buy-image-licence',
    clauses: ['RR-20'],
    text: {
      ja: 'このデバイスにイメージの製品・エディション・バージョンのライセンスを取得する',
      en: "License the device for the image's product, edition and version",
    },
    buy: { what: 'image-product', assignment: 'device' },
  },
  useLicensedEdition: {
    id: 'use-licensed-edition',
    clauses: ['RR-08'],
    text: {
      ja: 'デバイスがライセンスを持つ製品・エディションの基本イメージを使う',
      en: 'Use a base image of the product and edition the device is licensed for',
    },
  },
  useLicensedVersion: {
    id: 'use-licensed-version',
    clauses: ['RR-11', 'RR-Q9'],
    text: {
      ja: 'ライセンスされたバージョン (またはライセンス条項が認める以前のバージョン) のイメージを使う',
      en: 'Use an image of the licensed version, or of an earlier version its terms allow',
    },
  },
  useLicensedComponents: {
    id: 'use-licensed-components',
    clauses: ['RR-09'],
    text: {
      ja: 'ライセンスと同じコンポーネント構成のスイートのイメージを使う',
      en: 'Use an image of the suite with exactly the licensed components',
    },
  },
  useLicensedLanguage: {
    id: 'use-licensed-language',
    clauses: ['RR-10'],
    text: {
      ja: 'ライセンスと同じ言語で、MUI パックを含まないイメージを使う',
      en: 'Use an image in the licensed language, without MUI packs the licence does not carry',
    },
  },
  buyOfficeVolume: {
    id: 'buy-office-volume',
    clauses: ['RR-Q3'],
    text: {
      ja: 'ボリューム ライセンスで同じ Office スイートのライセンスを購入する (OEM/FPP の Office は別製品)',
      en: 'Buy the Office suite through volume licensing (OEM/retail Office is a different product)',
    },
    buy: { what: 'image-product', assignment: 'device' },
  },
  buyEsu: {
    id: 'buy-esu-year',
    clauses: ['ESU-06', 'ESU-03'],
    text: {
      ja: 'この日付を含む年度の Windows 7 ESU を購入する (前年度分も必要)',
      en: 'Buy Windows 7 ESU for the year that covers this date (and every earlier year)',
    },
    buy: { what: 'esu-year', assignment: 'device' },
  },
  moveToSupported: {
    id: 'move-to-supported-version',
    clauses: ['ESU-02', 'ESU-05'],
    text: {
      ja: 'サポート中のバージョン (ライセンスどおりの Windows 10/11 など) のイメージに切り替える',
      en: 'Image a supported version instead (the licensed Windows 10/11, for example)',
    },
  },
  buyQualifyingOs: {
    id: 'buy-qualifying-os',
    clauses: ['RR-14'],
    text: {
      ja: 'デバイスに対象となる Windows (Pro など) のライセンスを OEM またはパッケージ製品で取得する',
      en: 'Give the device a qualifying Windows licence (Pro, for example) from an OEM or retail',
    },
    buy: { what: 'qualifying-os', assignment: 'device' },
  },
  buyVolumeLicence: {
    id: 'buy-volume-licence',
    clauses: ['RR-12', 'RR-02', 'RR-Q7'],
    text: {
      ja: 'EA・MPSA・Open などのコマーシャル ライセンスで、この製品のライセンスを少なくとも 1 つ購入する (メディアとキーを得るため)',
      en: 'Buy at least one licence of this product under EA, MPSA, Open or CASA, to obtain the media and key',
    },
    buy: { what: 'volume-licence' },
  },
  buyMoreOpen: {
    id: 'buy-more-open-licences',
    clauses: ['RR-12'],
    text: {
      ja: '同じ Open 認証番号/契約番号でライセンスを追加購入する (再イメージングできる台数はライセンス数まで)',
      en: 'Buy more licences under the same Open number: devices imaged may not exceed licences bought',
    },
    buy: { what: 'image-product', assignment: 'device' },
  },
  buySaPerDevice: {
    id: 'buy-sa-per-device',
    clauses: ['RR-Q5'],
    text: {
      ja: 'このデバイスに Windows Software Assurance per Device ライセンスを取得する',
      en: 'Buy Windows Software Assurance per Device for this device',
    },
    buy: { what: 'sa-per-device', assignment: 'device' },
  },
  returnToOriginalOs: {
    id: 'return-to-original-os',
    clauses: ['RR-Q5'],
    text: {
      ja: 'ユーザー サブスクリプションを更新するか、PC を最初にライセンスされた OS に戻す',
      en: 'Renew the per-user subscription, or return the PC to the OS it was first licensed with',
    },
  },
  useVolumeMedia: {
    id: 'use-volume-media',
    clauses: ['RR-19', 'RR-23', 'RR-24'],
    text: {
      ja: 'OEM イメージの代わりにコマーシャル ライセンス メディアで基本イメージを作る (OEM に代行させることも可)',
      en: 'Build the base image from volume-licensing media instead (an OEM may image on your behalf)',
    },
  },
  useUnmodifiedRecovery: {
    id: 'use-unmodified-recovery',
    clauses: ['RR-26'],
    text: {
      ja: 'OEM リカバリ メディアは変更せずに使う。カスタマイズするならコマーシャル ライセンス メディアを使う',
      en: 'Restore the OEM recovery media unmodified; customise from volume media instead',
    },
  },
} as const satisfies Record<string, Remedy>;
