import type { Command } from 'commander';
import { rulesVersion } from '../../engine/rules-version.ts';
import { fill } from '../../engine/text.ts';
import { Trace } from '../../engine/trace.ts';
import {
  type EsuPart,
  esuPlaceholders,
  evaluateEsu,
  renderEsuVerdict,
  toEsuQuestion,
} from '../../rules/esu/index.ts';
import { defaultLang, parseLang } from '../lang.ts';
import { readStructured } from '../read-input.ts';
import { verdictExit } from './check.ts';

/**
 * `kenri esu check <file>`: one Windows 7 device on one date, from a question file, without a store — the
 * ESU counterpart of `kenri check`. Exit 1 when either answer is denied, else 2 when either hangs on a
 * missing fact, else 0.
 */
export const registerEsuCheck = (program: Command): void => {
  const esu = program.commands.find((c) => c.name() === 'esu') ?? program.command('esu');
  esu
    .command('check')
    .description('is this Windows 7 device licensed, and does it get security updates, on the date asked?')
    .argument('<question>', 'question file (.json, .yaml or .yml)')
    .option('--lang <lang>', 'ja or en (default: from the locale)')
    .option('--json', 'print the verdict as JSON')
    .action((file: string, opts: { lang?: string; json?: boolean }) => {
      const lang = opts.lang === undefined ? defaultLang() : parseLang(opts.lang);
      const q = toEsuQuestion(readStructured(file), file);
      const v = evaluateEsu(q, new Trace());
      const part = (p: EsuPart) => {
        const ja = esuPlaceholders(q, v, p, 'ja');
        const en = esuPlaceholders(q, v, p, 'en');
        return {
          verdict: p.verdict,
          cites: p.cites,
          reasons: p.reasons.map((r) => ({
            rule: r.rule.id,
            clauses: r.rule.clauses,
            text: { ja: fill(r.text.ja, ja), en: fill(r.text.en, en) },
          })),
          remedies:
            p.verdict === 'allowed'
              ? []
              : p.remedies.map((m) => ({ id: m.id, clauses: m.clauses, text: m.text })),
          missing: p.verdict === 'conditional' ? p.missing.map((m) => ({ path: m.path, text: m.text })) : [],
        };
      };
      const json = {
        asOf: v.asOf,
        device: v.device,
        esuYear: v.esuYear ?? null,
        coverage: v.coverage ?? null,
        licensed: part(v.licensed),
        updates: part(v.updates),
        cites: v.cites,
        trace: (v.trace ?? []).map((t) => ({ rule: t.rule.id, clauses: t.rule.clauses, outcome: t.outcome })),
        rulesVersion: rulesVersion(),
      };
      process.stdout.write(
        opts.json ? `${JSON.stringify(json, null, 2)}\n` : `${renderEsuVerdict(q, v, lang)}\n`,
      );
      const parts = [v.licensed.verdict, v.updates.verdict];
      process.exitCode = parts.includes('denied')
        ? verdictExit.denied
        : parts.includes('conditional')
          ? verdictExit.conditional
          : verdictExit.allowed;
    });
};
