import { z } from 'zod';
import { resolveEdition, resolveVersion } from '../../catalogue/catalogue.ts';
import { EsuYear, esu } from '../../data/esu.ts';
import { normaliseKb } from '../../importers/windows/hotfix.ts';
import { IsoDate, LicenceInput } from '../../model/facts.ts';
import { InputError, type InputIssue } from '../../model/input-error.ts';
import { parseWith, resolveLicences } from '../../model/normalise.ts';
import type { Licence } from '../../model/question.ts';

/**
 * The state of the ESU MAK key of the year that holds `asOf`, on this device (ESU-15): as slmgr /dlv shows
 * it ("License Status: Licensed" = activated). 'unknown' when nobody has looked.
 */
export const EsuKeyInput = z.union([
  z.strictObject({ installed: z.boolean(), activated: z.boolean() }),
  z.literal('unknown'),
]);

const EsuYears = z.array(EsuYear);

export const EsuQuestionInput = z.strictObject({
  asOf: IsoDate,
  device: z.strictObject({
    id: z.string().min(1),
    /** What the device runs: Windows 7 in some edition (product is implied). */
    running: z.strictObject({ edition: z.string().min(1), version: z.string().min(1) }),
    licences: z.array(LicenceInput).default([]),
    /** ESU years bought for this device; left out = not known (see organisation.esuYears). */
    esuYears: EsuYears.optional(),
    esuKey: EsuKeyInput.default('unknown'),
    /** KB numbers an update listing (Get-HotFix, wmic qfe) shows; left out = no listing. */
    installedUpdates: z.array(z.string().min(1)).optional(),
  }),
  /** Org-level coverage: the years bought for every Windows 7 device, used when the device gives none. */
  organisation: z.strictObject({ name: z.string().optional(), esuYears: EsuYears.optional() }).optional(),
});
export type EsuQuestionInput = z.input<typeof EsuQuestionInput>;

export type EsuKeyState = { readonly installed: boolean; readonly activated: boolean } | 'unknown';

/** An ESU question after the catalogue resolved its names: what the ESU rules read. */
export interface EsuQuestion {
  readonly asOf: string;
  readonly device: {
    readonly id: string;
    /** Catalogue edition id of the Windows 7 the device runs ('pro', 'enterprise', …). */
    readonly edition: string;
    readonly licences: readonly Licence[];
    /** Sorted, without repeats; undefined when neither the device nor the organisation says. */
    readonly esuYears: readonly EsuYear[] | undefined;
    readonly esuYearsFrom: 'device' | 'organisation' | undefined;
    readonly esuKey: EsuKeyState;
    /** Upper-case KB numbers, or undefined when no listing was given. */
    readonly installedUpdates: readonly string[] | undefined;
  };
}

const sortedYears = (ys: readonly EsuYear[]): EsuYear[] => [...new Set(ys)].sort();

/** Turns raw input (JSON or YAML) into an ESU question, or throws one InputError listing every problem. */
export const toEsuQuestion = (input: unknown, source?: string): EsuQuestion => {
  const raw = parseWith(EsuQuestionInput, input, source);
  const issues: InputIssue[] = [];
  const product = esu.product.product;
  const version = resolveVersion(product, raw.device.running.version);
  if (version !== esu.product.version)
    issues.push({
      path: 'device.running.version',
      message: `ESU answers are about Windows ${esu.product.version}; got '${raw.device.running.version}'`,
      expected: [esu.product.version],
    });
  const edition = resolveEdition(product, raw.device.running.edition, esu.product.version);
  if (typeof edition !== 'string')
    issues.push({
      path: 'device.running.edition',
      message: `unknown edition '${raw.device.running.edition}' of Windows ${esu.product.version}`,
      expected: edition.known,
    });
  const licences = resolveLicences(raw.device.licences, 'device.licences', issues);
  const installedUpdates = raw.device.installedUpdates?.flatMap((text, i) => {
    const kb = normaliseKb(text);
    if (kb === undefined)
      issues.push({
        path: `device.installedUpdates[${i}]`,
        message: `'${text}' is not a KB number (KB1234567)`,
      });
    return kb ?? [];
  });
  if (issues.length > 0 || typeof edition !== 'string') throw new InputError(issues, source);
  const own = raw.device.esuYears;
  const org = raw.organisation?.esuYears;
  return {
    asOf: raw.asOf,
    device: {
      id: raw.device.id,
      edition,
      licences,
      esuYears: own ? sortedYears(own) : org ? sortedYears(org) : undefined,
      esuYearsFrom: own ? 'device' : org ? 'organisation' : undefined,
      esuKey: raw.device.esuKey,
      installedUpdates: installedUpdates ? [...new Set(installedUpdates)] : undefined,
    },
  };
};
