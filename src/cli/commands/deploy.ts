import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Lang } from '../../engine/text.ts';
import { deploymentKit } from '../../esu/kit.ts';
import { decryptKey, KeyVaultError, type ProductKey } from '../../esu/product-key.ts';
import { type FleetReadiness, fleetReadiness } from '../../esu/readiness.ts';
import { ScriptError } from '../../esu/scripts.ts';
import { InputError } from '../../model/input-error.ts';
import type { Db } from '../../store/db.ts';
import { getDevice } from '../../store/devices.ts';
import { sealedMakKey } from '../../store/esu-mak.ts';
import { esuFleetFacts } from '../../store/esu-status.ts';
import { installedUpdatesOf } from '../../store/windows-reports.ts';
import { UsageError } from '../lang.ts';
import { renderText, type Table } from '../output/table.ts';
import {
  orgOf,
  parseAsOf,
  requireOrganisation,
  type StoreFlags,
  usingStore,
  withStoreOptions,
} from '../store-context.ts';
import {
  cited,
  L,
  type LangFlags,
  langOf,
  print,
  printJson,
  secretFromEnv,
  withLang,
  yearFlag,
} from './esu.ts';

type Flags = StoreFlags & LangFlags & { device?: string; asOf?: string };

/**
 * The devices to deploy to, with the update listing imported for each: the one named (whatever it runs, the
 * user asked for it), else every device the store shows running Windows 7.
 */
const targets = async (
  db: Db,
  org: string,
  asOf: string,
  deviceKey: string | undefined,
): Promise<{ deviceId: string; updates?: { kb: string }[] }[]> => {
  await requireOrganisation(db, org);
  if (deviceKey === undefined)
    return (await esuFleetFacts(db, org, asOf)).devices.map((d) => ({
      deviceId: d.deviceKey,
      ...(d.updates ? { updates: [...d.updates] } : {}),
    }));
  if (!(await getDevice(db, org, deviceKey)))
    throw new InputError([{ path: 'device', message: `no device '${deviceKey}' in organisation '${org}'` }]);
  const listed = (await installedUpdatesOf(db, org, [deviceKey])).filter(
    (u) => u.installedOn === null || u.installedOn <= asOf,
  );
  return [{ deviceId: deviceKey, ...(listed.length ? { updates: listed.map((u) => ({ kb: u.kb })) } : {}) }];
};

const status = (s: 'listed' | 'not-listed', given: boolean, lang: Lang): string =>
  !given
    ? L(lang, '一覧なし', 'no listing')
    : s === 'listed'
      ? L(lang, '一覧にあり', 'listed')
      : L(lang, '一覧になし', 'not listed');

/** The readiness table and what "not listed" means (it is not proof, ESU-12). */
const readinessLines = (r: FleetReadiness, lang: Lang): string[] => {
  const kbs = r.notListedOn.map((n) => n.kb);
  const table: Table = {
    title: L(lang, `ESU の必須更新 (${r.asOf} 時点)`, `ESU prerequisite updates as of ${r.asOf}`),
    columns: [
      { key: 'device', label: L(lang, 'デバイス', 'device') },
      ...kbs.map((kb) => ({ key: kb, label: kb })),
    ],
    rows: r.devices.map((d) => ({
      device: d.deviceId,
      ...Object.fromEntries(
        d.readiness.items.map((i) => [i.kb, status(i.status, d.readiness.listingGiven, lang)]),
      ),
    })),
  };
  return [
    renderText(table),
    '',
    L(
      lang,
      `すべて一覧にある端末: ${r.ready.length ? r.ready.join(', ') : 'なし'}`,
      `Devices listing every prerequisite: ${r.ready.length ? r.ready.join(', ') : 'none'}`,
    ),
    ...r.notListedOn
      .filter((n) => n.devices.length)
      .map((n) =>
        L(
          lang,
          `  ${n.kb} が一覧にない: ${n.devices.join(', ')}`,
          `  ${n.kb} not listed on: ${n.devices.join(', ')}`,
        ),
      ),
    '',
    `${L(lang, '「一覧にない」は未適用の証明ではない', '"Not listed" is not proof it is missing')}: ${r.caveat[lang]}${cited(r.cites)}`,
  ];
};

/** The year's key, decrypted with the secret; `required` when the user asked for it in the script. */
const storedKey = async (
  db: Db,
  org: string,
  year: number,
  required: boolean,
): Promise<ProductKey | undefined> => {
  const sealed = await sealedMakKey(db, org, year);
  if (sealed === undefined) {
    if (!required) return undefined;
    throw new InputError([
      { path: 'year', message: `no ESU MAK key is entered for year ${year}: kenri mak add first (ESU-20)` },
    ]);
  }
  try {
    return decryptKey(sealed, secretFromEnv());
  } catch (e) {
    // Without --include-key the key only names its last five characters in the script: not worth failing for.
    if (!required) return undefined;
    if (e instanceof KeyVaultError) throw new UsageError(e.message);
    throw e;
  }
};

