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

/** Reads rows of one file through one column layout, as the importer does. */
const readRows = (header: readonly string[], rows: readonly (readonly string[])[]) => {
  const columns = new Map<string, FileColumn>();
  header.forEach((h, i) => {
    const spec = columnFor('devices', h)!;
    columns.set(spec.name, { header: h, index: i + 1, spec });
  });
  return rows.map((cells, i) => {
    const r = new RowReader('devices.csv', { line: i + 2, item: undefined, cells, extra: 0 }, columns);
    const out = devicesKind.read(r, 'devices.csv') as
      | { devices: Record<string, unknown>; licences?: Record<string, unknown> }
      | undefined;
    return { out, issues: r.issues.map((x) => [x.line, x.path, x.message]) };
  });
};

describe('devices file: the preinstalled licence, read once per distinct OS', () => {
  const header = [
    'serial',
    'メーカー',
    'os_product',
    'os_edition',
    'os_version',
    'os_language',
    'os_channel',
  ];

  it('keeps the OS each device came with on its own row, however many share the OS', () => {
    const [a, b, c] = readRows(header, [
      ['S-1', 'Dell', 'windows', 'pro', '10', 'ja-JP', 'oem'],
      ['S-2', '富士通', 'Windows', 'Pro', '10', 'ja-jp', 'OEM'],
      ['S-3', 'NEC', 'windows', 'pro', '10', 'ja-JP', 'fpp'],
    ]);
    const os = { osProduct: 'windows', osEdition: 'pro', osVersion: '10', osLanguage: 'ja-JP' };
    expect(a!.out!.devices).toMatchObject({ key: 'S-1', vendor: 'Dell', osChannel: 'oem', ...os });
    expect(b!.out!.devices).toMatchObject({ key: 'S-2', vendor: '富士通', osChannel: 'oem', ...os });
    expect(c!.out!.devices).toMatchObject({ key: 'S-3', osChannel: 'fpp', ...os });
    // No licence row of its own: the store reads it from the device (store/preinstalled.ts).
    expect(Object.keys(a!.out!)).toEqual(['devices']);
    const [later] = readRows(header, [['S-4', 'Dell', 'windows', 'pro', '10', 'ja-JP', 'oem']]);
    expect(later!.out!.devices).toMatchObject({ key: 'S-4', osChannel: 'oem', ...os });
  });

  it('leaves the OS fields null on a row that names no OS', () => {
    const [none] = readRows(header, [['S-5', 'Dell', '', '', '', '', '']]);
    expect(none!.issues).toEqual([]);
    expect(none!.out!.devices).toMatchObject({
      osChannel: null,
      osProduct: null,
      osEdition: null,
      osVersion: null,
      osComponents: null,
      osLanguage: null,
    });
  });

  it('still reports a bad OS at its own row, before and after the same OS read well', () => {
    const results = readRows(header, [
      ['S-1', 'Dell', 'windows', 'pro', '10', 'ja-JP', 'oem'],
      ['S-2', 'Dell', 'windows', 'starter', '10', 'ja-JP', 'oem'],
      ['S-3', 'Dell', 'windows', 'pro', '10', 'ja-JP', 'retail'],
      ['S-4', 'Dell', 'windows', 'pro', '10', 'ja-JP', 'oem'],
    ]);
    expect(results.map((r) => r.out !== undefined)).toEqual([true, false, true, true]);
    expect(results[1]!.issues).toEqual([[3, 'os_edition', "unknown edition 'starter' of windows 10"]]);
    expect(results[2]!.out!.devices).toMatchObject({ osChannel: 'fpp' });
    expect(results[0]!.issues).toEqual([]);
    expect(results[3]!.issues).toEqual([]);
  });

  it('reports an unreadable channel once and a bad ESU list at the row that has them', () => {
    const [bad, good] = readRows(
      [...header, 'esu_years'],
      [
        ['S-1', 'Dell', 'windows', 'pro', '7', 'ja-JP', 'boxed', '1;4'],
        ['S-2', 'Dell', 'windows', 'pro', '7', 'ja-JP', 'oem', '2;1;2'],
      ],
    );
    expect(bad!.issues).toEqual([
      [2, 'os_channel', "'boxed' is not accepted"],
      [2, 'esu_years', "'1;4' is not a list of ESU years"],
    ]);
    expect(good!.out!.devices).toMatchObject({ key: 'S-2', esuYears: [1, 2] });
  });
});
