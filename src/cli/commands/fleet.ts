import type { Command } from 'commander';
import { displayName } from '../../catalogue/catalogue.ts';
import type { Lang } from '../../engine/text.ts';
import { agreementPosition, licencePosition } from '../../reports/licence-position.ts';
import { defaultDataDir } from '../../store/db.ts';
import { devicesWithLicences } from '../../store/fleet.ts';
import { ensureOrganisation } from '../../store/organisations.ts';
import { defaultLang, parseLang } from '../lang.ts';
import { emit, formatOf } from '../output/emit.ts';
import type { Table } from '../output/table.ts';
import {
  actor,
  orgOf,
  parseAsOf,
  requireOrganisation,
  type StoreFlags,
  usingStore,
  withStoreOptions,
} from '../store-context.ts';

interface OutputFlags extends StoreFlags {
  lang?: string;
  json?: boolean;
  format?: string;
  out?: string;
  asOf?: string;
}

const L = (lang: Lang, ja: string, en: string) => (lang === 'ja' ? ja : en);

const outputOptions = (cmd: Command): Command =>
  cmd
    .option('--lang <lang>', 'ja or en (default: from the locale)')
    .option('--json', 'print as JSON')
    .option('--format <format>', 'table, json, csv or xlsx (default table)')
    .option('--out <file>', 'write the output to a file (needed for xlsx)');

export const registerFleet = (program: Command): void => {
  withStoreOptions(
    program
      .command('init')
      .description('create the store (embedded by default) and an organisation')
      .option('--name <name>', 'display name of the organisation'),
  ).action(async (flags: StoreFlags & { name?: string }) => {
    const org = orgOf(flags);
    await usingStore(flags, async (db) => {
      const o = await ensureOrganisation(db, org, { name: flags.name, actor: actor() });
      const where =
        db.kind === 'postgres' ? 'PostgreSQL' : (flags.data ?? process.env.KENRI_DATA ?? defaultDataDir());
      process.stdout.write(`kenri: organisation '${o.id}' (${o.name}) ready in ${where}\n`);
    });
  });

  outputOptions(
    withStoreOptions(
      program.command('devices').description("list an organisation's devices and their licences"),
    ),
  ).action(async (flags: OutputFlags) => {
    const lang = flags.lang ? parseLang(flags.lang) : defaultLang();
    const format = formatOf(flags);
    const org = orgOf(flags);
    await usingStore(flags, async (db) => {
      await requireOrganisation(db, org);
      await emit([], format, flags.out, undefined, {
        title: L(lang, `デバイス一覧 (${org})`, `Devices of ${org}`),
        columns: [
          { key: 'key', label: L(lang, 'キー', 'key') },
          { key: 'name', label: L(lang, '名前', 'name') },
          { key: 'vendor', label: L(lang, 'メーカー', 'vendor') },
          { key: 'model', label: L(lang, 'モデル', 'model') },
          { key: 'licences', label: L(lang, 'ライセンス', 'licences') },
          { key: 'users', label: L(lang, 'ユーザー', 'users') },
          { key: 'esu', label: 'ESU' },
        ],
        // Page by page from the store: a fleet of any size is listed in flat memory.
        batches: devicesWithLicences(db, org),
        item: (d) => d,
        row: (d) => ({
          key: d.device.key,
          name: d.device.name ?? '',
          vendor: d.device.vendor ?? '',
          model: d.device.model ?? '',
          licences: d.licences
            .map(
              (l) =>
                `${displayName(l.product, l.edition, l.version)} ${l.channel}${l.programme ? `/${l.programme}` : ''}`,
            )
            .join('; '),
          users: d.users.map((u) => u.user.key).join(' '),
          esu: (d.device.esuYears ?? []).join(' '),
        }),
      });
    });
  });

  outputOptions(
    withStoreOptions(
      program
        .command('report')
        .description("the organisation's licence position as of a date")
        .option('--as-of <date>', 'YYYY-MM-DD (default today)'),
    ),
  ).action(async (flags: OutputFlags) => {
    const lang = flags.lang ? parseLang(flags.lang) : defaultLang();
    const format = formatOf(flags);
    const asOf = parseAsOf(flags.asOf);
    const org = orgOf(flags);
    await usingStore(flags, async (db) => {
      await requireOrganisation(db, org);
      const position = await licencePosition(db, org, asOf);
      const agreements = await agreementPosition(db, org, asOf);
      const agreementTable: Table = {
        title: L(lang, `契約 (${asOf} 時点)`, `Agreements as of ${asOf}`),
        columns: [
          { key: 'number', label: L(lang, '契約番号', 'number') },
          { key: 'programme', label: L(lang, 'プログラム', 'programme') },
          { key: 'starts', label: L(lang, '開始', 'starts') },
          { key: 'ends', label: L(lang, '終了', 'ends') },
          { key: 'sa', label: 'SA' },
          { key: 'status', label: L(lang, '状態', 'status') },
        ],
        rows: agreements.map((a) => ({
          number: a.number,
          programme: a.programme,
          starts: a.starts ?? '',
          ends: a.ends ?? '',
          sa: a.softwareAssurance ? 'yes' : 'no',
          status: a.status,
        })),
      };
      const positionTable: Table = {
        title: L(lang, `ライセンスの保有状況 (${asOf} 時点)`, `Licence position as of ${asOf}`),
        columns: [
          { key: 'product', label: L(lang, '製品', 'product') },
          { key: 'channel', label: L(lang, '入手経路', 'channel') },
          { key: 'assignment', label: L(lang, '割り当て単位', 'per') },
          { key: 'onDevices', label: L(lang, 'デバイス割当', 'on devices'), align: 'right' },
          { key: 'onUsers', label: L(lang, 'ユーザー割当', 'on users'), align: 'right' },
          { key: 'pooled', label: L(lang, 'プール数量', 'pooled'), align: 'right' },
          { key: 'expired', label: L(lang, '期限切れ', 'expired'), align: 'right' },
        ],
        rows: position.map((p) => ({
          product: displayName(p.product, p.edition, p.version),
          channel: p.programme ? `${p.channel}/${p.programme}` : p.channel,
          assignment: p.assignment,
          onDevices: p.onDevices,
          onUsers: p.onUsers,
          pooled: p.pooled,
          expired: p.expired,
        })),
      };
      await emit([agreementTable, positionTable], format, flags.out, { org, asOf, agreements, position });
    });
  });
};
