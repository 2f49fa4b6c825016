import type { Command } from 'commander';
import {
  describeColumns,
  IMPORT_KINDS,
  type ImportKind,
  importFile,
  terminalProgress,
} from '../../importers/tabular/index.ts';
import { defaultLang, parseLang, UsageError } from '../lang.ts';
import { actor, orgOf, type StoreFlags, usingStore, withStoreOptions } from '../store-context.ts';
import { runWindowsImport } from './import-windows.ts';

/** Windows outputs go to their own importer; this command only routes them there. */
export const WINDOWS_KINDS = ['slmgr', 'cim', 'hotfix', 'windows'] as const;

type ImportFlags = StoreFlags & { lang?: string; device?: string; json?: boolean };

const isTabular = (kind: string): kind is ImportKind => (IMPORT_KINDS as readonly string[]).includes(kind);

export const registerImport = (program: Command): void => {
  withStoreOptions(
    program
      .command('import')
      .description(
        `import a file into the store, all or nothing: ${[...IMPORT_KINDS, ...WINDOWS_KINDS].join(', ')} (re-importing the same file changes nothing)`,
      )
      .argument('<kind>', [...IMPORT_KINDS, ...WINDOWS_KINDS].join(' | '))
      .argument(
        '<file>',
        'CSV (UTF-8 with or without BOM, or Shift_JIS) or JSON; for Windows outputs, the saved text',
      )
      .option(
        '--device <key>',
        'the device a Windows output was taken on (an update listing naming its computers may leave it out)',
      )
      .option('--lang <lang>', 'ja or en (default: from the locale)')
      .option('--json', 'print the result as JSON'),
  ).action(async (kind: string, file: string, flags: ImportFlags) => {
    const lang = flags.lang ? parseLang(flags.lang) : defaultLang();
    const org = orgOf(flags);
    if ((WINDOWS_KINDS as readonly string[]).includes(kind)) {
      await runWindowsImport({ ...flags, org, kind, file, lang });
      return;
    }
    if (!isTabular(kind))
      throw new UsageError(
        `unknown kind '${kind}' (accepted: ${[...IMPORT_KINDS, ...WINDOWS_KINDS].join(', ')})`,
      );
    await usingStore(flags, async (db) => {
      const progress = terminalProgress(`import ${kind}`);
      try {
        const result = await importFile(db, {
          org,
          kind,
          file,
          actor: actor(),
          onProgress: progress.onProgress,
        });
        progress.stop();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const lines = Object.entries(result.written).map(([table, c]) =>
          lang === 'ja'
            ? `  ${table}: 追加 ${c.inserted}、更新 ${c.updated}、変更なし ${c.unchanged}`
            : `  ${table}: ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged`,
        );
        process.stdout.write(
          `${lang === 'ja' ? `${file}: ${result.rows} 行を組織 ${org} に取り込みました` : `${file}: ${result.rows} rows imported into ${org}`}\n${lines.join('\n')}\n`,
        );
      } finally {
        progress.stop();
      }
    });
  });

  program
    .command('columns')
    .description('list the columns an import accepts, with their Japanese header aliases')
    .argument('<kind>', IMPORT_KINDS.join(' | '))
    .option('--lang <lang>', 'ja or en (default: from the locale)')
    .action((kind: string, flags: { lang?: string }) => {
      const lang = flags.lang ? parseLang(flags.lang) : defaultLang();
      if (!isTabular(kind))
        throw new UsageError(`unknown kind '${kind}' (accepted: ${IMPORT_KINDS.join(', ')})`);
      process.stdout.write(`${describeColumns(kind, lang)}\n`);
    });
};
