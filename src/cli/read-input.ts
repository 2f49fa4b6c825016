import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { InputError } from '../model/input-error.ts';

/** A file the user named does not exist or cannot be read: exit 66 (EX_NOINPUT). */
export class NoInputError extends Error {
  override name = 'NoInputError';
}

export const readText = (file: string): string => {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NoInputError(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${code ?? 'error'})`,
    );
  }
};

/** Reads a JSON or YAML file (JSON is YAML) and reports syntax errors with line and column. */
export const readStructured = (file: string): unknown => {
  const doc = parseDocument(readText(file), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      doc.errors.map((e) => ({
        path: '',
        file,
        line: e.linePos?.[0].line,
        column: e.linePos?.[0].col,
        message: e.message.split('\n')[0] ?? 'syntax error',
      })),
      file,
    );
  }
  return doc.toJS();
};
