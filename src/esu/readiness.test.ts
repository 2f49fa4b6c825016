import { describe, expect, it } from 'vitest';
import { HOTFIX_LISTING_CAVEAT, parseHotfixes } from '../importers/windows/hotfix.ts';
import { fleetReadiness, readiness } from './readiness.ts';

describe('readiness', () => {
  it('reads a parsed Get-HotFix listing and never calls a KB missing, only not listed', () => {
    const listing = [
      'Source        Description      HotFixID      InstalledBy          InstalledOn',
      '------        -----------      --------      -----------          -----------',
      'OSK-PC-0701   Update           KB4519976     NT AUTHORITY\\SYSTEM  10/8/2019 12:00:00 AM',
      'OSK-PC-0701   Update           KB4474419     NT AUTHORITY\\SYSTEM  9/10/2019 12:00:00 AM',
    ].join('\n');
    const r = readiness(parseHotfixes(listing).updates, '2020-06-01');
    expect(r.items.map((i) => [i.kb, i.status])).toEqual([
      ['KB4519976', 'listed'],
      ['KB4516655', 'not-listed'],
      ['KB4474419', 'listed'],
      ['KB4490628', 'not-listed'],
      ['KB4538483', 'not-listed'],
    ]);
    expect(r.caveat).toBe(HOTFIX_LISTING_CAVEAT);
    expect(r.summary.en).toContain('not proof');
    expect(JSON.stringify(r)).not.toMatch(/"missing"/);
    expect(r).toMatchObject({
      listingGiven: true,
      allListed: false,
      esuYear: 1,
      activationId: '77db037b-95c3-48d7-a3ab-a9c6d41093e0',
    });
  });

  it('says so when no listing was given', () => {
    const r = readiness(undefined, '2019-12-01');
    expect(r.listingGiven).toBe(false);
    expect(r.esuYear).toBeUndefined();
    expect(r.summary.en).toContain('No update listing');
  });

  it('gives the fleet view: which prerequisite to push to which devices', () => {
    const all = ['KB4519976', 'KB4516655', 'KB4474419', 'KB4490628', 'KB4538483'].map((kb) => ({ kb }));
    const f = fleetReadiness(
      [{ deviceId: 'A', updates: all }, { deviceId: 'B', updates: all.slice(1) }, { deviceId: 'C' }],
      '2020-06-01',
    );
    expect(f.ready).toEqual(['A']);
    expect(f.notListedOn.find((x) => x.kb === 'KB4519976')?.devices).toEqual(['B', 'C']);
    expect(f.notListedOn.find((x) => x.kb === 'KB4538483')?.devices).toEqual(['C']);
    expect(f.cites).toEqual(['ESU-12']);
  });
});
