import { fill, type Lang } from '../engine/text.ts';
import type { Verdict } from '../engine/verdict.ts';
import type { Question } from '../model/question.ts';
import { describeLicence, licenceAt, placeholders } from '../rules/reimaging/describe.ts';
import { clause } from '../sources/registry.ts';

const label = {
  allowed: { ja: '可 (allowed)', en: 'ALLOWED' },
  denied: { ja: '不可 (denied)', en: 'DENIED' },
  conditional: { ja: '条件付き — 情報不足 (conditional)', en: 'CONDITIONAL — a fact is missing' },
} as const;

const words = {
  title: { ja: 'kenri 再イメージング判定', en: 'kenri reimaging verdict' },
  asOf: { ja: '判定日', en: 'as of' },
  device: { ja: 'デバイス', en: 'device' },
  image: { ja: 'イメージ', en: 'image' },
  media: { ja: 'メディア', en: 'media' },
  verdict: { ja: '判定', en: 'verdict' },
  reasons: { ja: '理由', en: 'reasons' },
  remedies: { ja: '対処', en: 'what to do' },
  missing: { ja: '不足している情報', en: 'missing facts' },
  basis: { ja: '根拠のライセンス', en: 'licence relied on' },
  closest: { ja: '最も近いライセンス', en: 'closest licence' },
  mediaBasis: { ja: 'メディア権のライセンス', en: 'media rights from' },
  cites: {
    ja: '引用条項 (kenri explain <ID> で原文を確認)',
    en: 'clauses cited (check each with kenri explain <ID>)',
  },
  trace: { ja: '適用したルール', en: 'rules tried' },
} as const;

const mark = { holds: '✓', fails: '✗', missing: '?', skipped: '-' } as const;

/** The verdict as a person reads it, in one language, with every clause it rests on. */
export const renderVerdict = (q: Question, v: Verdict, lang: Lang, withTrace = true): string => {
  const vars = placeholders(q, v, lang);
  const out: string[] = [];
  out.push(`${words.title[lang]} — ${words.asOf[lang]} ${q.asOf}`);
  out.push(`  ${words.device[lang]}: ${q.device.id}${q.device.vendor ? ` (${q.device.vendor})` : ''}`);
  out.push(
    `  ${words.image[lang]}: ${vars.image}, ${words.media[lang]}: ${q.image.media}${q.image.id ? ` [${q.image.id}]` : ''}`,
  );
  out.push('');
  out.push(`${words.verdict[lang]}: ${label[v.verdict][lang]}`);
  if (v.reasons.length > 0) {
    out.push('', `${words.reasons[lang]}:`);
    v.reasons.forEach((r, i) => {
      out.push(`  ${i + 1}. ${fill(r.text[lang], vars)}  [${r.rule.clauses.join(', ')}]`);
    });
  }
  if (v.verdict === 'denied' && v.remedies.length > 0) {
    out.push('', `${words.remedies[lang]}:`);
    for (const m of v.remedies) out.push(`  - ${m.text[lang]}  [${m.clauses.join(', ')}]`);
  }
  if (v.verdict === 'conditional') {
    out.push('', `${words.missing[lang]}:`);
    for (const m of v.missing) out.push(`  - ${m.path}: ${m.text[lang]}`);
  }
  const basis = licenceAt(q, v.basis);
  const basisLabel = v.verdict === 'denied' ? words.closest : words.basis;
  if (basis) out.push('', `${basisLabel[lang]}: ${describeLicence(basis, lang)}`);
  const media = licenceAt(q, v.mediaBasis);
  if (media && media !== basis) out.push(`${words.mediaBasis[lang]}: ${describeLicence(media, lang)}`);
  out.push('', `${words.cites[lang]}:`);
  for (const id of v.cites) out.push(`  ${id.padEnd(6)} ${clause(id).summary[lang]}`);
  if (withTrace && v.trace) {
    out.push('', `${words.trace[lang]}:`);
    for (const t of v.trace)
      out.push(
        `  ${mark[t.outcome]} ${t.rule.id}  [${t.rule.clauses.join(', ')}]${t.note ? `  (${t.note})` : ''}`,
      );
  }
  return out.join('\n');
};

/** The verdict as data: every text in both languages, placeholders filled. */
export const verdictJson = (q: Question, v: Verdict, rulesVersion: string) => {
  const ja = placeholders(q, v, 'ja');
  const en = placeholders(q, v, 'en');
  const basis = licenceAt(q, v.basis);
  const media = licenceAt(q, v.mediaBasis);
  return {
    verdict: v.verdict,
    asOf: q.asOf,
    device: q.device.id,
    cites: v.cites,
    reasons: v.reasons.map((r) => ({
      rule: r.rule.id,
      clauses: r.rule.clauses,
      text: { ja: fill(r.text.ja, ja), en: fill(r.text.en, en) },
    })),
    remedies:
      v.verdict === 'denied' ? v.remedies.map((m) => ({ id: m.id, clauses: m.clauses, text: m.text })) : [],
    missing: v.verdict === 'conditional' ? v.missing.map((m) => ({ path: m.path, text: m.text })) : [],
    basis: basis ? { path: basis.path, id: basis.id, text: describeLicence(basis, 'en') } : null,
    mediaBasis: media ? { path: media.path, id: media.id, text: describeLicence(media, 'en') } : null,
    trace: (v.trace ?? []).map((t) => ({
      rule: t.rule.id,
      clauses: t.rule.clauses,
      outcome: t.outcome,
      ...(t.note ? { note: t.note } : {}),
    })),
    rulesVersion,
  };
};
