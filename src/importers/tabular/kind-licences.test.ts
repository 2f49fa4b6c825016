import { describe, expect, it } from 'vitest';
import { columnFor } from './columns.ts';
import { licencesKind } from './kind-licences.ts';
import { type FileColumn, RowReader } from './row-reader.ts';

/** Reads rows of one licences file through one column layout, as the importer does, without a store. */
const readRows = (header: readonly string[], rows: readonly (readonly string[])[]) => {
  const columns = new Map<string, FileColumn>();
  header.forEach((h, i) => {
    const spec = columnFor('licences', h)!;
    columns.set(spec.name, { header: h, index: i + 1, spec });
  });
  return rows.map((cells, i) => {
    const r = new RowReader('licences.csv', { line: i + 2, item: undefined, cells, extra: 0 }, columns);
    const out = licencesKind.read(r, 'licences.csv') as { licences: Record<string, unknown> } | undefined;
    return { licence: out?.licences, issues: r.issues.map((x) => [x.line, x.path, x.message]) };
  });
};

const header = ['契約番号', 'sku', 'channel', 'programme', 'product', 'edition', 'version', 'user', 'device'];

describe('licences file: one licence assigned to many users', () => {
  it('gives each row its own key and assignee though the licence is checked once', () => {
    const rows = readRows(header, [
      ['67123456', 'AAA-04311', 'volume', 'EA', 'windows', 'enterprise', '11', 'emp1', ''],
      ['67123456', 'AAA-04311', 'volume', 'ea', 'windows', 'enterprise', '11', 'emp2', ''],
      ['67123456', 'AAA-04311', 'volume', 'ea', 'windows', 'enterprise', '11', '', 'PC-1'],
    ]);
    expect(
      rows.map((r) => [r.licence?.key, r.licence?.userKey, r.licence?.deviceKey, r.licence?.assignment]),
    ).toEqual([
      ['67123456/AAA-04311/user:emp1', 'emp1', null, 'user'],
      ['67123456/AAA-04311/user:emp2', 'emp2', null, 'user'],
      ['67123456/AAA-04311/device:PC-1', null, 'PC-1', 'device'],
    ]);
    expect(rows[0]!.licence).toMatchObject({ kind: 'upgrade', programme: 'ea', source: 'licences.csv' });
    expect(rows[0]!.licence).not.toBe(rows[1]!.licence);
  });

  it('reports a licence that fails at every row that has it, even after the same licence passed', () => {
    const rows = readRows(header, [
      ['67123456', 'X-1', 'volume', 'ea', 'windows', 'enterprise', '11', 'emp1', ''],
      ['67123456', 'X-1', 'volume', '', 'windows', 'enterprise', '11', 'emp2', ''],
      ['67123456', 'X-1', 'volume', '', 'windows', 'enterprise', '11', 'emp3', ''],
      ['67123456', 'X-1', 'volume', 'ea', 'windows', 'enterprise', '11', 'emp4', ''],
    ]);
    expect(rows.map((r) => r.licence !== undefined)).toEqual([true, false, false, true]);
    expect(rows[1]!.issues).toEqual([[3, 'programme', 'a volume licence needs its programme']]);
    expect(rows[2]!.issues).toEqual([[4, 'programme', 'a volume licence needs its programme']]);
  });

  it('does not take a licence with a different suite for the same SKU text', () => {
    const rows = readRows(
      ['sku', 'channel', 'product', 'edition', 'version', 'components'],
      [
        ['S', 'fpp', 'office', 'professional-plus', '2021', 'word;excel'],
        ['S', 'fpp', 'office', 'professional-plus', '2021', 'word'],
      ],
    );
    expect(rows.map((r) => r.licence?.components)).toEqual([['excel', 'word'], ['word']]);
  });
});
