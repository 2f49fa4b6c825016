import type { z } from 'zod';
import type { DeviceInput, LicenceInput, UserInput } from '../model/facts.ts';
import type { DeviceWithLicences } from './fleet.ts';
import type { LicenceRow } from './tables.ts';

/** The store keeps SQL nulls; the input model takes absent fields, and its strict objects refuse null. */
const present = <T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], null> } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };

/** A stored licence as the question model's LicenceInput, its id the stored key. */
export const licenceInput = (l: LicenceRow): z.input<typeof LicenceInput> =>
  present({
    id: l.key,
    channel: l.channel,
    programme: l.programme as z.input<typeof LicenceInput>['programme'] | null,
    kind: l.kind,
    assignment: l.assignment,
    softwareAssurance: l.softwareAssurance,
    agreementNumber: l.agreementNumber,
    sku: l.sku,
    quantity: l.quantity,
    product: l.product,
    edition: l.edition,
    version: l.version,
    components: l.components,
    language: l.language,
    muiPacks: l.muiPacks,
    oemVendor: l.oemVendor,
    expires: l.expires,
  });

/** The device and users parts of a question (QuestionInput) for one stored device. */
export const questionParts = (
  d: DeviceWithLicences,
): { device: z.input<typeof DeviceInput>; users: z.input<typeof UserInput>[] } => ({
  device: present({
    id: d.device.key,
    vendor: d.device.vendor,
    licences: d.licences.map(licenceInput),
    firstImagedWith: d.device.firstImagedWith,
    primaryUser: d.device.primaryUser,
    users: d.users.length ? d.users.map((u) => u.user.key) : null,
    esuYears: d.device.esuYears as (1 | 2 | 3)[] | null,
  }),
  users: d.users.map((u) =>
    present({ id: u.user.key, name: u.user.name, licences: u.licences.map(licenceInput) }),
  ),
});
