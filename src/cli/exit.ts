import { InputError } from '../model/input-error.ts';
import { UsageError } from './lang.ts';
import { NoInputError } from './read-input.ts';

/** sysexits.h codes beyond the verdict codes 0 (allowed), 1 (denied) and 2 (conditional). */
export const EXIT = { usage: 64, dataError: 65, noInput: 66, software: 70 } as const;

/** The one place errors become messages and exit codes: no stack trace reaches a user. */
export const reportError = (
  e: unknown,
  write: (s: string) => void = (s) => process.stderr.write(s),
): number => {
  if (e instanceof InputError) {
    write(`kenri: ${e.message}\n`);
    return EXIT.dataError;
  }
  if (e instanceof NoInputError) {
    write(`kenri: ${e.message}\n`);
    return EXIT.noInput;
  }
  if (e instanceof UsageError) {
    write(`kenri: ${e.message}\n`);
    return EXIT.usage;
  }
  const message = e instanceof Error ? e.message : String(e);
  write(`kenri: internal error: ${message}\n`);
  if (process.env.KENRI_DEBUG && e instanceof Error && e.stack) write(`${e.stack}\n`);
  return EXIT.software;
};
