import type { z } from 'zod';

/** One thing wrong with the input: where, what was wrong, and what is accepted. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
  readonly expected?: readonly string[];
  /** File position when the input came from a file (imports): 1-based. */
  readonly line?: number;
  readonly column?: number;
  readonly file?: string;
}

/** The single error type for bad input; the CLI maps it to one clear message and exit code 65. */
export class InputError extends Error {
  readonly issues: readonly InputIssue[];
  constructor(issues: readonly InputIssue[], source?: string) {
    super(
      `${source ? `${source}: ` : ''}${issues.length} problem(s) in the input\n${issues.map(formatIssue).join('\n')}`,
    );
    this.name = 'InputError';
    this.issues = issues;
  }
}

export const formatIssue = (i: InputIssue): string => {
  const where = [
    i.file,
    i.line !== undefined ? `line ${i.line}` : '',
    i.column !== undefined ? `column ${i.column}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const accepted = i.expected?.length ? ` (accepted: ${i.expected.join(', ')})` : '';
  return `  - ${where ? `${where}: ` : ''}${i.path || '(top level)'}: ${i.message}${accepted}`;
};

export const pathOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );

/** Turns zod's issues into ours, keeping the accepted values zod knows (enums, literals, object keys). */
export const fromZod = (error: z.ZodError, prefix: readonly PropertyKey[] = []): InputIssue[] =>
  error.issues.flatMap((issue): InputIssue[] => {
    const path = pathOf([...prefix, ...issue.path]);
    switch (issue.code) {
      case 'invalid_value':
        return [{ path, message: 'value not accepted', expected: issue.values.map(String) }];
      case 'unrecognized_keys':
        return issue.keys.map((k) => ({
          path: pathOf([...prefix, ...issue.path, k]),
          message: 'unknown field',
        }));
      case 'invalid_union':
        return [{ path, message: issue.message }];
      case 'invalid_type':
        return [
          {
            path,
            message:
              issue.input === undefined
                ? `required field missing (expected ${issue.expected})`
                : `expected ${issue.expected}`,
          },
        ];
      default:
        return [{ path, message: issue.message }];
    }
  });
