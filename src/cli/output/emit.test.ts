import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { emit, type Tail } from './emit.ts';
import type { Table } from './table.ts';

const dir = mkdtempSync(join(tmpdir(), 'kenri-emit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Item {
  readonly key: string;
  readonly n: number;
  readonly nested: { readonly ja: string; readonly list: readonly number[] };
}

const items = (count: number): Item[] =>
  Array.from({ length: count }, (_, i) => ({
    key: `PC-${String(i).padStart(4, '0')}`,
    n: i,
    nested: { ja: `端末 ${i}`, list: i % 2 ? [i, i + 1] : [] },
  }));

async function* batchesOf<T>(list: readonly T[], size: number, failAfter?: number): AsyncGenerator<T[]> {
  for (let i = 0; i < list.length; i += size) {
    if (failAfter !== undefined && i >= failAfter) throw new Error('the store went away');
    yield list.slice(i, i + size);
  }
}

const tailOf = (list: readonly Item[], key?: string, failAfter?: number): Tail<Item> => ({
  title: 'Devices',
  columns: [
    { key: 'key', label: 'キー' },
    { key: 'n', label: 'n', align: 'right' },
  ],
  batches: batchesOf(list, 3, failAfter),
  row: (i) => ({ key: i.key, n: i.n }),
  item: (i) => i,
  ...(key ? { key } : {}),
});

const summary: Table = { title: 'Summary', columns: [{ key: 'k', label: 'item' }], rows: [{ k: 'a' }] };
let files = 0;
const out = () => join(dir, `out-${++files}`);

describe('emit with a streamed tail', () => {
  it.each([0, 1, 7])('writes JSON exactly as JSON.stringify would (%i items)', async (count) => {
    const list = items(count);
    const withKey = out();
    await emit([summary], 'json', withKey, { plan: 3, empty: {} }, tailOf(list, 'devices'));
    expect(readFileSync(withKey, 'utf8')).toBe(
      `${JSON.stringify({ plan: 3, empty: {}, devices: list }, null, 2)}\n`,
    );
    const bare = out();
    await emit([], 'json', bare, undefined, tailOf(list));
    expect(readFileSync(bare, 'utf8')).toBe(`${JSON.stringify(list, null, 2)}\n`);
    const emptyHead = out();
    await emit([], 'json', emptyHead, {}, tailOf(list, 'devices'));
    expect(JSON.parse(readFileSync(emptyHead, 'utf8'))).toEqual({ devices: list });
  });

  it('writes one CSV of the tail with a BOM and one header, however many batches', async () => {
    const file = out();
    await emit([summary], 'csv', file, undefined, tailOf(items(7)));
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFFキー,n\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(8);
    const empty = out();
    await emit([summary], 'csv', empty, undefined, tailOf([]));
    expect(readFileSync(empty, 'utf8')).toBe('\uFEFFキー,n\n');
  });

  it('aligns the text tail on its first batch', async () => {
    const file = out();
    await emit([summary], 'table', file, undefined, tailOf(items(4)));
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toContain('Devices');
    expect(lines).toContain('キー     n');
    expect(lines).toContain('PC-0003  3');
  });

  it('writes XLSX with the tables first and the tail as the last sheet', async () => {
    const file = `${out()}.xlsx`;
    await emit([summary], 'xlsx', file, undefined, tailOf(items(7)));
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.worksheets.map((w) => w.name)).toEqual(['Summary', 'Devices']);
    const sheet = book.getWorksheet('Devices')!;
    expect(sheet.rowCount).toBe(8);
    expect(sheet.getRow(8).values).toEqual([undefined, 'PC-0006', 6]);
  });

  it.each(['json', 'csv', 'table', 'xlsx'] as const)(
    'leaves no file, whole or partial, when the rows fail half way (%s)',
    async (format) => {
      const sub = mkdtempSync(join(dir, 'fail-'));
      const file = join(sub, `plan.${format}`);
      await expect(emit([summary], format, file, {}, tailOf(items(9), 'devices', 6))).rejects.toThrow(
        /went away/,
      );
      expect(readdirSync(sub)).toEqual([]);
    },
  );
});
