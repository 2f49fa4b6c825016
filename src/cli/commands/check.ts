import type { Command } from 'commander';
import { rulesVersion } from '../../engine/rules-version.ts';
import { Trace } from '../../engine/trace.ts';
import type { VerdictKind } from '../../engine/verdict.ts';
import { toQuestion } from '../../model/normalise.ts';
import { evaluate } from '../../rules/reimaging/evaluate.ts';
import { defaultLang, parseLang } from '../lang.ts';
import { readStructured } from '../read-input.ts';
import { renderVerdict, verdictJson } from '../render-verdict.ts';

export const verdictExit: Record<VerdictKind, number> = { allowed: 0, denied: 1, conditional: 2 };

export const registerCheck = (program: Command): void => {
  program
    .command('check')
    .description(
      'decide whether a device may take a base image, citing the clauses (exit 0 allowed, 1 denied, 2 conditional)',
    )
    .argument('<question>', 'question file (.json, .yaml or .yml)')
    .option('--lang <lang>', 'ja or en (default: from the locale)')
    .option('--json', 'print the verdict as JSON')
    .option('--no-trace', 'leave out the rules tried')
    .action((file: string, opts: { lang?: string; json?: boolean; trace: boolean }) => {
      const lang = opts.lang === undefined ? defaultLang() : parseLang(opts.lang);
      const q = toQuestion(readStructured(file), file);
      const v = evaluate(q, new Trace());
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(verdictJson(q, v, rulesVersion()), null, 2)}\n`
          : `${renderVerdict(q, v, lang, opts.trace)}\n`,
      );
      process.exitCode = verdictExit[v.verdict];
    });
};
