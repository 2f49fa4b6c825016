import { existsSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { displayName } from '../../catalogue/catalogue.ts';
import type { Lang } from '../../engine/text.ts';
import { IMAGED_BY, ImageInput } from '../../model/facts.ts';
import { parseWith } from '../../model/normalise.ts';
import { imageFromRaw, imageRaw } from '../../planner/from-rows.ts';
import { runPlan } from '../../planner/run-plan.ts';
import type { Db } from '../../store/db.ts';
import { countDevices } from '../../store/devices.ts';
import { getImage, listImages, upsertImages } from '../../store/images.ts';
import { loadPlan, planVerdicts } from '../../store/plans.ts';
import { defaultLang, parseLang, UsageError } from '../lang.ts';
import { emit, formatOf } from '../output/emit.ts';
import type { Table } from '../output/table.ts';
import { devicesTail, poolsTable, purchasesTable, reasonsTable, totalsTable } from '../plan-tables.ts';
import { readStructured } from '../read-input.ts';
import {
  actor,
  orgOf,
  parseAsOf,
  requireOrganisation,
  type StoreFlags,
  usingStore,
  withStoreOptions,
} from '../store-context.ts';

export interface PlanFlags extends StoreFlags {
  image: string;
  asOf?: string;
  lang?: string;
  json?: boolean;
  format?: string;
  out?: string;
  devices?: boolean;
  imagedBy: string;
}

/** The image to plan: a file (stored under its id, so the plan can name it) or the key of a stored image. */
const resolvePlanImage = async (db: Db, org: string, ref: string) => {
  if (existsSync(ref)) {
    const raw = parseWith(ImageInput, readStructured(ref), ref);
    if (!raw.id)
      throw new UsageError(`${ref}: an image file for a plan needs an id (the key it is stored under)`);
    const image = imageFromRaw(raw, ref);
    await upsertImages(
      db,
      org,
      [
        {
          key: raw.id,
          media: raw.media,
          product: image.product,
          edition: image.edition,
          version: image.version,
          components: raw.components ?? null,
          language: image.language ?? null,
          muiPacks: raw.muiPacks ?? null,
          architecture: raw.architecture ?? null,
          vendor: raw.vendor ?? null,
          modified: raw.modified ?? null,
          fppLicence: raw.fppLicence ?? null,
        },
      ],
      { actor: actor() },
    );
    return { image, input: raw, key: raw.id };
  }
  const row = await getImage(db, org, ref);
  if (!row) {
    const known = (await listImages(db, org)).map((i) => i.key);
    throw new UsageError(
      `--image: '${ref}' is neither a file nor a stored image (stored: ${known.join(', ') || 'none'})`,
    );
  }
  const raw = imageRaw(row);
  return { image: imageFromRaw(raw, `image ${ref}`), input: raw, key: row.key };
};

// Kept for callers that import it from here.
export { emit } from '../output/emit.ts';

/** Plans an image for every device of the organisation and prints or writes the result. */
export const runPlanCommand = async (flags: PlanFlags): Promise<void> => {
  const lang: Lang = flags.lang ? parseLang(flags.lang) : defaultLang();
  const asOf = parseAsOf(flags.asOf);
  const format = formatOf(flags);
  if (!(IMAGED_BY as readonly string[]).includes(flags.imagedBy))
    throw new UsageError(`--imaged-by: expected one of ${IMAGED_BY.join(', ')}`);
  const org = orgOf(flags);
  await usingStore(flags, async (db) => {
    await requireOrganisation(db, org);
    const img = await resolvePlanImage(db, org, flags.image);
    const total = await countDevices(db, org);
    const bar =
      process.stderr.isTTY && total > 2000
        ? new cliProgress.SingleBar(
            { format: 'plan [{bar}] {value}/{total} devices' },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
    bar?.start(total, 0);
    const result = await runPlan(db, {
      org,
      asOf,
      image: img.image,
      imageInput: img.input,
      imageKey: img.key,
      imagedBy: flags.imagedBy as (typeof IMAGED_BY)[number],
      actor: actor(),
      onProgress: (n) => bar?.update(n),
    });
    bar?.stop();
    const s = result.summary;
    const wantDevices = flags.devices || format === 'csv' || format === 'xlsx';
    const header: Table = {
      title: lang === 'ja' ? 'kenri 展開計画' : 'kenri deployment plan',
      columns: [
        { key: 'k', label: lang === 'ja' ? '項目' : 'item' },
        { key: 'v', label: lang === 'ja' ? '値' : 'value' },
      ],
      rows: [
        { k: lang === 'ja' ? '組織' : 'organisation', v: org },
        {
          k: lang === 'ja' ? 'イメージ' : 'image',
          v: `${img.key}: ${displayName(img.image.product, img.image.edition, img.image.version)} (${img.image.language}, ${img.image.media})`,
        },
        { k: lang === 'ja' ? '判定日' : 'as of', v: asOf },
        { k: lang === 'ja' ? '計画 ID' : 'plan id', v: result.planId },
        { k: lang === 'ja' ? 'ルールのバージョン' : 'rules version', v: result.rulesVersion },
      ],
    };
    const tables = [header, totalsTable(s, lang), reasonsTable(s, lang), purchasesTable(s, lang)];
    if (s.pools.length > 0) tables.push(poolsTable(s, lang));
    await emit(
      tables,
      format,
      flags.out,
      {
        planId: result.planId,
        org,
        asOf,
        image: img.input,
        rulesVersion: result.rulesVersion,
        summary: s,
      },
      wantDevices ? devicesTail(planVerdicts(db, org, result.planId), lang) : undefined,
    );
  });
};

export const registerPlan = (program: Command): void => {
  const plan = withStoreOptions(
    program
      .command('plan')
      .description('decide a base image for every device of an organisation, and what to buy for the denials')
      .requiredOption('--image <image>', 'image file (.yaml/.json with an id) or the key of a stored image')
      .option('--as-of <date>', 'date the plan is decided for (YYYY-MM-DD, default today)')
      .option('--imaged-by <who>', `who images the devices: ${IMAGED_BY.join(', ')}`, 'customer')
      .option('--lang <lang>', 'ja or en (default: from the locale)')
      .option('--json', 'print the plan as JSON')
      .option('--format <format>', `table, json, csv or xlsx (default table)`)
      .option('--out <file>', 'write the output to a file (needed for xlsx)')
      .option('--devices', 'list every device with its verdict (always included in csv and xlsx)'),
  );
  plan.action((flags: PlanFlags) => runPlanCommand(flags));

  withStoreOptions(
    program
      .command('plans')
      .description('show a saved plan exactly as it was decided')
      .argument('<id>', 'plan id')
      .option('--lang <lang>', 'ja or en')
      .option('--json', 'print as JSON'),
  ).action(async (id: string, flags: StoreFlags & { lang?: string; json?: boolean }) => {
    const lang: Lang = flags.lang ? parseLang(flags.lang) : defaultLang();
    const org = orgOf(flags);
    await usingStore(flags, async (db) => {
      await requireOrganisation(db, org);
      const p = await loadPlan(db, org, Number(id));
      if (!p) throw new UsageError(`no saved plan ${id} in organisation ${org}`);
      const s = p.summary as Parameters<typeof totalsTable>[0];
      await emit(
        [totalsTable(s, lang), reasonsTable(s, lang), purchasesTable(s, lang)],
        flags.json ? 'json' : 'table',
        undefined,
        p,
        devicesTail(planVerdicts(db, org, p.id), lang),
      );
    });
  });
};
