import type { Lang } from '../engine/text.ts';

/** Japanese first: the locale decides unless --lang says otherwise. */
export const defaultLang = (env: NodeJS.ProcessEnv = process.env): Lang => {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || Intl.DateTimeFormat().resolvedOptions().locale;
  return /^ja/i.test(locale ?? '') ? 'ja' : 'en';
};

export const parseLang = (value: string): Lang => {
  if (value === 'ja' || value === 'en') return value;
  throw new UsageError(`--lang: expected ja or en, got '${value}'`);
};

/** A command used wrongly: exit 64 (EX_USAGE). */
export class UsageError extends Error {
  override name = 'UsageError';
}
