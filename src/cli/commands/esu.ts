import type { Command } from 'commander';
import { displayName } from '../../catalogue/catalogue.ts';
import { type EsuPrice, esu, esuYearWindow } from '../../data/esu.ts';
import { rulesVersion } from '../../engine/rules-version.ts';
import { fill, type Lang, type Text } from '../../engine/text.ts';
import { Trace } from '../../engine/trace.ts';
import type { VerdictKind } from '../../engine/verdict.ts';
import { searchCatalogue } from '../../esu/catalogue-search.ts';
import { expiringOrders } from '../../esu/orders.ts';
import { loadSecret, SecretError } from '../../esu/product-key.ts';
import { quoteEsu } from '../../esu/quote.ts';
import { InputError } from '../../model/input-error.ts';
import {
  type EsuPart,
  type EsuQuestion,
  type EsuVerdict,
  esuPlaceholders,
  evaluateEsu,
  renderEsuVerdict,
  toEsuQuestion,
} from '../../rules/esu/index.ts';
import { eligibleEdition, noAutoRenewal, unknownPrice } from '../../rules/esu/rules.ts';
import type { Db } from '../../store/db.ts';
import { getDevice } from '../../store/devices.ts';
import { addEsuOrder, licencesOrdered, listEsuOrders } from '../../store/esu-orders.ts';
import { esuPriceList, setEsuPrice } from '../../store/esu-prices.ts';
import { type EsuDeviceFacts, esuFleetFacts } from '../../store/esu-status.ts';
import { getOrganisation } from '../../store/organisations.ts';
import { defaultLang, parseLang, UsageError } from '../lang.ts';
import { renderText, type Table } from '../output/table.ts';
import {
  actor,
  orgOf,
  parseAsOf,
  requireOrganisation,
  type StoreFlags,
  usingStore,
  withStoreOptions,
} from '../store-context.ts';
import { verdictExit } from './check.ts';

// ── Shared by the esu, mak and deploy commands ──────────────────────────────────────────────────────────

export interface LangFlags {
  lang?: string;
  json?: boolean;
}

export const L = (lang: Lang, ja: string, en: string): string => (lang === 'ja' ? ja : en);

export const langOf = (flags: LangFlags): Lang => (flags.lang ? parseLang(flags.lang) : defaultLang());

export const withLang = (cmd: Command): Command =>
  cmd.option('--lang <lang>', 'ja or en (default: from the locale)').option('--json', 'print as JSON');

/** A whole number from a flag; a flag written wrongly is a usage error (exit 64). */
export const intFlag = (flag: string, value: string | undefined, min = 1): number => {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value.trim()) || n < min)
    throw new UsageError(`${flag}: expected a whole number of at least ${min}, got '${value ?? ''}'`);
  return n;
};

export const yearFlag = (value: string | undefined): 1 | 2 | 3 => {
  if (value !== '1' && value !== '2' && value !== '3')
    throw new UsageError(`--year: expected an ESU year 1, 2 or 3, got '${value ?? ''}'`);
  return Number(value) as 1 | 2 | 3;
};

export const dayFlag = (flag: string, value: string | undefined): string => {
  try {
    return parseAsOf(value);
  } catch {
    throw new UsageError(`${flag}: expected a date written YYYY-MM-DD, got '${value}'`);
  }
};

/** The secret that seals the MAK key; without one, say how to make one (exit 64), never a stack trace. */
export const secretFromEnv = (): Buffer => {
  try {
    return loadSecret(process.env);
  } catch (e) {
    if (e instanceof SecretError) throw new UsageError(e.message);
    throw e;
  }
};

export const print = (lines: readonly string[]): void => {
  process.stdout.write(`${lines.join('\n')}\n`);
};

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

export const cited = (cites: readonly string[]): string => (cites.length ? `  [${cites.join(', ')}]` : '');

const yen = (n: number, lang: Lang): string =>
  lang === 'ja' ? `${n.toLocaleString('ja-JP')} 円` : `JPY ${n.toLocaleString('en-US')}`;

const words = {
  allowed: { ja: '可', en: 'allowed' },
  denied: { ja: '不可', en: 'denied' },
  conditional: { ja: '条件付き', en: 'conditional' },
} as const satisfies Record<VerdictKind, Text>;

