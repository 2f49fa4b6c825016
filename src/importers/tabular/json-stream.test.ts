import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../model/input-error.ts';
import { openRecords } from './records.ts';

const dir = mkdtempSync(join(tmpdir(), 'kenri-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const file = (content: string | Buffer): string => {
  const path = join(dir, `f${++n}.json`);
  writeFileSync(path, content);
  return path;
};

const read = async (path: string) => {
  const source = await openRecords(path, 'json');
  const rows = [];
  for await (const batch of source.batches) rows.push(...batch);
  return { header: source.header, rows, bytesRead: source.bytesRead(), bytesTotal: source.bytesTotal };
};

const refusal = async (path: string): Promise<InputError> => {
  const e = await read(path).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
};

describe('JSON files, streamed', () => {
  it('reads a file far larger than one read chunk, item by item, with every field any item has', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({
      serial: `SN${i}`,
      name: `PC-${i}`,
      ...(i === 19_999 ? { model: 'Latitude 5440' } : {}),
    }));
    const path = file(`${JSON.stringify(items, null, 1)}\n\n`);
    const r = await read(path);
    expect(r.header).toEqual(['serial', 'name', 'model']);
    expect(r.rows).toHaveLength(20_000);
    expect(r.rows[0]).toEqual({ line: undefined, item: 0, cells: ['SN0', 'PC-0', undefined], extra: 0 });
    expect(r.rows[19_999]?.cells).toEqual(['SN19999', 'PC-19999', 'Latitude 5440']);
    expect(r.bytesRead).toBe(r.bytesTotal);
  });

  it('reads Shift_JIS and a UTF-8 BOM as the CSV reader does', async () => {
    const items = [{ シリアル番号: 'SN1', デバイス名: '経理-01' }];
    expect((await read(file(iconv.encode(JSON.stringify(items), 'shift_jis')))).rows[0]?.cells).toEqual([
      'SN1',
      '経理-01',
    ]);
    expect((await read(file(`\ufeff${JSON.stringify(items)}`))).header).toEqual([
      'シリアル番号',
      'デバイス名',
    ]);
  });

  it('names every item that is not an object', async () => {
    const e = await refusal(file('[{"serial":"A"}, 3, {"serial":"B"}, ["x"], null]'));
    expect(e.issues.map((i) => i.path)).toEqual(['[1]', '[3]', '[4]']);
  });

  it.each([
    ['{"serial": "A"}', /expected a JSON array/],
    ['  \n ', /empty/],
    ['[{"serial": "A"},', /not valid JSON/],
    ['[{"serial": "A"}] [', /not valid JSON/],
    ['[{"serial": "A" "name": "B"}]', /not valid JSON/],
  ])('refuses %j with a message saying what is wrong', async (content, message) => {
    const e = await refusal(file(content));
    expect(e.issues[0]?.message).toMatch(message);
    expect(e.issues[0]?.file).toMatch(/\.json$/);
  });
});
