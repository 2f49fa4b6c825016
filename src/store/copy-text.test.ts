import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storeBackends, useStore } from '../../test/store-harness.ts';
import { copyLine } from './copy-text.ts';
import { copyInto } from './db.ts';

/** Text with every character COPY and array literals treat specially, and some that they do not. */
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\\', '\t', '\n', '\r', '"', '{', '}', ',', ' ', 'NULL', '\\N', '富', '😀'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});

describe('COPY text', () => {
  it('writes one line per row, its values separated by tabs', () => {
    expect(copyLine(['a', 1, null, true, ['x', null], 'b\tc\\'])).toBe(
      'a\t1\t\\N\tt\t{"x",NULL}\tb\\tc\\\\\n',
    );
    expect(copyLine([])).toBe('\n');
  });
});

describe.each(storeBackends())('COPY text on $name', (backend) => {
  const store = useStore(backend);

  it('loads every value as given: texts, numbers, booleans, nulls and arrays', async () => {
    const db = store();
    await db.exec('create table copied (n int, t text, b boolean, a text[])');
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.option(fc.integer(), { nil: null }),
            fc.option(text, { nil: null }),
            fc.option(fc.boolean(), { nil: null }),
            fc.option(fc.array(fc.option(text, { nil: null }), { maxLength: 3 }), { nil: null }),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        async (rows) => {
          await db.exec('truncate copied');
          await db.transaction((tx) => copyInto(tx, 'copied', ['n', 't', 'b', 'a'], rows));
          const back = await db.query<{
            n: number | null;
            t: string | null;
            b: boolean | null;
            a: string[] | null;
          }>('select n, t, b, a from copied');
          expect(back.map((r) => [r.n, r.t, r.b, r.a])).toEqual(rows);
        },
      ),
      { numRuns: 60 },
    );
  });
});