const from: Record<string, Text> = {
  running: { ja: '稼働OS', en: 'running OS' },
  'windows-report': { ja: 'slmgr/CIM', en: 'slmgr/CIM' },
  preinstalled: { ja: 'プリインストール', en: 'preinstalled' },
  device: { ja: 'デバイス', en: 'device' },
  orders: { ja: '組織の注文', en: 'org orders' },
  'mak-ledger': { ja: 'MAK 台帳', en: 'MAK ledger' },
};

// ── esu status ───────────────────────────────────────────────────────────────────────────────────────────

/** A device whose Windows 7 edition nothing in the store names: there is no question to ask yet. */
const editionUnknown = (deviceKey: string): EsuPart => ({
  verdict: 'conditional',
  reasons: [],
  cites: eligibleEdition.clauses,
  basis: undefined,
  remedies: [],
  missing: [
    {
      path: 'device.running.edition',
      text: {
        ja: `${deviceKey} で動いている Windows 7 のエディション (devices ファイルの「稼働エディション」列、または slmgr /dlv の取り込み)`,
        en: `Which Windows 7 edition ${deviceKey} runs (the devices file's running_edition column, or an imported slmgr /dlv)`,
      },
    },
  ],
});

interface Decided {
  readonly facts: EsuDeviceFacts;
  readonly question: EsuQuestion | undefined;
  readonly verdict: EsuVerdict | undefined;
  readonly licensed: EsuPart;
  readonly updates: EsuPart;
}

const decide = (facts: EsuDeviceFacts): Decided => {
  if (!facts.input) {
    const part = editionUnknown(facts.deviceKey);
    return { facts, question: undefined, verdict: undefined, licensed: part, updates: part };
  }
  const question = toEsuQuestion(facts.input, `device ${facts.deviceKey}`);
  const verdict = evaluateEsu(question, new Trace());
  return { facts, question, verdict, licensed: verdict.licensed, updates: verdict.updates };
};

const partJson = (d: Decided, part: EsuPart) => {
  const vars = (lang: Lang) =>
    d.question && d.verdict ? esuPlaceholders(d.question, d.verdict, part, lang) : {};
  const [ja, en] = [vars('ja'), vars('en')];
  return {
    verdict: part.verdict,
    cites: part.cites,
    reasons: part.reasons.map((r) => ({
      rule: r.rule.id,
      clauses: r.rule.clauses,
      text: { ja: fill(r.text.ja, ja), en: fill(r.text.en, en) },
    })),
    missing: part.verdict === 'conditional' ? part.missing : [],
    remedies:
      part.verdict === 'allowed'
        ? []
        : part.remedies.map((m) => ({ id: m.id, clauses: m.clauses, text: m.text })),
  };
};

const keyWords = (d: Decided, lang: Lang): string => {
  const k = d.question?.device.esuKey ?? 'unknown';
  if (k === 'unknown') return L(lang, '不明', 'unknown');
  const state = k.activated
    ? L(lang, '認証済み', 'activated')
    : k.installed
      ? L(lang, '未認証', 'not activated')
      : L(lang, '未インストール', 'not installed');
  return d.facts.keyFrom ? `${state} (${from[d.facts.keyFrom]![lang]})` : state;
};

const worst = (parts: readonly EsuPart[]): number =>
  parts.some((p) => p.verdict === 'denied')
    ? verdictExit.denied
    : parts.some((p) => p.verdict === 'conditional')
      ? verdictExit.conditional
      : verdictExit.allowed;

