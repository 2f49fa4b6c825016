import { describe, expect, it } from 'vitest';
import * as windows from './index.ts';

describe('windows importers index', () => {
  it('re-exports the public parsers', () => {
    for (const name of [
      'parseSlmgr',
      'parseCimLicensing',
      'parseHotfixes',
      'detectWindowsOutput',
      'parseWindowsOutput',
      'decodeWindowsText',
      'ParseError',
    ]) {
      expect(typeof (windows as Record<string, unknown>)[name]).toBe('function');
    }
    expect(Object.keys(windows.HOTFIX_LISTING_CAVEAT).sort()).toEqual(['en', 'ja']);
  });
});
