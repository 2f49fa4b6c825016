import { describe, expect, it } from 'vitest';
import { COLUMNS, columnFor, describeColumns, foldName, IMPORT_KINDS } from './columns.ts';

describe('documented columns', () => {
  it.each(IMPORT_KINDS)('gives every header spelling of a %s file one column only', (kind) => {
    const owners = new Map<string, string>();
    for (const spec of COLUMNS[kind])
      for (const name of [spec.name, ...spec.aliases]) {
        const folded = foldName(name);
        expect(owners.get(folded) ?? spec.name, `${kind}: '${name}'`).toBe(spec.name);
        owners.set(folded, spec.name);
      }
  });

  it('matches headers whatever their case, spacing or width', () => {
    expect(columnFor('devices', 'シリアル番号')?.name).toBe('serial');
    expect(columnFor('devices', 'OS 製品')?.name).toBe('os_product');
    expect(columnFor('devices', 'ＯＳ製品')?.name).toBe('os_product');
    expect(columnFor('devices', 'First Imaged With')?.name).toBe('first_imaged_with');
    expect(columnFor('licences', '契約番号')?.name).toBe('agreement_number');
    expect(columnFor('licences', '数量')?.name).toBe('quantity');
    expect(columnFor('licences', '有効期限')?.name).toBe('expires');
    expect(columnFor('agreements', 'プログラム')?.name).toBe('programme');
    expect(columnFor('users', '氏名')?.name).toBe('name');
    expect(columnFor('users', 'メール')?.name).toBe('email');
    expect(columnFor('devices', '部署')).toBeUndefined();
  });

  it('describes each column in English and Japanese for the CLI and the README', () => {
    expect(describeColumns('licences')).toContain('channel (enum, required) [oem|fpp|volume]');
    expect(describeColumns('devices', 'ja')).toContain('シリアル番号');
    for (const kind of IMPORT_KINDS)
      for (const spec of COLUMNS[kind]) {
        expect(spec.description.ja, spec.name).not.toBe('');
        expect(spec.description.en, spec.name).not.toBe('');
      }
  });
});
