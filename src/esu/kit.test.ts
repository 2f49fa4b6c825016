import { describe, expect, it } from 'vitest';
import { deploymentKit } from './kit.ts';
import { parseProductKey } from './product-key.ts';

const devices = [{ deviceId: 'PC-1', updates: [{ kb: 'KB4519976' }] }, { deviceId: 'PC-2' }];

describe('deploymentKit', () => {
  it('writes one script pair for the fleet, with readiness per device', () => {
    const kit = deploymentKit({ year: 1, asOf: '2020-06-01', devices, includeKey: false });
    expect(kit.files.map((f) => f.name)).toEqual(['esu-year1-activate.cmd', 'esu-year1-activate.ps1']);
    expect(kit.files.every((f) => !f.holdsKey && f.text.includes('<ESU-MAK-KEY>'))).toBe(true);
    expect(kit.readiness.devices.map((d) => d.deviceId)).toEqual(['PC-1', 'PC-2']);
    expect(kit.cites).toEqual(expect.arrayContaining(['ESU-12', 'ESU-13', 'ESU-15']));
  });

  it('writes a pair per device on request, marking files that hold the key', () => {
    const key = parseProductKey('BCDFG-HJKMP-QRTVW-XY234-6789N');
    const kit = deploymentKit({
      year: 2,
      asOf: '2021-02-01',
      devices,
      key,
      includeKey: true,
      perDevice: true,
    });
    expect(kit.files.map((f) => f.name)).toEqual([
      'esu-year2-activate-PC-1.cmd',
      'esu-year2-activate-PC-1.ps1',
      'esu-year2-activate-PC-2.cmd',
      'esu-year2-activate-PC-2.ps1',
    ]);
    expect(kit.files.every((f) => f.holdsKey)).toBe(true);
    expect(kit.files[0]?.bytes.subarray(0, 9).toString('latin1')).toBe('@echo off');
  });
});
