/**
 * The common shape every Windows licensing parser (slmgr text, CIM list, CIM JSON) produces, so the engine
 * reasons about one record type whatever command the user happened to run.
 */

export type LicenceChannel =
  | 'OEM_DM'
  | 'OEM_SLP'
  | 'OEM_COA_NSLP'
  | 'OEM_COA_SLP'
  | 'OEM_NONSLP'
  | 'RETAIL'
  | 'VOLUME_MAK'
  | 'VOLUME_KMSCLIENT'
  | 'VOLUME_KMS'
  | 'UNKNOWN';

export type LicenceStatus =
  | 'licensed'
  | 'unlicensed'
  | 'oob-grace'
  | 'oot-grace'
  | 'non-genuine-grace'
  | 'notification'
  | 'extended-grace'
  | 'unknown';

export type WindowsOsVersion = '7' | '8.1' | '10' | '11' | 'server';

export type EsuProduct = 'windows-7' | 'windows-10' | 'other';

export interface EsuAddOn {
  year: 1 | 2 | 3;
  product: EsuProduct;
}

export interface WindowsLicenceRecord {
  /** e.g. "Windows(R) 7, Enterprise edition"; '' when the Name label was not recognised (localised output). */
  name: string;
  description?: string;
  /** Only when Name/Description say it: Windows 10/11 print plain "Windows(R)", which leaves this undefined. */
  osVersion?: WindowsOsVersion | undefined;
  /** Normalised edition ('pro', 'enterprise', 'home', …); undefined for ESU add-ons, whose Name lists SKUs. */
  edition?: string;
  /** The edition token as printed ("ProfessionalN", LicenseFamily "Professional"), kept for audit. */
  editionRaw?: string;
  channel: LicenceChannel;
  /** The channel as printed: a Description token ("VOLUME_KMSCLIENT") or ProductKeyChannel ("OEM:DM"). */
  channelRaw?: string;
  /** Lower-case GUID. */
  activationId?: string;
  /** Lower-case GUID; 55c92734-d682-4d71-983e-d6ec3f16059f is Windows, other values are other products. */
  applicationId?: string;
  /** The 5 characters Windows shows; never a full key. */
  partialProductKey?: string;
  /**
   * Whether a product key is installed for this licence. false when the output says so (empty
   * PartialProductKey, "This license is not in use."); undefined when the output does not tell.
   */
  installed?: boolean;
  status: LicenceStatus;
  statusRaw?: string;
  /** Set when the Name is a Client-ESU-YearN add-on licence. */
  esu?: EsuAddOn;
  notificationReason?: string;
  /** Labels the parser did not recognise (typically localised labels); their values were not used. */
  unrecognisedLabels?: string[];
}

export type WarningCode =
  | 'unrecognised-labels'
  | 'unrecognised-status'
  | 'unrecognised-channel'
  | 'channel-mismatch'
  | 'esu-year-out-of-range'
  | 'tool-message'
  | 'nul-characters'
  | 'invalid-value'
  | 'unparsed-date'
  | 'non-kb-hotfix-id'
  | 'truncated-value'
  | 'skipped-entry'
  | 'computer-mismatch';

/** Something the user should know about the input that did not stop parsing. */
export interface Warning {
  code: WarningCode;
  message: string;
  /** 1-based line in the text as given (the leading `#` source line, if any, counts as line 1). */
  line?: number;
}

/** Thrown when a text holds nothing the parser can read; `line` points at where reading gave up. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  readonly line: number;

  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

export interface LicenceParseResult {
  records: WindowsLicenceRecord[];
  warnings: Warning[];
}
