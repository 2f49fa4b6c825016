import { displayName } from '../../catalogue/catalogue.ts';
import { esu, lastEsuDay } from '../../data/esu.ts';
import { fill, type Lang } from '../../engine/text.ts';
import { describeLicence } from '../reimaging/describe.ts';
import type { EsuVerdict } from './evaluate.ts';
import type { EsuPart } from './findings.ts';
import { listedPrerequisites } from './prerequisites.ts';
import type { EsuQuestion } from './question.ts';

const none = { ja: 'なし', en: 'none' };

const keyStates = {
  notInstalled: { ja: 'インストールされていない', en: 'not installed' },
  notActivated: { ja: 'インストール済みだが認証されていない', en: 'installed but not activated' },
  activated: { ja: 'インストール・認証済み', en: 'installed and activated' },
  unknown: { ja: '不明', en: 'unknown' },
};

/** Values for the `{name}` placeholders of ESU reason texts (and the shared downgrade reasons). */
export const esuPlaceholders = (
  q: EsuQuestion,
  v: EsuVerdict,
  part: EsuPart,
  lang: Lang,
): Record<string, string | undefined> => {
  const d = q.device;
  const running = displayName(esu.product.product, d.edition, esu.product.version);
  const basis = d.licences.find((l) => l.path === part.basis);
  const key = d.esuKey;
  const keyState =
    key === 'unknown'
      ? keyStates.unknown
      : !key.installed
        ? keyStates.notInstalled
        : !key.activated
          ? keyStates.notActivated
          : keyStates.activated;
  const missing = v.coverage?.status === 'not-covered' ? v.coverage.missing : [];
  return {
    device: d.id,
    running,
    image: running,
    basis: basis ? describeLicence(basis, lang) : none[lang],
    eos: esu.endOfSupport.date,
    asOf: q.asOf,
    esuYear: v.esuYear === undefined ? '-' : String(v.esuYear),
    lastDay: lastEsuDay(),
    bought: d.esuYears?.length ? d.esuYears.join(', ') : none[lang],
    missingYears: missing.length ? missing.join(', ') : none[lang],
    keyState: keyState[lang],
    prerequisites: d.installedUpdates
      ? listedPrerequisites(d.installedUpdates, q.asOf)
          .listed.map((p) => p.kb)
          .join(', ') || none[lang]
      : none[lang],
  };
};

const words = {
  title: { ja: 'kenri Windows 7 ESU 判定', en: 'kenri Windows 7 ESU verdict' },
  asOf: { ja: '判定日', en: 'as of' },
  licensed: { ja: 'Windows 7 の使用 (ライセンス)', en: 'May it run Windows 7 (licensed)' },
  updates: { ja: 'セキュリティ更新', en: 'Security updates' },
  remedies: { ja: '対処', en: 'what to do' },
  missing: { ja: '不足している情報', en: 'missing facts' },
  cites: { ja: '引用条項', en: 'clauses cited' },
  verdict: {
    allowed: { ja: '可', en: 'ALLOWED' },
    denied: { ja: '不可', en: 'DENIED' },
    conditional: { ja: '条件付き — 情報不足', en: 'CONDITIONAL — a fact is missing' },
  },
} as const;

/** Both answers as a person reads them, in one language, each reason with its clauses. */
export const renderEsuVerdict = (q: EsuQuestion, v: EsuVerdict, lang: Lang): string => {
  const out = [`${words.title[lang]} — ${q.device.id}, ${words.asOf[lang]} ${q.asOf}`];
  for (const name of ['licensed', 'updates'] as const) {
    const part = v[name];
    const vars = esuPlaceholders(q, v, part, lang);
    out.push('', `${words[name][lang]}: ${words.verdict[part.verdict][lang]}`);
    for (const r of part.reasons) out.push(`  - ${fill(r.text[lang], vars)}  [${r.rule.clauses.join(', ')}]`);
    if (part.verdict === 'conditional') {
      out.push(`  ${words.missing[lang]}:`);
      for (const x of part.missing) out.push(`    - ${x.path}: ${x.text[lang]}`);
    }
    if (part.verdict !== 'allowed' && part.remedies.length > 0) {
      out.push(`  ${words.remedies[lang]}:`);
      for (const x of part.remedies) out.push(`    - ${x.text[lang]}  [${x.clauses.join(', ')}]`);
    }
  }
  out.push('', `${words.cites[lang]}: ${v.cites.join(', ')}`);
  return out.join('\n');
};
