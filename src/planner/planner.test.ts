import { describe, expect, it } from 'vitest';
import { toQuestion } from '../model/normalise.ts';
import type { Question } from '../model/question.ts';
import { FleetPlanner } from './planner.ts';

const image = {
  media: 'volume',
  product: 'windows',
  edition: 'enterprise',
  version: '10',
  language: 'ja-JP',
};
const oemPro = { channel: 'oem', product: 'windows', edition: 'pro', version: '10', language: 'ja-JP' };

/** Builds the fleet through the same resolution a question file gets. */
const fleet = (organisation: unknown[], devices: unknown[], users: unknown[] = [], img: unknown = image) =>
  devices.map((device) =>
    toQuestion({ asOf: '2024-03-01', image: img, device, users, organisation: { licences: organisation } }),
  );

const planFor = (qs: Question[]) => {
  const first = qs[0]!;
  const planner = new FleetPlanner({
    asOf: first.asOf,
    image: first.image,
    organisationLicences: first.organisationLicences,
    imagedBy: first.imagedBy,
  });
  const decisions = qs.map((q) => planner.decide(q.device));
  return { decisions, summary: planner.summary() };
};

describe('FleetPlanner', () => {
  it('spends a pool of per-device Enterprise licences and says how many more to buy', () => {
    const devices = Array.from({ length: 5 }, (_, i) => ({ id: `PC-${i}`, licences: [oemPro] }));
    const pool = {
      id: 'ea-ent',
      channel: 'volume',
      programme: 'ea',
      agreementNumber: 'EA-1',
      product: 'windows',
      edition: 'enterprise',
      version: '10',
      quantity: 3,
    };
    const { decisions, summary } = planFor(fleet([pool], devices));
    expect(decisions.map((d) => d.verdict.verdict)).toEqual([
      'allowed',
      'allowed',
      'allowed',
      'denied',
      'denied',
    ]);
    expect(summary.totals).toEqual({ devices: 5, allowed: 3, denied: 2, conditional: 0 });
    expect(summary.pools).toEqual([
      { licence: 'ea-ent', agreementNumber: 'EA-1', quantity: 3, allocated: 3 },
    ]);
    const enterprise = summary.purchases.find((p) => p.remedy === 'buy-windows-enterprise');
    expect(enterprise?.quantity).toBe(2);
    expect(summary.byClause['RR-Q4']).toBe(2);
  });

  it('images no more devices under an Open number than licences bought (RR-12)', () => {
    const img = { ...image, edition: 'pro' };
    const devices = Array.from({ length: 4 }, (_, i) => ({ id: `PC-${i}`, licences: [oemPro] }));
    const open = {
      id: 'ol',
      channel: 'volume',
      programme: 'open-license',
      agreementNumber: 'OL-9',
      product: 'windows',
      edition: 'pro',
      version: '10',
      quantity: 2,
      assignment: 'device',
    };
    // The Open licences give the media right; the OEM Pro licences license each device.
    const { decisions, summary } = planFor(
      fleet([{ ...open, quantity: undefined, id: 'ol-media' }, open].slice(1), devices, [], img),
    );
    expect(decisions.filter((d) => d.verdict.verdict === 'allowed')).toHaveLength(2);
    expect(summary.openUsage).toEqual({ 'OL-9': 2 });
    expect(decisions[3]!.verdict.cites).toContain('RR-12');
    expect(summary.purchases.find((p) => p.remedy === 'buy-more-open-licences')?.quantity).toBe(2);
  });

  it('gives per-user Enterprise licences to the users of a device, each user once', () => {
    const pool = {
      id: 'e3',
      channel: 'volume',
      programme: 'ea',
      assignment: 'user',
      product: 'windows',
      edition: 'enterprise',
      version: '10',
      quantity: 2,
    };
    const users = [{ id: 'sato' }, { id: 'suzuki' }, { id: 'tanaka' }];
    const devices = [
      { id: 'PC-A', licences: [oemPro], users: ['sato'] },
      { id: 'PC-B', licences: [oemPro], users: ['sato', 'suzuki'] },
      { id: 'PC-C', licences: [oemPro], users: ['tanaka'] },
    ];
    const { decisions, summary } = planFor(fleet([pool], devices, users));
    expect(decisions.map((d) => d.verdict.verdict)).toEqual(['allowed', 'allowed', 'denied']);
    expect(summary.pools[0]?.allocated).toBe(2);
  });

  it('asks for media rights once for the whole organisation', () => {
    const devices = Array.from({ length: 3 }, (_, i) => ({ id: `PC-${i}`, licences: [oemPro] }));
    const { summary } = planFor(fleet([], devices, [], { ...image, edition: 'pro' }));
    expect(summary.totals.denied).toBe(3);
    expect(summary.purchases.find((p) => p.remedy === 'buy-volume-licence')?.quantity).toBe(1);
  });

  it('tells a Home PC to get a qualifying OS rather than an Enterprise licence the pool still has', () => {
    const pool = {
      id: 'ea-ent',
      channel: 'volume',
      programme: 'ea',
      product: 'windows',
      edition: 'enterprise',
      version: '10',
      quantity: 5,
    };
    const home = { ...oemPro, edition: 'home' };
    const { decisions, summary } = planFor(
      fleet(
        [pool],
        [
          { id: 'PC-HOME', licences: [home] },
          { id: 'PC-PRO', licences: [oemPro] },
        ],
      ),
    );
    expect(decisions.map((d) => d.verdict.verdict)).toEqual(['denied', 'allowed']);
    expect(decisions[0]!.verdict.cites).toContain('RR-14');
    expect(summary.purchases.map((p) => p.remedy)).toEqual(['buy-qualifying-os']);
    expect(summary.pools[0]?.allocated).toBe(1);
  });

  it('once the pool is spent, tells a Home PC to buy a qualifying OS as well as the Enterprise licence', () => {
    const pool = {
      id: 'ea-ent',
      channel: 'volume',
      programme: 'ea',
      product: 'windows',
      edition: 'enterprise',
      version: '10',
      quantity: 1,
    };
    const home = { ...oemPro, edition: 'home' };
    const { decisions, summary } = planFor(
      fleet(
        [pool],
        [
          { id: 'PC-PRO', licences: [oemPro] },
          { id: 'PC-HOME', licences: [home] },
          { id: 'PC-PRO-2', licences: [oemPro] },
        ],
      ),
    );
    expect(decisions.map((d) => d.verdict.verdict)).toEqual(['allowed', 'denied', 'denied']);
    // Its own verdict is today's: no Enterprise licence; the purchase list carries what it would still lack.
    expect(decisions[1]!.verdict.cites).not.toContain('RR-14');
    const bought = Object.fromEntries(summary.purchases.map((p) => [p.remedy, p.quantity]));
    expect(bought['buy-qualifying-os']).toBe(1);
    expect(
      summary.purchases.filter((p) => p.remedy !== 'buy-qualifying-os').reduce((n, p) => n + p.quantity, 0),
    ).toBe(2);
  });
});
