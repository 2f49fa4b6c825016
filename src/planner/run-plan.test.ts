import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reasons } from '../engine/rule.ts';
import { fill } from '../engine/text.ts';
import '../rules/reimaging/rules.ts'; // registers the reasons whose texts are checked
import { fillFast } from './explanation.ts';

describe('fillFast', () => {
  it('fills every reason text exactly as fill does', () => {
    expect(reasons().length).toBeGreaterThan(20);
    const vars = { device: 'PC-1', image: 'Windows 11 Enterprise (ja-JP)', basis: '{device}', used: 3 };
    for (const r of reasons())
      for (const t of [r.text.ja, r.text.en]) {
        expect(fillFast(t, vars)).toBe(fill(t, vars));
        expect(fillFast(t, {})).toBe(fill(t, {}));
      }
  });

  it('agrees with fill on any template', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.constantFrom('a', 'b', 'x_1'), fc.string()),
        (template, vars) => {
          expect(fillFast(template, vars)).toBe(fill(template, vars));
        },
      ),
    );
    expect(fillFast('{{a}} {b} {a', { a: 'A' })).toBe(fill('{{a}} {b} {a', { a: 'A' }));
  });
});
