import type { ClauseId } from './clause-ids.ts';
import { type Clause, clause, documents } from './registry.ts';

export type Lang = 'ja' | 'en';

const LABELS = {
  ja: {
    section: '節',
    kind: { decision: '判断の根拠となる条項', info: '参考情報（単独では判断の根拠にならない）' },
    kindLabel: '種別',
    quote: '原文からの引用',
    summary: '要約',
    other: 'English',
    check: '確認箇所',
  },
  en: {
    section: 'Section',
    kind: { decision: 'decision clause', info: 'information (no verdict rests on it alone)' },
    kindLabel: 'Kind',
    quote: 'Quote from the source (Japanese)',
    summary: 'Summary',
    other: '日本語',
    check: 'Check it in',
  },
} as const;

const other = (lang: Lang): Lang => (lang === 'ja' ? 'en' : 'ja');

/** The text of `kenri explain <id>`: plain lines, so it reads the same in a terminal, a log or a ticket. */
export const formatClause = (c: Clause, lang: Lang): string => {
  const doc = documents()[c.document];
  const l = LABELS[lang];
  const quoted = lang === 'ja' ? `「${c.quote}」` : `“${c.quote}”`;
  // The seed is Japanese, so the place to look is always named by its Japanese heading.
  const where =
    lang === 'ja'
      ? `${doc.file} の「${c.section.ja}」`
      : `${doc.file}, under 「${c.section.ja}」 (${c.section.en})`;
  return [
    `${c.id} — ${doc.title[lang]}`,
    `${l.section}: ${c.section[lang]}`,
    `${l.kindLabel}: ${l.kind[c.kind]}`,
    `${l.quote}: ${quoted}`,
    `${l.summary}: ${c.summary[lang]}`,
    `${l.other}: ${c.summary[other(lang)]}`,
    `${l.check}: ${where}`,
  ].join('\n');
};

/** One line per clause, ids padded so the summaries line up. */
export const formatClauseList = (ids: readonly ClauseId[], lang: Lang): string => {
  const width = Math.max(0, ...ids.map((id) => id.length));
  return ids.map((id) => `${id.padEnd(width)} — ${clause(id).summary[lang]}`).join('\n');
};
