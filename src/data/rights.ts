import { z } from 'zod';
import { PROGRAMMES } from '../model/facts.ts';
import { loadData } from './load.ts';

const Target = z.strictObject({ edition: z.string(), version: z.string() });
const RightsFile = z.strictObject({
  checked: z.string(),
  programmes: z.record(
    z.enum(PROGRAMMES),
    z.strictObject({
      name: z.string(),
      reimaging: z.boolean(),
      countLimited: z.boolean().optional(),
      source: z.string(),
    }),
  ),
  oemDowngrade: z.array(
    z.strictObject({
      from: z.strictObject({ product: z.string(), edition: z.string(), version: z.string() }),
      to: z.array(Target),
      source: z.string(),
    }),
  ),
  volumeDowngrade: z.strictObject({ anyEarlierVersionOfSameEdition: z.boolean(), source: z.string() }),
  qualifyingOs: z.strictObject({
    product: z.string(),
    editions: z.array(z.string()),
    versions: z.array(z.string()),
    channels: z.array(z.string()),
    source: z.string(),
  }),
});

export const rights = loadData('rights.yaml', RightsFile);

const oemDowngradeIndex = new Map(
  rights.oemDowngrade.map((r) => [`${r.from.product}|${r.from.edition}|${r.from.version}`, r.to] as const),
);

/** Earlier editions/versions an OEM licence's own terms allow in its place (RR-21, RR-28). */
export const oemDowngradeTargets = (product: string, edition: string, version: string) =>
  oemDowngradeIndex.get(`${product}|${edition}|${version}`) ?? [];

export const programmeGivesReimaging = (p: string): boolean =>
  rights.programmes[p as keyof typeof rights.programmes]?.reimaging === true;

export const programmeCountLimited = (p: string): boolean =>
  rights.programmes[p as keyof typeof rights.programmes]?.countLimited === true;

export const isQualifyingOs = (l: { product: string; edition: string; version: string; channel: string }) =>
  l.product === rights.qualifyingOs.product &&
  rights.qualifyingOs.editions.includes(l.edition) &&
  rights.qualifyingOs.versions.includes(l.version) &&
  rights.qualifyingOs.channels.includes(l.channel);
