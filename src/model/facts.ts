import { z } from 'zod';

/** A calendar date as written in Japan's and ISO's order (YYYY-MM-DD); strings compare in date order. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date written YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'not a calendar date');
export type IsoDate = string;

export const CHANNELS = ['oem', 'fpp', 'volume'] as const;
export const PROGRAMMES = [
  'ea',
  'mpsa',
  'open-license',
  'open-value',
  'open-value-subscription',
  'casa',
  'csp',
] as const;
export const MEDIA = ['volume', 'oem-recovery', 'oem-custom', 'fpp'] as const;
export const IMAGED_BY = ['customer', 'oem', 'third-party'] as const;

export const Channel = z.enum(CHANNELS);
export const Programme = z.enum(PROGRAMMES);
export const Media = z.enum(MEDIA);

/** BCP 47 tags as Windows and Office name their languages (ja-JP, en-US, zh-Hant-TW). */
export const Language = z
  .string()
  .regex(
    /^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?$/,
    'expected a language tag such as ja-JP or en-US',
  );

/** What a licence or an image is of; the catalogue checks product, edition and version (catalogue.ts). */
const identity = {
  product: z.string().min(1),
  edition: z.string().min(1),
  version: z.string().min(1),
  components: z.array(z.string().min(1)).optional(),
  language: Language.optional(),
  muiPacks: z.array(Language).optional(),
};

export const LicenceInput = z.strictObject({
  id: z.string().min(1).optional(),
  channel: Channel,
  programme: Programme.optional(),
  kind: z.enum(['full', 'upgrade']).optional(),
  assignment: z.enum(['device', 'user']).default('device'),
  softwareAssurance: z.boolean().default(false),
  agreementNumber: z.string().min(1).optional(),
  sku: z.string().min(1).optional(),
  quantity: z.number().int().positive().optional(),
  ...identity,
  oemVendor: z.string().min(1).optional(),
  expires: IsoDate.optional(),
});

export const ImageInput = z.strictObject({
  id: z.string().min(1).optional(),
  media: Media,
  ...identity,
  architecture: z.enum(['x86', 'x64', 'arm64']).optional(),
  vendor: z.string().min(1).optional(),
  modified: z.boolean().optional(),
  fppLicence: z.string().min(1).optional(),
});

export const DeviceInput = z.strictObject({
  id: z.string().min(1),
  vendor: z.string().min(1).optional(),
  licences: z.array(LicenceInput).default([]),
  firstImagedWith: z.string().min(1).optional(),
  primaryUser: z.string().min(1).optional(),
  users: z.array(z.string().min(1)).optional(),
  esuYears: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).optional(),
});

export const UserInput = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  licences: z.array(LicenceInput).default([]),
});

export const QuestionInput = z.strictObject({
  asOf: IsoDate,
  image: ImageInput,
  device: DeviceInput,
  users: z.array(UserInput).default([]),
  organisation: z
    .strictObject({
      name: z.string().optional(),
      licences: z.array(LicenceInput).default([]),
    })
    .optional(),
  imagedBy: z.enum(IMAGED_BY).default('customer'),
  openUsage: z.record(z.string(), z.number().int().nonnegative()).optional(),
});

export type QuestionInput = z.input<typeof QuestionInput>;
