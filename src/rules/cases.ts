import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { isClauseId } from '../sources/clause-ids.ts';

/** A case a person can read: a sentence, the facts, and the verdict and clauses expected (OpenFisca/OPA style). */
export const Case = z.strictObject({
  name: z.string().min(10),
  source: z.string().optional(),
  asOf: z.string().optional(),
  input: z.record(z.string(), z.unknown()),
  expect: z.strictObject({
    verdict: z.enum(['allowed', 'denied', 'conditional']),
    cites: z.array(z.string().refine(isClauseId, 'unknown clause id')).default([]),
    notCites: z.array(z.string().refine(isClauseId, 'unknown clause id')).default([]),
    remedies: z.array(z.string()).default([]),
    missing: z.array(z.string()).default([]),
  }),
});
export type Case = z.output<typeof Case>;

export interface CaseFile {
  readonly file: string;
  readonly cases: readonly Case[];
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** Every `cases/*.yaml` under src/rules, parsed and checked; a malformed case fails loudly. */
export const loadCaseFiles = (root = here): CaseFile[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml') && e.parentPath.endsWith('cases'))
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .map((file) => {
      const parsed = z.array(Case).safeParse(parse(readFileSync(file, 'utf8')));
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new Error(`${file}: ${i?.path.join('.')}: ${i?.message}`);
      }
      return { file: file.slice(root.length), cases: parsed.data };
    });
