import { describe, expect, it } from 'vitest';
import { convertCell, parseDate } from './cells.ts';
import { COLUMNS } from './columns.ts';

const spec = (kind: keyof typeof COLUMNS, name: string) => COLUMNS[kind].find((c) => c.name === name)!;

describe('cells', () => {
  it.each([
    ['2024-03-31', '2024-03-31'],
    ['2024/3/1', '2024-03-01'],
    ['2024.03.01', '2024-03-01'],
    ['２０２４年３月３１日', '2024-03-31'],
    ['令和6年3月31日', '2024-03-31'],
    ['令和元年5月1日', '2019-05-01'],
    ['平成31年4月30日', '2019-04-30'],
    ['R6.3.31', '2024-03-31'],
  ])('reads the date %s as %s', (text, iso) => {
    expect(parseDate(text)).toBe(iso);
  });

  it.each(['2024-02-30', '2024-13-01', '31/03/2024', 'soon', '2024-3'])('refuses %s as a date', (text) => {
    expect(parseDate(text)).toBeUndefined();
  });

  it('reads numbers with full-width digits and thousands separators, and refuses words', () => {
    const quantity = spec('licences', 'quantity');
    expect(convertCell(quantity, '１，０００')).toEqual({ value: 1000 });
    expect(convertCell(quantity, 12)).toEqual({ value: 12 });
    expect(convertCell(quantity, 'ten')).toEqual({ error: "'ten' is not a whole number" });
    expect(convertCell(quantity, '1.5')).toEqual({ error: "'1.5' is not a whole number" });
  });

  it('reads yes and no in the ways spreadsheets write them', () => {
    const sa = spec('licences', 'software_assurance');
    for (const yes of ['yes', 'TRUE', 'はい', 'あり', '有', '○', '1'])
      expect(convertCell(sa, yes)).toEqual({ value: true });
    for (const no of ['no', 'false', 'いいえ', 'なし', '無', '×', '0'])
      expect(convertCell(sa, no)).toEqual({ value: false });
    expect(convertCell(sa, 'maybe')).toMatchObject({ error: "'maybe' is not yes or no" });
  });

  it('reads programme and channel names as people write them', () => {
    const programme = spec('licences', 'programme');
    expect(convertCell(programme, 'Open License')).toEqual({ value: 'open-license' });
    expect(convertCell(programme, 'オープンバリュー')).toEqual({ value: 'open-value' });
    expect(convertCell(programme, 'EA')).toEqual({ value: 'ea' });
    expect(convertCell(programme, 'Select Plus')).toMatchObject({
      error: "'Select Plus' is not accepted",
      expected: ['ea', 'mpsa', 'open-license', 'open-value', 'open-value-subscription', 'casa', 'csp'],
    });
    expect(convertCell(spec('licences', 'channel'), 'DSP版')).toEqual({ value: 'oem' });
    expect(convertCell(spec('licences', 'channel'), 'パッケージ版')).toEqual({ value: 'fpp' });
  });

  it('reads lists separated by semicolons, and languages by name', () => {
    expect(convertCell(spec('devices', 'users'), 'tanaka.taro; suzuki.hanako；sato.ichiro')).toEqual({
      value: ['tanaka.taro', 'suzuki.hanako', 'sato.ichiro'],
    });
    expect(convertCell(spec('licences', 'language'), '日本語')).toEqual({ value: 'ja-JP' });
    expect(convertCell(spec('licences', 'language'), 'ja-jp')).toEqual({ value: 'ja-JP' });
  });
});