export const registerDeploy = (program: Command): void => {
  const cmd = program
    .command('deploy')
    .description('deploy Windows 7 ESU: prerequisite readiness and the activation scripts (ESU-12, ESU-13)');

  withLang(
    withStoreOptions(
      cmd
        .command('readiness')
        .description('which ESU prerequisite updates the imported Get-HotFix/wmic listings show (ESU-12)')
        .option('--device <key>', 'one device')
        .option('--as-of <date>', 'YYYY-MM-DD (default today)'),
    ),
  ).action((flags: Flags) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      const asOf = parseAsOf(flags.asOf);
      const r = fleetReadiness(await targets(db, orgOf(flags), asOf, flags.device), asOf);
      if (flags.json) printJson(r);
      else if (r.devices.length === 0)
        print([L(lang, 'Windows 7 で動いているデバイスがない', 'No device runs Windows 7')]);
      else print(readinessLines(r, lang));
    }),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('script')
        .description(
          'write the .cmd and .ps1 scripts that install and activate the ESU key (ESU-13); the key only with --include-key',
        )
        .requiredOption('--year <n>', 'ESU year 1, 2 or 3')
        .option('--device <key>', 'a script pair for this device (named in it) instead of one for the fleet')
        .option('--format <format>', 'cmd, ps1 or both', 'both')
        .option('--out <dir>', 'folder to write to', '.')
        .option('--include-key', 'write the full key into the scripts (the files are then secret, mode 600)')
        .option('--as-of <date>', 'date for the readiness shown (default today)'),
    ),
  ).action((flags: Flags & { year?: string; format?: string; out?: string; includeKey?: boolean }) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      const org = orgOf(flags);
      const year = yearFlag(flags.year);
      const asOf = parseAsOf(flags.asOf);
      const format = flags.format ?? 'both';
      if (!['cmd', 'ps1', 'both'].includes(format))
        throw new UsageError(`--format: expected cmd, ps1 or both, got '${format}'`);
      const devices = await targets(db, org, asOf, flags.device);
      const includeKey = flags.includeKey === true;
      const key = await storedKey(db, org, year, includeKey);
      let kit: ReturnType<typeof deploymentKit>;
      try {
        kit = deploymentKit({ year, asOf, devices, key, includeKey, perDevice: flags.device !== undefined });
      } catch (e) {
        if (e instanceof ScriptError) throw new InputError([{ path: 'device', message: e.message }]);
        throw e;
      }
      const files = kit.files.filter((f) => format === 'both' || f.kind === format);
      const out = flags.out ?? '.';
      mkdirSync(out, { recursive: true });
      const written = files.map((f) => {
        const path = join(out, f.name);
        writeFileSync(path, f.bytes, { mode: f.holdsKey ? 0o600 : 0o644 });
        // A file that existed keeps its mode through writeFileSync: a key must not stay world-readable.
        if (f.holdsKey) chmodSync(path, 0o600);
        return { path, kind: f.kind, holdsKey: f.holdsKey };
      });
      if (flags.json)
        return printJson({ files: written, plan: kit.plan, readiness: kit.readiness, cites: kit.cites });
      print([
        ...written.map((w) => L(lang, `書き出した: ${w.path}`, `wrote ${w.path}`)),
        ...(includeKey
          ? [
              L(
                lang,
                '警告: これらのファイルには ESU MAK キー全体が書かれている (権限 600)。配布後は削除すること',
                'WARNING: these files hold the full ESU MAK key (mode 600). Delete them once deployed',
              ),
            ]
          : [
              L(
                lang,
                'スクリプトにはキーを書いていない: 実行時に引数で渡すか、<ESU-MAK-KEY> を置き換える',
                'The scripts do not hold the key: pass it as an argument when running them, or replace <ESU-MAK-KEY>',
              ),
            ]),
        '',
        L(
          lang,
          `手順 (第 ${year} 年度、ライセンス認証 ID ${kit.plan.activationId}):`,
          `Steps (year ${year}, activation ID ${kit.plan.activationId}):`,
        ),
        ...kit.plan.steps.map((s) => `  ${s.n}. slmgr ${s.slmgr} — ${s.text[lang]}${cited(s.cites)}`),
        '',
        ...(devices.length
          ? readinessLines(kit.readiness, lang)
          : [L(lang, 'Windows 7 で動いているデバイスがない', 'No device runs Windows 7')]),
      ]);
    }),
  );
};
