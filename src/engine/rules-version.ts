import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const filesUnder = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|ya?ml)$/.test(e.name) && !/\.test\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();

let cached: string | undefined;

/**
 * A hash of the rules, the dated data and the clause registry: two verdicts with the same rules version
 * were decided by the same text, so a stored plan can say exactly what decided it.
 */
export const rulesVersion = (): string => {
  if (cached === undefined) {
    const hash = createHash('sha256');
    for (const file of [...filesUnder('rules'), ...filesUnder('data'), ...filesUnder('sources')]) {
      hash.update(file.slice(root.length));
      hash.update(readFileSync(file));
    }
    cached = `sha256:${hash.digest('hex').slice(0, 16)}`;
  }
  return cached;
};