const runStatus = async (
  db: Db,
  org: string,
  flags: LangFlags & { asOf?: string; device?: string; details?: boolean },
): Promise<void> => {
  const lang = langOf(flags);
  const asOf = parseAsOf(flags.asOf);
  await requireOrganisation(db, org);
  if (flags.device !== undefined && !(await getDevice(db, org, flags.device)))
    throw new InputError([
      { path: 'device', message: `no device '${flags.device}' in organisation '${org}'` },
    ]);
  const fleet = await esuFleetFacts(db, org, asOf, { deviceKey: flags.device });
  const decided = fleet.devices.map(decide);
  if (flags.json) {
    printJson({
      org,
      asOf,
      rulesVersion: rulesVersion(),
      coverage: fleet.coverage,
      orgYears: fleet.orgYears ?? null,
      devices: decided.map((d) => ({
        device: d.facts.deviceKey,
        runningFrom: d.facts.runningFrom,
        edition: d.facts.edition ?? null,
        esuYears: d.question?.device.esuYears ?? null,
        yearsFrom: d.facts.yearsFrom ?? null,
        esuKey: d.question?.device.esuKey ?? 'unknown',
        keyFrom: d.facts.keyFrom ?? null,
        esuYear: d.verdict?.esuYear ?? null,
        coverage: d.verdict?.coverage ?? null,
        licensed: partJson(d, d.licensed),
        updates: partJson(d, d.updates),
        cites: d.verdict?.cites ?? d.licensed.cites,
      })),
    });
  } else if (decided.length === 0) {
    print([
      flags.device === undefined
        ? L(
            lang,
            `組織 ${org} に Windows 7 で動いているデバイスは見つからない (稼働OS、slmgr/CIM の取り込み、プリインストールのライセンスから判断)`,
            `No device of ${org} runs Windows 7, as far as the store shows (running OS, imported slmgr/CIM output, preinstalled licence)`,
          )
        : L(
            lang,
            `${flags.device} は Windows 7 で動いていない (ストアの情報から判断)。ESU は Windows 7 のためのもの`,
            `${flags.device} does not run Windows 7 as far as the store shows; ESU is for Windows 7`,
          ),
    ]);
  } else {
    const table: Table = {
      title: L(
        lang,
        `Windows 7 ESU の状況 (${org}、${asOf} 時点)`,
        `Windows 7 ESU status of ${org} as of ${asOf}`,
      ),
      columns: [
        { key: 'device', label: L(lang, 'デバイス', 'device') },
        { key: 'running', label: L(lang, '稼働OS', 'running') },
        { key: 'years', label: L(lang, 'ESU 年度', 'ESU years') },
        { key: 'key', label: L(lang, 'ESU キー', 'ESU key') },
        { key: 'licensed', label: L(lang, 'ライセンス', 'licensed') },
        { key: 'updates', label: L(lang, '更新', 'updates') },
        { key: 'cites', label: L(lang, '条項', 'clauses') },
      ],
      rows: decided.map((d) => ({
        device: d.facts.deviceKey,
        running: `${d.facts.edition ? displayName('windows', d.facts.edition, '7') : 'Windows 7 ?'} (${from[d.facts.runningFrom]![lang]})`,
        years: d.question?.device.esuYears?.length
          ? `${d.question.device.esuYears.join(',')} (${from[d.facts.yearsFrom ?? 'device']![lang]})`
          : L(lang, '不明', 'unknown'),
        key: keyWords(d, lang),
        licensed: words[d.licensed.verdict][lang],
        updates: words[d.updates.verdict][lang],
        cites: (d.verdict?.cites ?? d.licensed.cites).join(' '),
      })),
    };
    const count = (part: 'licensed' | 'updates', v: VerdictKind) =>
      decided.filter((d) => d[part].verdict === v).length;
    const line = (part: 'licensed' | 'updates', label: string) =>
      `${label}: ${(['allowed', 'denied', 'conditional'] as const).map((v) => `${words[v][lang]} ${count(part, v)}`).join(L(lang, '、', ', '))}`;
    const out = [
      renderText(table),
      '',
      L(lang, `Windows 7 のデバイス ${decided.length} 台`, `${decided.length} Windows 7 device(s)`),
      line('licensed', L(lang, '  ライセンス', '  licensed')),
      line('updates', L(lang, '  セキュリティ更新', '  updates')),
    ];
    if (fleet.orgYears === undefined && decided.some((d) => d.facts.yearsFrom === undefined)) {
      const usable = fleet.coverage.map((c) => `${c.year}: ${c.usable}`).join(', ');
      out.push(
        L(
          lang,
          `  注文の ESU ライセンス (年度: 使える数 ${usable}) は Windows 7 の全台数に足りないため、年度の記録がないデバイスには当てはめていない。devices ファイルの ESU 年度列で台ごとに示すこと`,
          `  The ESU licences ordered (year: usable ${usable}) do not cover every Windows 7 device, so they are not assumed for devices with no ESU years on record; give them per device (esu_years column)`,
        ),
      );
    }
    if (flags.details || flags.device !== undefined)
      for (const d of decided) {
        out.push('');
        if (d.question && d.verdict) out.push(renderEsuVerdict(d.question, d.verdict, lang));
        else
          out.push(
            `${d.facts.deviceKey}: ${words.conditional[lang]}`,
            ...(d.licensed.verdict === 'conditional' ? d.licensed.missing : []).map(
              (m) => `  - ${m.path}: ${m.text[lang]}${cited(d.licensed.cites)}`,
            ),
          );
      }
    print(out);
  }
  process.exitCode = worst(decided.flatMap((d) => [d.licensed, d.updates]));
};

