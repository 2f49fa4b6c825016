/**
 * The columns each tabular import accepts, as data: the CLI and the README print this list, and the
 * importer reads headers with it. A header matches a column by its English name or any alias, ignoring
 * case, spaces, '_', '-', '・' and full-width forms ("OS 製品", "os_product" and "ＯＳ製品" are one column).
 */

export const IMPORT_KINDS = ['devices', 'licences', 'agreements', 'users'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/**
 * text: kept as written (trimmed). identifier: also folded to half-width (ＰＣ－０１ → PC-01) so keys match.
 * list: identifiers separated by ';'. enum: one of `values` (or an alias of one).
 */
export type CellType = 'text' | 'identifier' | 'list' | 'integer' | 'boolean' | 'date' | 'enum' | 'language';

export interface ColumnSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly required: boolean;
  readonly type: CellType;
  readonly values?: readonly string[];
  /** Other spellings of enum values, e.g. DSP版 → oem. */
  readonly valueAliases?: Readonly<Record<string, string>>;
  readonly description: { readonly ja: string; readonly en: string };
}

const PROGRAMME_VALUES = [
  'ea',
  'mpsa',
  'open-license',
  'open-value',
  'open-value-subscription',
  'casa',
  'csp',
];
const PROGRAMME_ALIASES = {
  'enterprise agreement': 'ea',
  エンタープライズアグリーメント: 'ea',
  エンタープライズ契約: 'ea',
  'microsoft products and services agreement': 'mpsa',
  open: 'open-license',
  'open license': 'open-license',
  'open licence': 'open-license',
  オープンライセンス: 'open-license',
  ov: 'open-value',
  'open value': 'open-value',
  オープンバリュー: 'open-value',
  ovs: 'open-value-subscription',
  'open value subscription': 'open-value-subscription',
  オープンバリューサブスクリプション: 'open-value-subscription',
  'cloud solution provider': 'csp',
};
const CHANNEL_ALIASES = {
  dsp: 'oem',
  dsp版: 'oem',
  プリインストール: 'oem',
  'pre-installed': 'oem',
  preinstalled: 'oem',
  retail: 'fpp',
  リテール: 'fpp',
  パッケージ: 'fpp',
  パッケージ版: 'fpp',
  fpp版: 'fpp',
  vl: 'volume',
  'volume license': 'volume',
  'volume licensing': 'volume',
  ボリューム: 'volume',
  ボリュームライセンス: 'volume',
};

const programme = (required: boolean): ColumnSpec => ({
  name: 'programme',
  aliases: ['program', 'プログラム', 'ライセンスプログラム', '契約種別'],
  required,
  type: 'enum',
  values: PROGRAMME_VALUES,
  valueAliases: PROGRAMME_ALIASES,
  description: {
    ja: 'ボリュームライセンスのプログラム（EA、Open License など）',
    en: 'Volume licensing programme (EA, Open License, …)',
  },
});

const softwareAssurance: ColumnSpec = {
  name: 'software_assurance',
  aliases: ['SA', 'ソフトウェアアシュアランス', 'SA有無', 'software assurance'],
  required: false,
  type: 'boolean',
  description: {
    ja: 'ソフトウェア アシュアランスの有無（はい/いいえ）',
    en: 'Covered by Software Assurance (yes/no)',
  },
};

