import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../model/input-error.ts';
import { openRecords, type SourceRecord } from './records.ts';

const dir = mkdtempSync(join(tmpdir(), 'kenri-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const write = (content: string | Uint8Array, ext = 'csv'): string => {
  n += 1;
  const file = join(dir, `f${n}.${ext}`);
  writeFileSync(file, content);
  return file;
};

const readAll = async (file: string, format: 'csv' | 'json' = 'csv') => {
  const source = await openRecords(file, format);
  const records: SourceRecord[] = [];
  for await (const batch of source.batches) records.push(...batch);
  return { header: source.header, records };
};

const lines = (records: readonly SourceRecord[]) => records.map((r) => [r.line, r.cells[0]]);

describe('CSV records', () => {
  it('gives each record the line it starts on, after quoted cells that span lines', async () => {
    const file = write('serial,model\nA,"two\nlines"\nB,x\nC,"three\n\nlines"\nD,y\n');
    const { records } = await readAll(file);
    expect(lines(records)).toEqual([
      [2, 'A'],
      [4, 'B'],
      [5, 'C'],
      [8, 'D'],
    ]);
    expect(records[0]!.cells[1]).toBe('two\nlines');
  });

  it('counts CRLF as one line break, also inside a quoted cell', async () => {
    const file = write('serial,model\r\nA,"two\r\nlines"\r\nB,x\r\n\r\nC,y\r\n');
    expect(lines((await readAll(file)).records)).toEqual([
      [2, 'A'],
      [4, 'B'],
      [6, 'C'],
    ]);
  });

  it('reads the last record without a line break after it, and old Mac line breaks', async () => {
    expect(lines((await readAll(write('serial,model\nA,x\nB,y'))).records)).toEqual([
      [2, 'A'],
      [3, 'B'],
    ]);
    expect(lines((await readAll(write('serial,model\rA,"x\ry"\rB,y\r'))).records)).toEqual([
      [2, 'A'],
      [4, 'B'],
    ]);
    const { header, records } = await readAll(write('serial,model'));
    expect([header, records]).toEqual([['serial', 'model'], []]);
  });

  it('splits on commas only, never on a delimiter guessed from the text', async () => {
    const { header, records } = await readAll(write('users\ntanaka;suzuki\nsato\ttaro;ito|jiro\n'));
    expect(header).toEqual(['users']);
    expect(records.map((r) => r.cells)).toEqual([['tanaka;suzuki'], ['sato\ttaro;ito|jiro']]);
  });

  it('skips blank lines and rows of bare commas, keeping the lines after them right', async () => {
    const file = write('\n\nserial,model\n\nA,x\n,\n , \nB,y\n,,\n');
    const { header, records } = await readAll(file);
    expect(header).toEqual(['serial', 'model']);
    expect(lines(records)).toEqual([
      [5, 'A'],
      [8, 'B'],
    ]);
  });

  it('counts the non-empty cells beyond the header and keeps only the header columns', async () => {
    const file = write('serial,model,,\nA,x,,\nB,y,extra,more\nC\n');
    const { header, records } = await readAll(file);
    expect(header).toEqual(['serial', 'model']);
    expect(records.map((r) => [r.cells, r.extra])).toEqual([
      [['A', 'x'], 0],
      [['B', 'y'], 2],
      [['C'], 0],
    ]);
  });

  it('keeps line numbers exact across batches in a long file', async () => {
    const rows = Array.from({ length: 4500 }, (_, i) => (i === 2500 ? `K${i},"a\nb"` : `K${i},m`));
    const { records } = await readAll(write(`serial,model\n${rows.join('\n')}\n`));
    expect(records).toHaveLength(4500);
    expect(records[2500]).toMatchObject({ line: 2502, cells: ['K2500', 'a\nb'] });
    expect(records[2501]!.line).toBe(2504);
    expect(records[4499]!.line).toBe(4502);
  });

  it('counts the lines of a quoted cell that first appears far into a file of unquoted ones', async () => {
    // Past the first 256 KiB read, so the quote arrives in a later chunk than the rows before it.
    const rows = Array.from({ length: 30_000 }, (_, i) => `KEY-${String(i).padStart(8, '0')},model`);
    rows[25_000] = `KEY-25000,"one\r\ntwo\nthree"`;
    const { records } = await readAll(write(`serial,model\n${rows.join('\n')}\nLAST,m\n`));
    expect(records[24_999]!.line).toBe(25_001);
    expect(records[25_000]).toMatchObject({ line: 25_002, cells: ['KEY-25000', 'one\r\ntwo\nthree'] });
    expect(records[25_001]!.line).toBe(25_005);
    expect(records.at(-1)).toMatchObject({ line: 30_004, cells: ['LAST', 'm'] });
  });

  it('reads UTF-8 with a BOM and Shift_JIS alike', async () => {
    const text = 'シリアル番号,メーカー\nA1,富士通\n';
    for (const bytes of [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      iconv.encode(text, 'cp932'),
    ]) {
      const { header, records } = await readAll(write(bytes));
      expect(header).toEqual(['シリアル番号', 'メーカー']);
      expect(records.map((r) => [r.line, ...r.cells])).toEqual([[2, 'A1', '富士通']]);
    }
  });

  it('reports broken quoting as a file problem at the line of the record it is in', async () => {
    const problem = async (content: string) => {
      const error = await readAll(write(content)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      const issue = (error as InputError).issues[0]!;
      return [issue.line, issue.message];
    };
    expect(await problem('serial,model\nA,x\nB,"open\nC,y\n')).toEqual([
      3,
      'the CSV cannot be read: a quoted cell is not closed (a " without its closing ")',
    ]);
    expect(await problem('serial,model\nA,"two\nlines"\nB,"12"x\nC,y\n')).toEqual([
      4,
      'the CSV cannot be read: a quoted cell has text after its closing quote (write "" for a " inside a quoted cell)',
    ]);
  });

  it('reads a quote inside an unquoted cell as itself, and "" inside a quoted one as one quote', async () => {
    const { records } = await readAll(write('serial,model\nA,12" monitor\nB,"say ""hi"""\n'));
    expect(records.map((r) => [r.line, ...r.cells])).toEqual([
      [2, 'A', '12" monitor'],
      [3, 'B', 'say "hi"'],
    ]);
  });

  it('stops with the encoding problem when a file turns from UTF-8 into Shift_JIS part way', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `K${i},日本語`).join('\n');
    const file = write(
      Buffer.concat([Buffer.from(`serial,model\n${rows}\n`), iconv.encode('Z,富士通\n', 'cp932')]),
    );
    await expect(readAll(file)).rejects.toThrow(/not valid UTF-8 after byte/);
  });

  it('refuses an empty file', async () => {
    await expect(openRecords(write('\n,\n'), 'csv')).rejects.toThrow(/the file is empty/);
  });

  it('reads no further ahead of a slow reader than a few chunks, however long the file', async () => {
    const rows = Array.from(
      { length: 150_000 },
      (_, i) => `KEY-${String(i).padStart(10, '0')},${'m'.repeat(60)}`,
    );
    const file = write(`serial,model\n${rows.join('\n')}\n`);
    const source = await openRecords(file, 'csv');
    expect(source.bytesTotal).toBeGreaterThan(10_000_000);
    let seen = 0;
    let aheadAfterFirst = 0;
    for await (const batch of source.batches) {
      if (seen === 0) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        aheadAfterFirst = source.bytesRead();
      }
      seen += batch.length;
    }
    expect(seen).toBe(150_000);
    expect(aheadAfterFirst).toBeLessThan(3_000_000);
  });

  it('stops reading when closed part way', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `K${i},m`);
    const source = await openRecords(write(`serial,model\n${rows.join('\n')}\n`), 'csv');
    let seen = 0;
    for await (const batch of source.batches) {
      seen += batch.length;
      source.close();
    }
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(200_000);
  });
});

describe('JSON records', () => {
  it('gives each object its index, in batches, with the union of keys as the header', async () => {
    const items = Array.from({ length: 2500 }, (_, i) =>
      i === 7 ? { serial: `K${i}`, model: 'm' } : { serial: `K${i}` },
    );
    const { header, records } = await readAll(write(JSON.stringify(items), 'json'), 'json');
    expect(header).toEqual(['serial', 'model']);
    expect(records).toHaveLength(2500);
    expect(records[7]).toEqual({ line: undefined, item: 7, cells: ['K7', 'm'], extra: 0 });
    expect(records[2499]!.item).toBe(2499);
  });
});
