import type { z } from 'zod';
import type { DeviceInput, ImageInput, LicenceInput, UserInput } from '../model/facts.ts';
import { InputError, type InputIssue } from '../model/input-error.ts';
import { resolveDevice, resolveImage, resolveLicences, resolveUsers } from '../model/normalise.ts';
import type { Device, Image, Licence } from '../model/question.ts';
import type { DeviceWithLicences } from '../store/fleet.ts';
import type { ImageRow, LicenceRow } from '../store/tables.ts';

type LicenceRaw = z.output<typeof LicenceInput>;

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

/**
 * Stored rows were checked when they were imported, so they go straight to catalogue resolution: running
 * the zod schema again for each of a million devices would cost more than deciding them.
 */
export const licenceRaw = (l: LicenceRow): LicenceRaw => ({
  id: l.key,
  channel: l.channel,
  programme: opt(l.programme) as LicenceRaw['programme'],
  kind: l.kind,
  assignment: l.assignment,
  softwareAssurance: l.softwareAssurance,
  agreementNumber: opt(l.agreementNumber),
  sku: opt(l.sku),
  quantity: opt(l.quantity),
  product: l.product,
  edition: l.edition,
  version: l.version,
  components: opt(l.components),
  language: opt(l.language),
  muiPacks: opt(l.muiPacks),
  oemVendor: opt(l.oemVendor),
  expires: opt(l.expires),
});

export type DeviceRaws = ReturnType<typeof deviceRaws>;

/** A stored device as it would have been given: the facts a plan saves and the rules resolve. */
export const deviceRaws = (d: DeviceWithLicences) => {
  const users: z.output<typeof UserInput>[] = d.users.map((u) => ({
    id: u.user.key,
    name: opt(u.user.name),
    licences: u.licences.map(licenceRaw),
  }));
  const device: z.output<typeof DeviceInput> = {
    id: d.device.key,
    vendor: opt(d.device.vendor),
    licences: d.licences.map(licenceRaw),
    firstImagedWith: opt(d.device.firstImagedWith),
    primaryUser: opt(d.device.primaryUser),
    users: d.users.length > 0 ? d.users.map((u) => u.user.key) : undefined,
    esuYears: opt(d.device.esuYears) as (1 | 2 | 3)[] | undefined,
  };
  return { device, users };
};

/** A stored device as the rules read it; a row the catalogue no longer knows is an input error naming it. */
export const deviceFromRows = (d: DeviceWithLicences): Device => deviceFromRaws(deviceRaws(d));

/** The same from raws already made (a plan keeps them as the facts it saves). */
export const deviceFromRaws = (raw: DeviceRaws): Device => {
  const issues: InputIssue[] = [];
  const device = resolveDevice(raw.device, resolveUsers(raw.users, issues), issues);
  if (issues.length > 0) throw new InputError(issues, `device ${raw.device.id}`);
  return device;
};

export const licencesFromRows = (rows: readonly LicenceRow[], path: string): Licence[] => {
  const issues: InputIssue[] = [];
  const licences = resolveLicences(rows.map(licenceRaw), path, issues);
  if (issues.length > 0) throw new InputError(issues, path);
  return licences;
};

export const imageRaw = (i: ImageRow): z.output<typeof ImageInput> => ({
  id: i.key,
  media: i.media,
  product: i.product,
  edition: i.edition,
  version: i.version,
  components: opt(i.components),
  language: opt(i.language),
  muiPacks: opt(i.muiPacks),
  architecture: opt(i.architecture),
  vendor: opt(i.vendor),
  modified: opt(i.modified),
  fppLicence: opt(i.fppLicence),
});

export const imageFromRaw = (raw: z.output<typeof ImageInput>, source: string): Image => {
  const issues: InputIssue[] = [];
  const image = resolveImage(raw, 'image', issues);
  if (!image || issues.length > 0) throw new InputError(issues, source);
  return image;
};
