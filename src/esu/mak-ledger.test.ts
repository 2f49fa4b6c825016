import { describe, expect, it } from 'vitest';
import { parseSlmgr } from '../importers/windows/slmgr.ts';
import { InputError } from '../model/input-error.ts';
import {
  activate,
  activationsUsed,
  increaseRequestFor,
  type MakLedger,
  openLedger,
  raiseLimit,
  reconcile,
  remove,
  renderIncreaseRequest,
} from './mak-ledger.ts';
import { decryptKey, parseProductKey, revealProductKey } from './product-key.ts';

// A made-up key in the product-key alphabet; not a key Microsoft issued.
const FAKE = 'BCDFG-HJKMP-QRTVW-XY234-6789N';
const secret = Buffer.alloc(32, 5);
const org = {
  agreementNumber: 'CSP-1234567',
  customerName: '株式会社大阪製作所',
  contactName: '山田 花子',
  contactEmail: 'it@example.co.jp',
  contactPhone: '06-0000-0000',
};

const open = (limit: number, year = 1): MakLedger => {
  const r = openLedger({
    key: parseProductKey(FAKE),
    secret,
    year,
    licencesBought: limit,
    noticeReceivedOn: '2019-12-20',
  });
  if (!r.ok) throw new Error(r.code);
  return r.ledger;
};

/** slmgr /dlv of a Windows 7 ESU add-on, in the layout of the shared sample (Windows 10 ESU add-on). */
const dlv = (year: number, status: string, partial = '6789N') =>
  [
    `Name: Windows(R) 7, Client-ESU-Year${year} add-on for Enterprise,EnterpriseE,EnterpriseN,Professional,ProfessionalE,ProfessionalN,Ultimate,UltimateE,UltimateN`,
    'Description: Windows(R) Operating System, VOLUME_MAK channel',
    'Activation ID: 77db037b-95c3-48d7-a3ab-a9c6d41093e0',
    'Application ID: 55c92734-d682-4d71-983e-d6ec3f16059f',
    `Partial Product Key: ${partial}`,
    `License Status: ${status}`,
  ].join('\n');

describe('the MAK ledger', () => {
  it('holds the key only encrypted, and shows the partial key', () => {
    const l = open(3);
    expect(l.partialKey).toBe('6789N');
    expect(JSON.stringify(l)).not.toContain(FAKE);
    expect(revealProductKey(decryptKey(l.sealedKey, secret))).toBe(FAKE);
  });

  it('counts each device once, however often it activates', () => {
    let l = open(2);
    l = activate(l, 'A', '2020-01-20').ledger;
    const again = activate(l, 'A', '2020-02-20');
    expect(again.outcome).toBe('already-counted');
    expect(activationsUsed(again.ledger)).toBe(1);
  });

  it('keeps the count when a key is removed, and refuses at the limit with a filled-in request', () => {
    let l = open(1);
    l = activate(l, 'A', '2020-01-20').ledger;
    const removed = remove(l, 'A', '2020-05-01');
    expect(removed.activationsUsed).toBe(1);
    expect(removed.cites).toEqual(['ESU-18']);
    const r = activate(removed.ledger, 'B', '2020-05-02', {
      org,
      justification: '故障 PC の入れ替え',
      asked: 5,
    });
    if (r.outcome !== 'refused') throw new Error(r.outcome);
    expect(r.increaseRequest).toMatchObject({
      ...org,
      partialProductKey: '6789N',
      currentLimit: 1,
      activationsUsed: 1,
      additionalActivations: 5,
      businessJustification: { ja: '故障 PC の入れ替え', en: '故障 PC の入れ替え' },
      email: 'makadd@microsoft.com',
      missing: [],
    });
    expect(r.increaseRequest.form).toMatch(/^https:\/\/support\.microsoft\.com\/ja-jp\/supportrequestform\//);
  });

  it('renders the increase request ready to paste, in Japanese and English, without the full key', () => {
    let l = open(1);
    l = activate(l, 'A', '2020-01-20').ledger;
    l = remove(l, 'A', '2020-03-01').ledger;
    const req = increaseRequestFor(l, { asked: 2 });
    const ja = renderIncreaseRequest(req, 'ja');
    const en = renderIncreaseRequest(req, 'en');
    for (const text of [ja, en]) {
      expect(text).toContain('6789N');
      expect(text).toContain('makadd@microsoft.com');
      expect(text).toContain('supportrequestform/2afa6f15-b710-db46-909a-8346017c802f');
      expect(text).not.toContain(FAKE);
    }
    expect(ja).toContain('追加を希望する認証数: 2');
    expect(ja).toContain('(記入してください)');
    expect(en).toContain(
      'Business justification: The Windows 7 ESU year 1 MAK key has reached its limit of 1',
    );
    expect(en).toContain('removed from 1 replaced or retired device(s)');
  });

  it('raises the limit only upwards, after more licences or a granted increase', () => {
    const l = open(2);
    expect(raiseLimit(l, 5).limit).toBe(5);
    expect(() => raiseLimit(l, 1)).toThrow(InputError);
  });

  it('refuses dates before the key arrived (ESU-20)', () => {
    expect(() => activate(open(2), 'A', '2019-12-01')).toThrow(/before the key arrived/);
  });

  it('reconciles from slmgr output: licensed ESU add-ons of the year count, others are reported', () => {
    const records = (text: string) => parseSlmgr(text).records;
    const l = open(2);
    const r = reconcile(
      l,
      [
        { deviceId: 'A', records: records(dlv(1, 'Licensed')) },
        { deviceId: 'B', records: records(dlv(1, 'Unlicensed')) },
        { deviceId: 'C', records: records(dlv(1, 'Licensed', 'QQQQQ')) },
        { deviceId: 'D', records: records(dlv(2, 'Licensed')) },
        { deviceId: 'E', records: records(dlv(1, 'Licensed')) },
        { deviceId: 'F', records: records(dlv(1, 'Licensed')) },
      ],
      '2020-02-01',
    );
    expect(r.added).toEqual(['A', 'E', 'F']);
    expect(r.notActivated).toEqual(['B']);
    expect(r.otherKey).toEqual([{ deviceId: 'C', partialKey: 'QQQQQ' }]);
    expect(r.overLimit).toBe(true);
    expect(
      reconcile(r.ledger, [{ deviceId: 'A', records: records(dlv(1, 'Licensed')) }], '2020-03-01').added,
    ).toEqual([]);
  });
});
