import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';

/**
 * Reads one of the dated data files shipped in src/data and checks it against its schema.
 * A data file that breaks its schema is a defect of the release, so the message names file and field.
 */
export const loadData = <T extends z.ZodType>(file: string, schema: T): z.output<T> => {
  const url = new URL(file, import.meta.url);
  const parsed = schema.safeParse(parse(readFileSync(url, 'utf8')));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`data file ${file}: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`);
  }
  return parsed.data;
};

/** The raw text of a data file, for hashing the rules version. */
export const dataText = (file: string): string => readFileSync(new URL(file, import.meta.url), 'utf8');
