import { type IncreaseRequest, OrgProfile } from '../esu/mak-ledger.ts';
import { InputError, type InputIssue } from '../model/input-error.ts';
import type { Db } from './db.ts';

/** What is known of who asks Microsoft for more activations (RR-Q8); any field may still be missing. */
export type PartialProfile = { -readonly [K in keyof OrgProfile]?: string | undefined };

const FIELDS = Object.keys(OrgProfile.shape) as (keyof OrgProfile)[];

const EMAIL = /[^\s<>()（）,、;；]+@[^\s<>()（）,、;；]+\.[^\s<>()（）,、;；]+/;
const PHONE = /\+?\d[\d\s()（）-]{7,}\d/;

/**
 * Splits an agreement's free-text contact ("山田 太郎 yamada@example.co.jp 03-1234-5678") into name, e-mail
 * and phone. The agreements file has one contact column because that is how people keep it.
 */
export const splitContact = (
  text: string,
): Pick<PartialProfile, 'contactName' | 'contactEmail' | 'contactPhone'> => {
  const s = text.normalize('NFKC');
  const email = EMAIL.exec(s)?.[0];
  const phone = PHONE.exec(email ? s.replace(email, ' ') : s)?.[0]?.trim();
  let name = s;
  for (const part of [email, phone]) if (part) name = name.replace(part, ' ');
  name = name
    .replace(/[<>()（）,、;；/|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { contactName: name || undefined, contactEmail: email, contactPhone: phone };
};

/**
 * The organisation's profile for an increase request: what the caller gave wins, then the organisation's
 * CSP agreement (the ESU licences are bought through CSP, ESU-01), else its first agreement.
 */
export const orgProfile = async (
  db: Db,
  org: string,
  given: PartialProfile = {},
): Promise<PartialProfile> => {
  const [a] = await db.query<{ number: string; customerName: string | null; contact: string | null }>(
    `select number, customer_name as "customerName", contact from agreements where org_id = $1
     order by (programme = 'csp') desc, number limit 1`,
    [org],
  );
  const fromAgreement: PartialProfile = a
    ? {
        agreementNumber: a.number,
        customerName: a.customerName ?? undefined,
        ...splitContact(a.contact ?? ''),
      }
    : {};
  const out: PartialProfile = {};
  for (const f of FIELDS) out[f] = given[f]?.trim() || fromAgreement[f] || undefined;
  return out;
};

/** The request with the profile's fields filled in; a field given by hand is checked as OrgProfile would. */
export const withProfile = (request: IncreaseRequest, profile: PartialProfile): IncreaseRequest => {
  const issues: InputIssue[] = [];
  const filled: PartialProfile = {};
  for (const f of FIELDS) {
    const v = profile[f];
    if (v === undefined) continue;
    const ok = OrgProfile.shape[f].safeParse(v);
    if (ok.success) filled[f] = ok.data;
    else issues.push({ path: `org.${f}`, message: ok.error.issues[0]?.message ?? 'not accepted' });
  }
  if (issues.length) throw new InputError(issues);
  const merged = { ...request, ...filled };
  return { ...merged, missing: FIELDS.filter((f) => merged[f] === undefined) };
};
