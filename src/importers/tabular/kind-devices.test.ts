import { describe, expect, it } from 'vitest';
import { columnFor } from './columns.ts';
import { devicesKind } from './kind-devices.ts';
import { type FileColumn, RowReader } from './row-reader.ts';

/** Reads one devices-file row as the importer does, without a store: the running OS needs only the catalogue. */
const read = (header: readonly string[], cells: readonly string[]) => {
  const columns = new Map<string, FileColumn>();
  header.forEach((h, i) => {
    const spec = columnFor('devices', h)!;
    columns.set(spec.name, { header: h, index: i + 1, spec });
  });
  const r = new RowReader('devices.csv', { line: 2, item: undefined, cells, extra: 0 }, columns);
  const rows = devicesKind.read(r, 'devices.csv') as { devices?: Record<string, unknown> } | undefined;
  return { device: rows?.devices, issues: r.issues.map((i) => [i.path, i.message, i.expected?.join(',')]) };
};

describe('devices file: what each device runs now (稼働OS)', () => {
  it('finds the running columns under their Japanese names', () => {
    expect(columnFor('devices', '稼働OS')?.name).toBe('running_version');
    expect(columnFor('devices', '現在のOS')?.name).toBe('running_version');
    expect(columnFor('devices', '稼働エディション')?.name).toBe('running_edition');
    expect(devicesKind.targets(new Set(['serial', 'running_version']))[0]?.fields).toEqual(
      expect.arrayContaining(['runningVersion', 'runningEdition']),
    );
  });

  it('reads "Windows 7 Professional" in one cell, or version and edition in two', () => {
    expect(read(['シリアル番号', '稼働OS'], ['W7-1', 'Windows 7 Professional']).device).toMatchObject({
      key: 'W7-1',
      runningVersion: '7',
      runningEdition: 'pro',
    });
    expect(read(['serial', '稼働OS', '稼働エディション'], ['W10-1', '10', 'Pro']).device).toMatchObject({
      runningVersion: '10',
      runningEdition: 'pro',
    });
    expect(read(['serial', '現在のOS'], ['W7-2', '7']).device).toMatchObject({
      runningVersion: '7',
      runningEdition: null,
    });
    expect(read(['serial', '稼働OS'], ['W7-3', '']).device).toMatchObject({ runningVersion: null });
  });

  it('names the cell and the accepted values for a running OS the catalogue does not know', () => {
    expect(read(['serial', '稼働OS'], ['X-1', 'Windows 12']).issues).toEqual([
      ['稼働OS (running_version)', "unknown version 'Windows 12' of windows", '7,8.1,10,11'],
    ]);
    expect(read(['serial', 'running_version', 'running_edition'], ['X-2', '7', 'starter']).issues).toEqual([
      ['running_edition', "unknown edition 'starter' of windows 7", 'home,pro,enterprise,ultimate'],
    ]);
    expect(read(['serial', 'running_edition'], ['X-3', 'pro']).issues).toEqual([
      ['running_version', 'give the version the device runs with its edition (7, 10, …)', undefined],
    ]);
  });
});
