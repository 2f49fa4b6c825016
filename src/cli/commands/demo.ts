import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { importFile } from '../../importers/tabular/import-file.ts';
import { ensureOrganisation } from '../../store/organisations.ts';
import { defaultLang, parseLang } from '../lang.ts';
import { actor, type StoreFlags, usingStore } from '../store-context.ts';
import { runPlanCommand } from './plan.ts';

const EXAMPLE = fileURLToPath(new URL('../../../examples/fleet/', import.meta.url));
const ORG = 'example';

/**
 * The main job on a fresh machine in one command: load the shipped example fleet into the embedded store
 * (organisation "example") and plan its base image. The same as running kenri init, four kenri import and
 * kenri plan by hand; re-running it changes nothing in the store but adds a new saved plan.
 */
export const registerDemo = (program: Command): void => {
  program
    .command('demo')
    .description(
      'load the example fleet (examples/fleet) into the store as organisation "example" and plan its image',
    )
    .option('--data <dir>', 'embedded store folder (default ~/.kenri, or KENRI_DATA)')
    .option('--db <url>', 'PostgreSQL server URL instead of the embedded store')
    .option('--as-of <date>', 'date the plan is decided for (YYYY-MM-DD, default today)')
    .option('--lang <lang>', 'ja or en (default: from the locale)')
    .option('--devices', 'list every device with its verdict')
    .action(async (flags: StoreFlags & { asOf?: string; lang?: string; devices?: boolean }) => {
      const lang = flags.lang ? parseLang(flags.lang) : defaultLang();
      const store = { data: flags.data, db: flags.db, org: ORG };
      await usingStore(store, async (db) => {
        await ensureOrganisation(db, ORG, { name: '株式会社サンプル商事 (example)', actor: actor() });
        for (const kind of ['agreements', 'users', 'devices', 'licences'] as const) {
          const file = `${EXAMPLE}${kind}.csv`;
          const r = await importFile(db, { org: ORG, kind, file, actor: actor() });
          const changed = Object.values(r.written).reduce((n, c) => n + c.inserted + c.updated, 0);
          process.stdout.write(
            lang === 'ja'
              ? `取り込み ${kind}: ${r.rows} 行 (変更 ${changed})\n`
              : `imported ${kind}: ${r.rows} rows (${changed} changed)\n`,
          );
        }
      });
      process.stdout.write('\n');
      await runPlanCommand({
        ...store,
        image: `${EXAMPLE}image.yaml`,
        asOf: flags.asOf,
        lang,
        devices: flags.devices,
        imagedBy: 'customer',
      });
    });
};