export const COLUMNS: { readonly [K in ImportKind]: readonly ColumnSpec[] } = {
  devices: [
    {
      name: 'key',
      aliases: ['キー', '管理キー', 'device key'],
      required: false,
      type: 'identifier',
      description: {
        ja: 'デバイスを識別するキー。省略時はシリアル番号、なければデバイス名',
        en: 'The key that identifies the device; default the serial number, else the device name',
      },
    },
    {
      name: 'serial',
      aliases: ['シリアル番号', 'シリアル', 'シリアルナンバー', '製造番号', 'serial number', 'S/N'],
      required: false,
      type: 'identifier',
      description: {
        ja: 'シリアル番号（シリアル番号かデバイス名のどちらかは必須）',
        en: 'Serial number (a serial number or a device name is required)',
      },
    },
    {
      name: 'name',
      aliases: [
        'デバイス名',
        'コンピューター名',
        'コンピュータ名',
        'PC名',
        'ホスト名',
        '端末名',
        'computer name',
        'hostname',
      ],
      required: false,
      type: 'identifier',
      description: { ja: 'デバイス名（コンピューター名）', en: 'Device (computer) name' },
    },
    {
      name: 'vendor',
      aliases: ['メーカー', 'ベンダー', '製造元', 'manufacturer', 'maker'],
      required: false,
      type: 'identifier',
      description: { ja: 'メーカー（Dell、富士通 など）', en: 'Manufacturer (Dell, Fujitsu, …)' },
    },
    {
      name: 'model',
      aliases: ['モデル', '機種', '機種名', '型番', 'モデル名'],
      required: false,
      type: 'text',
      description: { ja: '機種・型番', en: 'Model' },
    },
    {
      name: 'first_imaged_with',
      aliases: ['初回イメージ', '初期イメージ'],
      required: false,
      type: 'identifier',
      description: {
        ja: '最初に展開したイメージのキー',
        en: 'Key of the image the device was first imaged with',
      },
    },
    {
      name: 'primary_user',
      aliases: ['主な利用者', '主利用者', '使用者', 'プライマリユーザー'],
      required: false,
      type: 'identifier',
      description: { ja: '主に使う利用者のキー', en: 'Key of the user who mainly uses the device' },
    },
    {
      name: 'users',
      aliases: ['ユーザー', 'ユーザー一覧', '利用者', '利用者一覧'],
      required: false,
      type: 'list',
      description: { ja: '利用者のキー（; 区切り）', en: "Keys of the device's users, separated by ';'" },
    },
    {
      name: 'os_product',
      aliases: ['OS製品', 'OS', 'プリインストールOS'],
      required: false,
      type: 'identifier',
      description: {
        ja: '購入時の OS 製品（windows）。入力するとプリインストールのライセンスを登録',
        en: 'Product of the OS the device came with (windows); records its preinstalled licence',
      },
    },
    {
      name: 'os_edition',
      aliases: ['OSエディション'],
      required: false,
      type: 'identifier',
      description: {
        ja: '購入時の OS のエディション（pro など）',
        en: 'Edition of the preinstalled OS (pro, …)',
      },
    },
    {
      name: 'os_version',
      aliases: ['OSバージョン'],
      required: false,
      type: 'identifier',
      description: {
        ja: '購入時の OS のバージョン（10、11 など）',
        en: 'Version of the preinstalled OS (10, 11, …)',
      },
    },
    {
      name: 'os_language',
      aliases: ['OS言語'],
      required: false,
      type: 'language',
      description: {
        ja: '購入時の OS の言語（ja-JP など）',
        en: 'Language of the preinstalled OS (ja-JP, …)',
      },
    },
    {
      name: 'os_channel',
      aliases: ['OSチャネル', 'OS入手経路', 'OSライセンス形態'],
      required: false,
      type: 'enum',
      values: ['oem', 'fpp'],
      valueAliases: CHANNEL_ALIASES,
      description: {
        ja: 'プリインストールのライセンスの入手経路（oem または fpp、既定 oem）',
        en: 'Channel of the preinstalled licence (oem or fpp, default oem)',
      },
    },
    {
      name: 'running_version',
      aliases: [
        '稼働OS',
        '現在のOS',
        '稼働OSバージョン',
        '現在のOSバージョン',
        '稼働バージョン',
        'running os',
        'current os',
      ],
      required: false,
      type: 'identifier',
      description: {
        ja: '今動いている Windows のバージョン（7 など。ダウングレードで使う Windows 7 もここ）。「Windows 7 Professional」のようにエディションまで書いてもよい',
        en: 'Version of the Windows the device runs now (7, … — Windows 7 run by downgrade goes here); "Windows 7 Professional" with the edition is read too',
      },
    },
    {
      name: 'running_edition',
      aliases: [
        '稼働エディション',
        '稼働OSエディション',
        '現在のエディション',
        '現在のOSエディション',
        'current edition',
      ],
      required: false,
      type: 'identifier',
      description: {
        ja: '今動いている Windows のエディション（pro、enterprise など）',
        en: 'Edition of the Windows the device runs now (pro, enterprise, …)',
      },
    },
    {
      name: 'esu_years',
      aliases: ['ESU', 'ESU年', 'ESU年度', 'ESU購入年'],
      required: false,
      type: 'list',
      description: {
        ja: '購入済みの Windows 7 ESU の年（1;2;3）',
        en: 'Windows 7 ESU years bought for the device (1;2;3)',
      },
    },
  ],
  licences: [
    {
      name: 'agreement_number',
      aliases: ['契約番号', 'アグリーメント番号', 'ライセンス番号', 'agreement', 'agreement number'],
      required: false,
      type: 'identifier',
      description: { ja: '契約番号（ボリュームライセンス）', en: 'Agreement number (volume licensing)' },
    },
    {
      name: 'sku',
      aliases: ['SKU', '品番', '製品番号', 'パーツ番号', 'part number'],
      required: false,
      type: 'identifier',
      description: { ja: 'SKU・品番', en: 'SKU (part number)' },
    },
    {
      name: 'channel',
      aliases: ['チャネル', '入手経路', 'ライセンス形態'],
      required: true,
      type: 'enum',
      values: ['oem', 'fpp', 'volume'],
      valueAliases: CHANNEL_ALIASES,
      description: { ja: '入手経路（oem、fpp、volume）', en: 'Channel (oem, fpp, volume)' },
    },
    programme(false),
    {
      name: 'kind',
      aliases: ['ライセンス区分', 'フル/アップグレード'],
      required: false,
      type: 'enum',
      values: ['full', 'upgrade'],
      valueAliases: { フル: 'full', 通常: 'full', アップグレード: 'upgrade', upg: 'upgrade' },
      description: {
        ja: 'フルかアップグレードか（既定: ボリュームの Windows はアップグレード、他はフル）',
        en: 'Full or upgrade (default: upgrade for volume Windows, full otherwise)',
      },
    },
    {
      name: 'assignment',
      aliases: ['割り当て', '割当', '割当単位', 'ライセンス単位'],
      required: false,
      type: 'enum',
      values: ['device', 'user'],
      valueAliases: {
        デバイス: 'device',
        端末: 'device',
        デバイス単位: 'device',
        'per device': 'device',
        ユーザー: 'user',
        ユーザー単位: 'user',
        'per user': 'user',
      },
      description: {
        ja: 'デバイス単位かユーザー単位か（既定: user 列があれば user、なければ device）',
        en: 'Per device or per user (default: user when the user column is filled, else device)',
      },
    },
    softwareAssurance,
    {
      name: 'quantity',
      aliases: ['数量', 'ライセンス数', 'qty'],
      required: false,
      type: 'integer',
      description: {
        ja: 'ライセンス数（割り当てのないライセンスの数）',
        en: 'Number of licences (for pooled licences)',
      },
    },
    {
      name: 'product',
      aliases: ['製品', '製品名'],
      required: true,
      type: 'identifier',
      description: { ja: '製品（windows、office など）', en: 'Product (windows, office, …)' },
    },
    {
      name: 'edition',
      aliases: ['エディション'],
      required: true,
      type: 'identifier',
      description: { ja: 'エディション（pro、enterprise など）', en: 'Edition (pro, enterprise, …)' },
    },
    {
      name: 'version',
      aliases: ['バージョン'],
      required: true,
      type: 'identifier',
      description: { ja: 'バージョン（10、2021 など）', en: 'Version (10, 2021, …)' },
    },
    {
      name: 'components',
      aliases: ['コンポーネント', '構成製品'],
      required: false,
      type: 'list',
      description: {
        ja: 'スイートの構成製品（; 区切り、既定はカタログどおり）',
        en: "Suite components, separated by ';' (default: as the catalogue lists)",
      },
    },
    {
      name: 'language',
      aliases: ['言語'],
      required: false,
      type: 'language',
      description: { ja: '言語（ja-JP など）', en: 'Language (ja-JP, …)' },
    },
    {
      name: 'mui_packs',
      aliases: ['MUI', '言語パック', 'MUIパック'],
      required: false,
      type: 'list',
      description: { ja: '追加の言語パック（; 区切り）', en: "Language packs, separated by ';'" },
    },
    {
      name: 'oem_vendor',
      aliases: ['OEMメーカー', 'OEMベンダー'],
      required: false,
      type: 'text',
      description: { ja: 'OEM ライセンスのメーカー', en: 'Maker of an OEM licence' },
    },
    {
      name: 'expires',
      aliases: ['有効期限', '期限', 'expiry', 'expiration'],
      required: false,
      type: 'date',
      description: {
        ja: '有効期限（YYYY-MM-DD、YYYY/MM/DD、令和6年3月31日 など）',
        en: 'Expiry date (YYYY-MM-DD, …)',
      },
    },
    {
      name: 'device',
      aliases: ['デバイス', '端末', '割当デバイス', 'device key'],
      required: false,
      type: 'identifier',
      description: {
        ja: '割り当て先デバイスのキー（登録済みであること）',
        en: 'Key of the device the licence is assigned to (must be in the store)',
      },
    },
    {
      name: 'user',
      aliases: ['ユーザー', '割当ユーザー', '利用者', 'user key'],
      required: false,
      type: 'identifier',
      description: {
        ja: '割り当て先ユーザーのキー（登録済みであること）',
        en: 'Key of the user the licence is assigned to (must be in the store)',
      },
    },
  ],
  agreements: [
    {
      name: 'number',
      aliases: ['契約番号', 'ライセンス番号', 'agreement number', 'agreement_number'],
      required: true,
      type: 'identifier',
      description: { ja: '契約番号', en: 'Agreement number' },
    },
    programme(true),
    {
      name: 'starts',
      aliases: ['開始日', '契約開始日', '発効日', 'start', 'start date'],
      required: false,
      type: 'date',
      description: { ja: '契約開始日', en: 'Start date' },
    },
    {
      name: 'ends',
      aliases: ['終了日', '契約終了日', '満了日', '有効期限', 'end', 'end date'],
      required: false,
      type: 'date',
      description: { ja: '契約終了日', en: 'End date' },
    },
    softwareAssurance,
    {
      name: 'customer_name',
      aliases: ['顧客名', '会社名', '契約者', '契約者名', 'customer'],
      required: false,
      type: 'text',
      description: { ja: '契約者名', en: 'Customer name' },
    },
    {
      name: 'contact',
      aliases: ['担当者', '連絡先', '窓口'],
      required: false,
      type: 'text',
      description: { ja: '担当者・連絡先', en: 'Contact' },
    },
  ],
  users: [
    {
      name: 'key',
      aliases: ['キー', 'ユーザーID', 'ユーザー', '社員番号', 'アカウント', 'ID', 'user id', 'username'],
      required: true,
      type: 'identifier',
      description: {
        ja: 'ユーザーを識別するキー（社員番号、アカウント名など）',
        en: 'The key that identifies the user',
      },
    },
    {
      name: 'name',
      aliases: ['氏名', '名前', '表示名', 'display name'],
      required: false,
      type: 'text',
      description: { ja: '氏名', en: 'Name' },
    },
    {
      name: 'email',
      aliases: ['メール', 'メールアドレス', 'Eメール', 'e-mail', 'mail'],
      required: false,
      type: 'text',
      description: { ja: 'メールアドレス', en: 'Email address' },
    },
  ],
};

