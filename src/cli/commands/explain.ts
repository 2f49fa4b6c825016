import type { Command } from 'commander';
import { CLAUSE_IDS } from '../../sources/clause-ids.ts';
import { formatClause } from '../../sources/explain.ts';
import { findClause } from '../../sources/registry.ts';
import { defaultLang, parseLang, UsageError } from '../lang.ts';

export const registerExplain = (program: Command): void => {
  program
    .command('explain')
    .description('print a clause: where it is in the source, a short quote, and its summary')
    .argument('<clause-id>', 'e.g. RR-Q4 or ESU-13')
    .option('--lang <lang>', 'ja or en (default: from the locale)')
    .action((id: string, opts: { lang?: string }) => {
      const lang = opts.lang === undefined ? defaultLang() : parseLang(opts.lang);
      const c = findClause(id);
      if (!c) throw new UsageError(`unknown clause '${id}' (known: ${CLAUSE_IDS.join(', ')})`);
      process.stdout.write(`${formatClause(c, lang)}\n`);
    });
};
