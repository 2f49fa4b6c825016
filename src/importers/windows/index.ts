export { looksLikeCimJson, parseCimJson, parseCimLicensing, parseCimList } from './cim.ts';
export {
  detectWindowsOutput,
  parseWindowsOutput,
  type WindowsOutputKind,
  type WindowsOutputResult,
} from './detect.ts';
export {
  detectHotfixFormat,
  HOTFIX_LISTING_CAVEAT,
  type HotfixFormat,
  type HotfixParseResult,
  type InstalledUpdate,
  normaliseKb,
  parseHotfixes,
  parseInstalledOn,
} from './hotfix.ts';
export {
  type EsuAddOn,
  type EsuProduct,
  type LicenceChannel,
  type LicenceParseResult,
  type LicenceStatus,
  ParseError,
  type Warning,
  type WarningCode,
  type WindowsLicenceRecord,
  type WindowsOsVersion,
} from './licence-record.ts';
export { parseSlmgr } from './slmgr.ts';
export { decodeWindowsText, maskProductKeys } from './windows-text.ts';
