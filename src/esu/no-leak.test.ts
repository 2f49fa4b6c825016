import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activate, openLedger, reconcile, remove, renderIncreaseRequest } from './mak-ledger.ts';
import { decryptKey, encryptKey, PRODUCT_KEY_ALPHABET, parseProductKey } from './product-key.ts';
import { cmdScript, powershellScript } from './scripts.ts';

const keyText = fc
  .array(fc.constantFrom(...PRODUCT_KEY_ALPHABET), { minLength: 25, maxLength: 25 })
  .map((cs) => [0, 5, 10, 15, 20].map((i) => cs.slice(i, i + 5).join('')).join('-'));

const secret = Buffer.alloc(32, 2);

const caught = (f: () => unknown): string => {
  try {
    return inspect(f(), { depth: 10, showHidden: true });
  } catch (e) {
    return `${String(e)} ${inspect(e, { depth: 10 })}`;
  }
};

/** Everything kenri's ESU functions print, store or throw for one key. */
const everything = (text: string): string[] => {
  const key = parseProductKey(text);
  const opened = openLedger({ key, secret, year: 1, licencesBought: 1, noticeReceivedOn: '2019-12-20' });
  if (!opened.ok) throw new Error('open');
  const first = activate(opened.ledger, 'A', '2020-01-20');
  const removed = remove(first.ledger, 'A', '2020-02-01');
  const refused = activate(removed.ledger, 'B', '2020-02-02');
  const request = refused.outcome === 'refused' ? refused.increaseRequest : undefined;
  const other = openLedger(
    {
      key: parseProductKey(text.split('').reverse().join('')),
      secret,
      year: 1,
      licencesBought: 1,
      noticeReceivedOn: '2019-12-20',
    },
    [opened.ledger],
  );
  return [
    String(key),
    `${key}`,
    JSON.stringify({ key }),
    inspect(key, { showHidden: true }),
    JSON.stringify(opened),
    inspect(opened, { depth: 10 }),
    JSON.stringify(first),
    JSON.stringify(removed),
    JSON.stringify(refused),
    JSON.stringify(other),
    request ? renderIncreaseRequest(request, 'ja') : '',
    request ? renderIncreaseRequest(request, 'en') : '',
    JSON.stringify(reconcile(opened.ledger, [{ deviceId: 'A', records: [] }], '2020-03-01')),
    cmdScript({ year: 1, includeKey: false, key }),
    powershellScript({ year: 2, includeKey: false, key, deviceId: 'PC-1' }),
    caught(() => decryptKey(encryptKey(key, secret), Buffer.alloc(32, 3))),
    caught(() => parseProductKey(`${text}B`)),
    caught(() => parseProductKey(text.replace(/.$/, 'A'))),
    caught(() => cmdScript({ year: 1, includeKey: true, key, deviceId: 'bad id!' })),
  ];
};

describe('no full product key in any output', () => {
  it('holds for every function, output and error (property)', () => {
    fc.assert(
      fc.property(keyText, (text) => {
        const bare = text.replaceAll('-', '');
        for (const out of everything(text)) {
          expect(out).not.toContain(text);
          expect(out).not.toContain(bare);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is a real check: the one output that is asked to hold the key does', () => {
    fc.assert(
      fc.property(keyText, (text) => {
        expect(cmdScript({ year: 1, includeKey: true, key: parseProductKey(text) })).toContain(text);
      }),
      { numRuns: 20 },
    );
  });
});
