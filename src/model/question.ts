import type { CHANNELS, IMAGED_BY, MEDIA, PROGRAMMES } from './facts.ts';

/** Facts after the catalogue has resolved every name to its canonical id; what the rules read. */
export interface Identity {
  readonly product: string;
  readonly edition: string;
  readonly version: string;
  /** Release position of `version` (catalogue order), so downgrades compare numbers. */
  readonly rank: number;
  /** Sorted component ids joined by ','; '' for products that are not suites. */
  readonly components: string;
  readonly language: string | undefined;
  /** Sorted MUI pack tags joined by ','; '' when none (RR-10). */
  readonly muiPacks: string;
}

export interface Licence extends Identity {
  readonly id: string;
  /** Where the licence sits in the input, for messages ("device.licences[1]"). */
  readonly path: string;
  readonly channel: (typeof CHANNELS)[number];
  readonly programme: (typeof PROGRAMMES)[number] | undefined;
  readonly kind: 'full' | 'upgrade';
  readonly assignment: 'device' | 'user';
  readonly softwareAssurance: boolean;
  readonly agreementNumber: string | undefined;
  readonly sku: string | undefined;
  readonly quantity: number | undefined;
  readonly oemVendor: string | undefined;
  readonly expires: string | undefined;
  /** Earlier editions/versions the licence's own OEM terms allow (RR-21, RR-28); empty for other channels. */
  readonly oemDowngrades: readonly { readonly edition: string; readonly version: string }[];
  /** Derived once from the dated data: the programme carries reimaging rights (RR-02) … */
  readonly givesMediaRights: boolean;
  /** … limits devices reimaged to licences bought (RR-12) … */
  readonly countLimited: boolean;
  /** … and the licence qualifies for a volume Windows upgrade (RR-14). */
  readonly qualifying: boolean;
}

export interface Image extends Identity {
  readonly id: string | undefined;
  readonly media: (typeof MEDIA)[number];
  readonly architecture: 'x86' | 'x64' | 'arm64' | undefined;
  readonly vendor: string | undefined;
  readonly modified: boolean | undefined;
  readonly fppLicence: string | undefined;
  /** End of support of the image's version, when the catalogue records one. */
  readonly endOfSupport: string | undefined;
  /** The vendor as compared ("Dell Inc." and "dell" are one OEM). */
  readonly vendorKey: string | undefined;
}

export interface User {
  readonly id: string;
  readonly name: string | undefined;
  readonly licences: readonly Licence[];
}

export interface Device {
  readonly id: string;
  readonly vendor: string | undefined;
  readonly vendorKey: string | undefined;
  readonly licences: readonly Licence[];
  readonly firstImagedWith: string | undefined;
  readonly primaryUser: string | undefined;
  /** Everyone who uses the device: `users` as given, else the primary user alone. */
  readonly users: readonly User[];
  readonly esuYears: readonly (1 | 2 | 3)[];
}

export interface Question {
  readonly asOf: string;
  readonly image: Image;
  readonly device: Device;
  /** Volume licences the organisation holds that are not assigned to this device (media rights, RR-05). */
  readonly organisationLicences: readonly Licence[];
  readonly imagedBy: (typeof IMAGED_BY)[number];
  /** Devices already imaged under each Open agreement number (RR-12 count limit). */
  readonly openUsage: Readonly<Record<string, number>>;
}