// ── catalogue, quote, prices, orders ─────────────────────────────────────────────────────────────────────

/** The organisation's price list when it exists, else the shipped one: searching needs no organisation. */
const pricesFor = async (db: Db, org: string): Promise<EsuPrice[]> =>
  (await getOrganisation(db, org)) ? esuPriceList(db, org) : [...esu.prices];

const priceText = (p: number | 'unknown' | null, lang: Lang): string =>
  p === null || p === 'unknown' ? L(lang, '未定 (ESU-09)', 'unknown (ESU-09)') : yen(p, lang);

const yearsFlag = (flag: string, value: string | undefined): number[] => {
  if (value === undefined || value.trim() === '') return [];
  const ys = value.split(/[,;、\s]+/).filter(Boolean);
  if (ys.some((y) => !['1', '2', '3'].includes(y)))
    throw new UsageError(`${flag}: expected ESU years such as 1,2,3, got '${value}'`);
  return ys.map(Number);
};

export const registerEsu = (program: Command): void => {
  const cmd = program
    .command('esu')
    .description(
      'Windows 7 Extended Security Updates: status of each device, the CSP catalogue, quotes, prices, orders',
    );

  withLang(
    withStoreOptions(
      cmd
        .command('status')
        .description(
          'is each Windows 7 device licensed, and does it get security updates? (exit 0 all allowed, 1 a denial, 2 a fact missing)',
        )
        .option('--as-of <date>', 'YYYY-MM-DD (default today)')
        .option('--device <key>', 'one device, with its reasons in full')
        .option('--details', 'the reasons of every device'),
    ),
  ).action((flags: StoreFlags & LangFlags & { asOf?: string; device?: string; details?: boolean }) =>
    usingStore(flags, (db) => runStatus(db, orgOf(flags), flags)),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('search')
        .description(
          'search the CSP price list as the ordering portal\'s plan family field does (try "ESU", ESU-11)',
        )
        .argument('[keyword]', 'words to find, e.g. ESU', ''),
    ),
  ).action((keyword: string, flags: StoreFlags & LangFlags) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      const r = searchCatalogue(keyword, await pricesFor(db, orgOf(flags)));
      if (flags.json) return printJson(r);
      const table: Table = {
        title: L(lang, `CSP 価格表の検索: "${keyword}"`, `CSP price list search: "${keyword}"`),
        columns: [
          { key: 'year', label: L(lang, '年度', 'year') },
          { key: 'code', label: L(lang, '商品コード', 'code') },
          { key: 'name', label: L(lang, '商品名', 'name') },
          { key: 'price', label: L(lang, '単価 (税抜)', 'unit price (before tax)'), align: 'right' },
          { key: 'coverage', label: L(lang, '対象期間', 'coverage') },
          { key: 'source', label: L(lang, '出典', 'source') },
        ],
        rows: r.hits.map((h) => ({
          year: h.year,
          code: h.code ?? '-',
          name: h.name,
          price: priceText(h.unitPrice, lang),
          coverage: `${h.coverage.from} .. ${h.coverage.to}`,
          source: h.checked ? `${h.source} (${h.checked})` : h.source,
        })),
      };
      print([renderText(table), '', `${r.note[lang]}${cited(r.cites)}`]);
    }),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('quote')
        .description(
          'price ESU for N devices, before and after consumption tax; an unknown price is refused (ESU-09)',
        )
        .requiredOption('--devices <n>', 'devices to cover')
        .requiredOption('--years <list>', 'ESU years to buy, e.g. 1,2,3')
        .option('--already-owned <list>', 'years these devices already have, e.g. 1')
        .option('--as-of <date>', 'date of the quote (tax rate in force; default today)')
        .option(
          '--per-invoice',
          'round the tax once for the invoice (qualified invoice system) instead of per line',
        ),
    ),
  ).action(
    (
      flags: StoreFlags &
        LangFlags & {
          devices?: string;
          years?: string;
          alreadyOwned?: string;
          asOf?: string;
          perInvoice?: boolean;
        },
    ) =>
      usingStore(flags, async (db) => {
        const lang = langOf(flags);
        const prices = await pricesFor(db, orgOf(flags));
        const r = quoteEsu(
          {
            devices: intFlag('--devices', flags.devices),
            years: yearsFlag('--years', flags.years) as (1 | 2 | 3)[],
            alreadyOwned: yearsFlag('--already-owned', flags.alreadyOwned) as (1 | 2 | 3)[],
            asOf: parseAsOf(flags.asOf),
            taxRounding: flags.perInvoice ? 'per-invoice' : 'per-line',
          },
          prices,
        );
        if (!r.ok) {
          const known = prices.filter((p) => p.unitPrice !== null).map((p) => String(p.year));
          throw new InputError([
            {
              path: r.refusal.code === 'tax-rate-unknown' ? 'asOf' : 'years',
              message: `${r.refusal.text[lang]}${cited(r.refusal.cites.length ? r.refusal.cites : unknownPrice.clauses)}`,
              ...(r.refusal.code === 'price-unknown' ? { expected: known } : {}),
            },
          ]);
        }
        const q = r.quote;
        if (flags.json) return printJson(q);
        const table: Table = {
          title: L(
            lang,
            `Windows 7 ESU 見積 (${q.devices} 台)`,
            `Windows 7 ESU quote for ${q.devices} device(s)`,
          ),
          columns: [
            { key: 'year', label: L(lang, '年度', 'year') },
            { key: 'code', label: L(lang, '商品コード', 'code') },
            { key: 'unit', label: L(lang, '単価', 'unit price'), align: 'right' },
            { key: 'qty', label: L(lang, '数量', 'qty'), align: 'right' },
            { key: 'subtotal', label: L(lang, '税抜', 'before tax'), align: 'right' },
            { key: 'tax', label: L(lang, '消費税', 'tax'), align: 'right' },
            { key: 'total', label: L(lang, '税込', 'with tax'), align: 'right' },
            { key: 'coverage', label: L(lang, '対象期間', 'coverage') },
          ],
          rows: q.lines.map((l) => ({
            year: l.year,
            code: l.code ?? '-',
            unit: yen(l.unitPrice, lang),
            qty: l.quantity,
            subtotal: yen(l.subtotal, lang),
            tax: yen(l.tax, lang),
            total: yen(l.total, lang),
            coverage: `${l.coverage.from} .. ${l.coverage.to}`,
          })),
        };
        const pct = `${Math.round(q.taxRate * 100)}%`;
        print([
          renderText(table),
          '',
          L(lang, `税抜合計: ${yen(q.subtotal, lang)}`, `Total before tax: ${yen(q.subtotal, lang)}`),
          L(lang, `消費税 (${pct}): ${yen(q.tax, lang)}`, `Consumption tax (${pct}): ${yen(q.tax, lang)}`),
          L(lang, `税込合計: ${yen(q.total, lang)}`, `Total with tax: ${yen(q.total, lang)}`),
          ...q.warnings.map((w) => `${L(lang, '注意', 'Note')}: ${w[lang]}`),
          L(
            lang,
            `ESU は年払いで、注文は自動更新されない${cited(q.cites)}`,
            `ESU is paid year by year and orders do not renew by themselves${cited(q.cites)}`,
          ),
        ]);
      }),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('price')
        .description(
          "enter a year's price as the distributor announced it (overrides the shipped list, ESU-09)",
        )
        .requiredOption('--year <n>', 'ESU year 1, 2 or 3')
        .requiredOption('--unit-price <yen>', 'unit price in yen before tax')
        .requiredOption('--source <text>', 'where the price comes from (price list, mail, date)')
        .option('--checked <date>', 'the day the price was checked (default today)'),
    ),
  ).action(
    (
      flags: StoreFlags &
        LangFlags & { year?: string; unitPrice?: string; source?: string; checked?: string },
    ) =>
      usingStore(flags, async (db) => {
        const lang = langOf(flags);
        const org = orgOf(flags);
        await requireOrganisation(db, org);
        const row = await setEsuPrice(
          db,
          org,
          {
            year: yearFlag(flags.year),
            unitPrice: intFlag('--unit-price', flags.unitPrice),
            source: flags.source ?? '',
            checked: dayFlag('--checked', flags.checked),
          },
          actor(),
        );
        if (flags.json) return printJson(row);
        print([
          L(
            lang,
            `第 ${row.year} 年度の単価を ${priceText(row.unitPrice, lang)} (税抜) として登録した (出典: ${row.source}、確認日 ${row.checked})`,
            `Year ${row.year} unit price set to ${priceText(row.unitPrice, lang)} before tax (source: ${row.source}, checked ${row.checked})`,
          ),
        ]);
      }),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('order')
        .description(
          'record a CSP order of ESU licences for one year (orders never renew by themselves, ESU-10)',
        )
        .requiredOption('--year <n>', 'ESU year 1, 2 or 3')
        .requiredOption('--quantity <n>', 'licences ordered')
        .requiredOption('--date <date>', 'the day it was ordered (YYYY-MM-DD)')
        .requiredOption('--partner <name>', 'the CSP partner it went through')
        .option('--reference <text>', "the partner's order number"),
    ),
  ).action(
    (
      flags: StoreFlags &
        LangFlags & { year?: string; quantity?: string; date?: string; partner?: string; reference?: string },
    ) =>
      usingStore(flags, async (db) => {
        const lang = langOf(flags);
        const org = orgOf(flags);
        await requireOrganisation(db, org);
        const order = await addEsuOrder(
          db,
          org,
          {
            year: yearFlag(flags.year),
            quantity: intFlag('--quantity', flags.quantity),
            orderedOn: dayFlag('--date', flags.date),
            partner: flags.partner ?? '',
            reference: flags.reference,
          },
          actor(),
        );
        const limit = await licencesOrdered(db, org, order.year);
        if (flags.json) return printJson({ order, licencesOrdered: limit });
        const w = esuYearWindow(order.year);
        print([
          L(
            lang,
            `注文 ${order.reference} を記録した: 第 ${order.year} 年度 ${order.quantity} 本 (${order.partner}、${order.orderedOn})。対象期間 ${w.from} 〜 ${w.to}`,
            `Order ${order.reference} recorded: year ${order.year}, ${order.quantity} licence(s) (${order.partner}, ${order.orderedOn}); covers ${w.from} to ${w.to}`,
          ),
          L(
            lang,
            `自動更新はされない。次の年度は期限前に改めて注文すること${cited(noAutoRenewal.clauses)}`,
            `It does not renew by itself: order the next year before this one ends${cited(noAutoRenewal.clauses)}`,
          ),
          L(
            lang,
            `第 ${order.year} 年度の ESU ライセンスは計 ${limit} 本: MAK キーの認証上限もこの数になる  [ESU-17]`,
            `Year ${order.year} now has ${limit} ESU licence(s) in all, which sets the MAK activation limit  [ESU-17]`,
          ),
        ]);
      }),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('orders')
        .description('list ESU orders, or those whose year ends soon (nothing renews by itself, ESU-10)')
        .option('--expiring-within <days>', 'only orders whose coverage ends within this many days')
        .option('--as-of <date>', 'YYYY-MM-DD (default today)'),
    ),
  ).action((flags: StoreFlags & LangFlags & { expiringWithin?: string; asOf?: string }) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      const org = orgOf(flags);
      await requireOrganisation(db, org);
      const asOf = parseAsOf(flags.asOf);
      const orders = await listEsuOrders(db, org);
      const within =
        flags.expiringWithin === undefined
          ? undefined
          : intFlag('--expiring-within', flags.expiringWithin, 0);
      const expiring = within === undefined ? undefined : expiringOrders(orders, asOf, within);
      if (flags.json) return printJson({ org, asOf, orders, expiring: expiring ?? null });
      const shown = expiring ? expiring.expiring.map((e) => e.order) : orders;
      const table: Table = {
        title:
          within === undefined
            ? L(lang, `ESU の注文 (${org})`, `ESU orders of ${org}`)
            : L(
                lang,
                `${asOf} から ${within} 日以内に終わる注文`,
                `Orders ending within ${within} days of ${asOf}`,
              ),
        columns: [
          { key: 'reference', label: L(lang, '注文', 'order') },
          { key: 'year', label: L(lang, '年度', 'year') },
          { key: 'quantity', label: L(lang, '数量', 'qty'), align: 'right' },
          { key: 'orderedOn', label: L(lang, '注文日', 'ordered') },
          { key: 'partner', label: L(lang, 'パートナー', 'partner') },
          { key: 'ends', label: L(lang, '期間終了', 'ends') },
        ],
        rows: shown.map((o) => ({
          reference: o.reference,
          year: o.year,
          quantity: o.quantity,
          orderedOn: o.orderedOn,
          partner: o.partner,
          ends: esuYearWindow(o.year).to,
        })),
      };
      const out = [renderText(table)];
      if (expiring)
        out.push('', ...expiring.expiring.map((e) => `- ${e.text[lang]}${cited(expiring.cites)}`));
      else
        out.push(
          '',
          L(
            lang,
            `注文は自動更新されない${cited(noAutoRenewal.clauses)}`,
            `Orders never renew by themselves${cited(noAutoRenewal.clauses)}`,
          ),
        );
      print(out);
    }),
  );
};
