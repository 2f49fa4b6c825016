import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CLAUSE_IDS, type ClauseId, isClauseId } from './clause-ids.ts';

export type DocumentId = 'RR' | 'ESU';
export type Localised = { ja: string; en: string };

export type Clause = {
  id: ClauseId;
  document: DocumentId;
  section: Localised;
  kind: 'decision' | 'info';
  quote: string;
  summary: Localised;
};

export type SourceDocument = {
  title: Localised;
  /** File name of the seed text in shared/seeds, so a reader can check the quote. */
  file: string;
  publisher: string;
  year: number;
};

export type Registry = {
  documents: Readonly<Record<DocumentId, SourceDocument>>;
  clauses: readonly Clause[];
};

export type RegistryProblem = { entry: string; field: string; message: string };

/** The registry file is part of the release: a broken entry must stop loading, naming entry and field. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly file: string,
    readonly problems: readonly RegistryProblem[],
  ) {
    super(`${file}: ${problems.map((p) => `entry ${p.entry}, field ${p.field}: ${p.message}`).join('; ')}`);
  }
}

const localised = z.strictObject({ ja: z.string().trim().min(1), en: z.string().trim().min(1) });

const clauseSchema = z.strictObject({
  id: z.enum(CLAUSE_IDS, { error: (issue) => `unknown clause id ${JSON.stringify(issue.input)}` }),
  document: z.enum(['RR', 'ESU']),
  section: localised,
  kind: z.enum(['decision', 'info']),
  quote: z.string().trim().min(1),
  summary: localised,
});

const documentSchema = z.strictObject({
  title: localised,
  file: z.string().min(1),
  publisher: z.string().min(1),
  year: z.number().int(),
});

const fileSchema = z.strictObject({
  documents: z.strictObject({ RR: documentSchema, ESU: documentSchema }),
  clauses: z.array(clauseSchema),
});

/** Names an entry by its id when it has a readable one, else by its position, so the message points somewhere. */
const entryName = (raw: unknown, path: readonly PropertyKey[]): { entry: string; rest: PropertyKey[] } => {
  const [top, second, ...rest] = path;
  if (top === 'clauses' && typeof second === 'number') {
    const id = (raw as { clauses?: { id?: unknown }[] } | null)?.clauses?.[second]?.id;
    return { entry: typeof id === 'string' ? id : `#${second + 1}`, rest };
  }
  if (top === 'documents' && typeof second === 'string') return { entry: `documents.${second}`, rest };
  return { entry: '(file)', rest: path.slice(0) };
};

const checkEntries = (clauses: readonly Clause[]): RegistryProblem[] => {
  const problems: RegistryProblem[] = [];
  const seen = new Set<ClauseId>();
  for (const c of clauses) {
    if (seen.has(c.id)) problems.push({ entry: c.id, field: 'id', message: 'duplicate entry' });
    seen.add(c.id);
    // The id prefix is the document; a mismatch would cite the wrong seed.
    if (!c.id.startsWith(`${c.document}-`)) {
      problems.push({ entry: c.id, field: 'document', message: `${c.document} does not match the id` });
    }
  }
  for (const id of CLAUSE_IDS) {
    if (!seen.has(id)) problems.push({ entry: id, field: 'id', message: 'missing from the registry' });
  }
  return problems;
};

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
};

/** Parses and checks registry text; exported so tests can feed it broken variants. */
export const parseRegistry = (text: string, file = 'clauses.yaml'): Registry => {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new RegistryError(file, [{ entry: '(file)', field: '(yaml)', message: String(error) }]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new RegistryError(
      file,
      parsed.error.issues.map((issue) => {
        const { entry, rest } = entryName(raw, issue.path);
        return { entry, field: rest.map(String).join('.') || '(entry)', message: issue.message };
      }),
    );
  }
  const problems = checkEntries(parsed.data.clauses);
  if (problems.length > 0) throw new RegistryError(file, problems);
  return deepFreeze(parsed.data);
};

const REGISTRY_FILE = new URL('./clauses.yaml', import.meta.url);

let loaded: { registry: Registry; byId: ReadonlyMap<ClauseId, Clause> } | undefined;

// Loaded on first use rather than at import, so a broken file surfaces as an error of the caller
// that needs it instead of breaking every module that merely imports the registry.
const load = () => {
  if (!loaded) {
    const registry = parseRegistry(readFileSync(REGISTRY_FILE, 'utf8'), 'src/sources/clauses.yaml');
    loaded = { registry, byId: new Map(registry.clauses.map((c) => [c.id, c])) };
  }
  return loaded;
};

export const clause = (id: ClauseId): Clause => {
  const found = load().byId.get(id);
  // Only reachable from untyped callers: the loader guarantees every ClauseId is present.
  if (!found) throw new Error(`unknown clause id ${JSON.stringify(id)}`);
  return found;
};

export const allClauses = (): readonly Clause[] => load().registry.clauses;

/** Looks up an id as typed by a person ("rr-q4"); exact ids only, no guessing at "esu-7". */
export const findClause = (text: string): Clause | undefined => {
  const key = text.trim().toUpperCase();
  return isClauseId(key) ? clause(key) : undefined;
};

export const documents = (): Registry['documents'] => load().registry.documents;