/** Folds a header or an enum value for matching: full-width to half-width, case, separators. */
export const foldName = (s: string): string =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-・]+/g, '');

const headerIndex = new Map(
  Object.entries(COLUMNS).map(([kind, specs]) => {
    const map = new Map<string, ColumnSpec>();
    for (const spec of specs) for (const n of [spec.name, ...spec.aliases]) map.set(foldName(n), spec);
    return [kind as ImportKind, map] as const;
  }),
);

/** The column a header names, or undefined for a header this kind of file does not have. */
export const columnFor = (kind: ImportKind, header: string): ColumnSpec | undefined =>
  headerIndex.get(kind)?.get(foldName(header));

/** The documented columns as plain text, one per line, for `kenri import --help` and the README. */
export const describeColumns = (kind: ImportKind, lang: 'ja' | 'en' = 'en'): string =>
  COLUMNS[kind]
    .map((c) => {
      const flags = [c.type, c.required ? (lang === 'ja' ? '必須' : 'required') : '']
        .filter(Boolean)
        .join(', ');
      const values = c.values ? ` [${c.values.join('|')}]` : '';
      return `${c.name} (${flags})${values}: ${c.description[lang]}${c.aliases.length ? ` — ${c.aliases.join(', ')}` : ''}`;
    })
    .join('\n');
