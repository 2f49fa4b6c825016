import { displayName } from '../catalogue/catalogue.ts';
import type { Lang } from '../engine/text.ts';
import type { PlanSummary } from '../planner/planner.ts';
import type { PlanVerdict } from '../store/plans.ts';
import type { Tail } from './output/emit.ts';
import type { Table } from './output/table.ts';

const L = (lang: Lang, ja: string, en: string) => (lang === 'ja' ? ja : en);

const verdictName = (v: string, lang: Lang): string =>
  ({
    allowed: L(lang, '可', 'allowed'),
    denied: L(lang, '不可', 'denied'),
    conditional: L(lang, '条件付き', 'conditional'),
  })[v] ?? v;

export const totalsTable = (s: PlanSummary, lang: Lang): Table => ({
  title: L(lang, '判定の集計', 'Verdicts'),
  columns: [
    { key: 'verdict', label: L(lang, '判定', 'verdict') },
    { key: 'count', label: L(lang, '台数', 'devices'), align: 'right' },
  ],
  rows: [
    { verdict: verdictName('allowed', lang), count: s.totals.allowed },
    { verdict: verdictName('denied', lang), count: s.totals.denied },
    { verdict: verdictName('conditional', lang), count: s.totals.conditional },
    { verdict: L(lang, '合計', 'total'), count: s.totals.devices },
  ],
});

export const reasonsTable = (s: PlanSummary, lang: Lang): Table => ({
  title: L(lang, '理由と条項ごとの台数', 'Devices per reason and clause'),
  columns: [
    { key: 'verdict', label: L(lang, '判定', 'verdict') },
    { key: 'rule', label: L(lang, 'ルール', 'rule') },
    { key: 'clauses', label: L(lang, '条項', 'clauses') },
    { key: 'count', label: L(lang, '台数', 'devices'), align: 'right' },
  ],
  rows: s.byReason.map((r) => ({
    verdict: verdictName(r.verdict, lang),
    rule: r.rule,
    clauses: r.clauses.join(' '),
    count: r.count,
  })),
});

export const purchasesTable = (s: PlanSummary, lang: Lang): Table => ({
  title: L(lang, '不可を解消するために購入するもの', 'What to buy to clear the denials'),
  columns: [
    { key: 'what', label: L(lang, '購入するもの', 'buy') },
    { key: 'product', label: L(lang, '製品', 'product') },
    { key: 'quantity', label: L(lang, '数量', 'quantity'), align: 'right' },
    { key: 'clauses', label: L(lang, '条項', 'clauses') },
  ],
  rows: s.purchases.map((p) => ({
    what: p.text[lang],
    product:
      p.what === 'esu-year'
        ? `Windows 7 ESU ${L(lang, '第', 'year ')}${p.esuYear ?? '?'}${L(lang, '年度', '')}`
        : displayName(p.product, p.edition, p.version),
    quantity: p.quantity,
    clauses: p.clauses.join(' '),
  })),
});

export const poolsTable = (s: PlanSummary, lang: Lang): Table => ({
  title: L(lang, 'プールされたライセンスの割り当て', 'Pooled licences allocated'),
  columns: [
    { key: 'licence', label: L(lang, 'ライセンス', 'licence') },
    { key: 'agreement', label: L(lang, '契約番号', 'agreement') },
    { key: 'quantity', label: L(lang, '数量', 'quantity'), align: 'right' },
    { key: 'allocated', label: L(lang, '割り当て', 'allocated'), align: 'right' },
  ],
  rows: s.pools.map((p) => ({
    licence: p.licence,
    agreement: p.agreementNumber,
    quantity: p.quantity,
    allocated: p.allocated,
  })),
});

/** The per-device verdict list as a streamed table: a plan of a million devices is written batch by batch. */
export const devicesTail = (
  batches: AsyncIterable<readonly PlanVerdict[]>,
  lang: Lang,
): Tail<PlanVerdict> => ({
  title: L(lang, 'デバイスごとの判定', 'Verdict per device'),
  columns: [
    { key: 'device', label: L(lang, 'デバイス', 'device') },
    { key: 'verdict', label: L(lang, '判定', 'verdict') },
    { key: 'cites', label: L(lang, '条項', 'clauses') },
    { key: 'reason', label: L(lang, '理由', 'reasons') },
    { key: 'remedies', label: L(lang, '対処 / 不足情報', 'remedies / missing') },
  ],
  batches,
  key: 'devices',
  item: (v) => v,
  row: (v) => ({
    device: v.deviceKey,
    verdict: verdictName(v.verdict, lang),
    cites: v.cites.join(' '),
    reason: ((v.reasons as { ja: string; en: string }[] | null) ?? []).map((r) => r[lang]).join(' / '),
    remedies: ((v.remedies as (string | { missing: string })[] | null) ?? [])
      .map((m) => (typeof m === 'string' ? m : m.missing))
      .join(' '),
  }),
});
