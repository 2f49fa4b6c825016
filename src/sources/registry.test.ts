import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CLAUSE_IDS } from './clause-ids.ts';
import { formatClause, formatClauseList } from './explain.ts';
import { allClauses, clause, documents, findClause, parseRegistry, RegistryError } from './registry.ts';

const CATALOGUE = new URL('../../../shared/spec/clauses.md', import.meta.url);
const seedUrl = (file: string) => new URL(`../../../shared/seeds/${file}`, import.meta.url);

// The shared spec and seeds live outside the repository; the checks against them run wherever they exist.
const catalogue = existsSync(CATALOGUE) ? readFileSync(CATALOGUE, 'utf8') : undefined;
const catalogueRows = (catalogue ?? '').split('\n').filter((line) => /^\| (RR|ESU)-\w+ \|/.test(line));
const catalogueId = (row: string) => row.split('|')[1]!.trim();

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

const seedsPresent = Object.values(documents()).every((d) => existsSync(seedUrl(d.file)));

/** True when every "…"-separated piece of the quote occurs in the seed, in order. */
const foundIn = (seed: string, quote: string): boolean => {
  let from = 0;
  for (const piece of quote.split('…').map(collapse).filter(Boolean)) {
    const at = seed.indexOf(piece, from);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
};

describe('citation registry', () => {
  it('carries exactly the ids of CLAUSE_IDS, in catalogue order', () => {
    expect(allClauses().map((c) => c.id)).toEqual([...CLAUSE_IDS]);
  });

  it.skipIf(!catalogue)('carries exactly the ids of shared/spec/clauses.md', () => {
    expect(allClauses().map((c) => c.id)).toEqual(catalogueRows.map(catalogueId));
  });

  // Rule: a clause is info when the catalogue marks it *info*, and also RR-01, because a definition
  // is cited to explain terms but no verdict rests on it. Every other clause is a decision clause.
  it.skipIf(!catalogue)(
    'marks info exactly the *info* clauses of the catalogue, plus the RR-01 definition',
    () => {
      const expected = new Set([
        'RR-01',
        ...catalogueRows.filter((row) => row.includes('*info*')).map(catalogueId),
      ]);
      for (const c of allClauses())
        expect([c.id, c.kind]).toEqual([c.id, expected.has(c.id) ? 'info' : 'decision']);
    },
  );

  it('keeps every quote a short locator of at most one sentence', () => {
    for (const c of allClauses()) {
      expect(c.quote.trim(), c.id).not.toBe('');
      expect([...c.quote].length, c.id).toBeLessThanOrEqual(80);
      expect(c.quote.slice(0, -1), c.id).not.toMatch(/[。！？]/);
    }
  });

  it.skipIf(!seedsPresent)('finds every quote verbatim in its seed (whitespace collapsed)', () => {
    const seeds = new Map(
      Object.entries(documents()).map(([id, d]) => [id, collapse(readFileSync(seedUrl(d.file), 'utf8'))]),
    );
    const missing = allClauses().filter((c) => !foundIn(seeds.get(c.document)!, c.quote));
    expect(missing.map((c) => `${c.id}: ${c.quote}`)).toEqual([]);
  });

  it('has a Japanese and an English summary and section for every clause', () => {
    for (const c of allClauses()) {
      expect(c.summary.ja.trim(), c.id).not.toBe('');
      expect(c.summary.en.trim(), c.id).not.toBe('');
      expect(c.section.ja.trim(), c.id).not.toBe('');
      expect(c.section.en.trim(), c.id).not.toBe('');
    }
  });

  it('finds clauses by id regardless of case, and only by exact id', () => {
    expect(findClause('rr-q4')?.id).toBe('RR-Q4');
    expect(findClause(' RR-Q4 ')?.id).toBe('RR-Q4');
    expect(findClause('Esu-07')?.id).toBe('ESU-07');
    expect(findClause('esu-7')).toBeUndefined();
    expect(findClause('RR-99')).toBeUndefined();
    expect(clause('RR-19').document).toBe('RR');
  });
});

describe('registry loading errors', () => {
  const text = readFileSync(new URL('./clauses.yaml', import.meta.url), 'utf8');
  const broken = (edit: (raw: { clauses: Record<string, unknown>[] }) => void) => {
    const raw = parse(text);
    edit(raw);
    return () => parseRegistry(stringify(raw));
  };

  it('names the entry and the field of a schema mismatch', () => {
    const load = broken((raw) => {
      raw.clauses[3]!.summary = { ja: 'だけ' };
    });
    expect(load).toThrow(RegistryError);
    expect(load).toThrow(/entry RR-04, field summary\.en/);
  });

  it('names an unknown id', () => {
    expect(
      broken((raw) => {
        raw.clauses[0]!.id = 'RR-99';
      }),
    ).toThrow(/entry RR-99, field id: unknown clause id/);
  });

  it('names a duplicate id', () => {
    expect(
      broken((raw) => {
        raw.clauses.push({ ...raw.clauses[5]! });
      }),
    ).toThrow(/entry RR-06, field id: duplicate/);
  });

  it('names a clause filed under the wrong document', () => {
    expect(
      broken((raw) => {
        raw.clauses[0]!.document = 'ESU';
      }),
    ).toThrow(/entry RR-01, field document/);
  });
});

describe('explain output', () => {
  it('shows the quote as a quote and both summaries', () => {
    for (const lang of ['ja', 'en'] as const) {
      for (const c of allClauses()) {
        const text = formatClause(c, lang);
        expect(text).toContain(c.quote);
        expect(text).toContain(c.summary.ja);
        expect(text).toContain(c.summary.en);
        expect(text).toContain(documents()[c.document].file);
      }
    }
    expect(formatClause(clause('RR-Q4'), 'ja')).toContain(`「${clause('RR-Q4').quote}」`);
    expect(formatClause(clause('RR-Q4'), 'en')).toContain(`“${clause('RR-Q4').quote}”`);
  });

  it('lists one line per clause', () => {
    const list = formatClauseList(['RR-19', 'RR-Q4'], 'en').split('\n');
    expect(list).toHaveLength(2);
    expect(list[1]).toBe(`RR-Q4 — ${clause('RR-Q4').summary.en}`);
  });
});
