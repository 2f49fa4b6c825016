import { z } from 'zod';
import { type EsuYear, esu } from '../data/esu.ts';
import type { Lang, Text } from '../engine/text.ts';
import type { WindowsLicenceRecord } from '../importers/windows/licence-record.ts';
import { IsoDate } from '../model/facts.ts';
import { InputError } from '../model/input-error.ts';
import { parseWith } from '../model/normalise.ts';
import { makIncrease, makLimit, makPerOrganisation, makRemovalKeepsCount } from '../rules/esu/rules.ts';
import type { ClauseId } from '../sources/clause-ids.ts';
import { encryptKey, type ProductKey, partialKey } from './product-key.ts';

/** Who asks for more activations (RR-Q8: agreement, customer name and contact). */
export const OrgProfile = z.strictObject({
  agreementNumber: z.string().trim().min(1),
  customerName: z.string().trim().min(1),
  contactName: z.string().trim().min(1),
  contactEmail: z.email(),
  contactPhone: z.string().trim().min(1),
});
export type OrgProfile = z.output<typeof OrgProfile>;

export interface Activation {
  readonly deviceId: string;
  readonly activatedOn: string;
  readonly year: EsuYear;
}

export interface Removal {
  readonly deviceId: string;
  readonly on: string;
}

/**
 * The organisation's ESU MAK key for one ESU year and what it has used. Each year has its own add-on licence
 * and activation ID, and so its own key: one key per organisation (ESU-16) is read as one per organisation
 * and year. The key itself is held only encrypted (`sealedKey`, see product-key.ts); everything else shows
 * the partial key.
 */
export interface MakLedger {
  readonly year: EsuYear;
  readonly partialKey: string;
  readonly sealedKey: string;
  /** The day the CSP activation notice carrying the key arrived (ESU-20). */
  readonly receivedOn: string;
  /** Activations allowed: the ESU licences bought for the year (ESU-17), plus any increase granted (ESU-19). */
  readonly limit: number;
  /** Devices that used an activation; a device appears once however often it is re-activated. */
  readonly activations: readonly Activation[];
  /** Keys taken off devices: kept for the record, never given back as activations (ESU-18). */
  readonly removed: readonly Removal[];
}

const cites = (...lists: readonly (readonly ClauseId[])[]): ClauseId[] => [...new Set(lists.flat())];

/** Activations used: removing a key does not lower it (ESU-18). */
export const activationsUsed = (s: MakLedger): number => s.activations.length;

const OpenInput = z.strictObject({
  year: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  licencesBought: z.number().int().positive(),
  noticeReceivedOn: IsoDate,
});

export type OpenResult =
  | { readonly ok: true; readonly ledger: MakLedger; readonly cites: readonly ClauseId[] }
  | {
      readonly ok: false;
      readonly code: 'key-already-entered';
      readonly existing: MakLedger;
      readonly text: Text;
      readonly cites: readonly ClauseId[];
    };

/**
 * Enters the ESU MAK key when the CSP activation notice arrives (ESU-20), with the activation limit set from
 * the licences bought (ESU-17). A second, different key for the same year is refused (ESU-16); entering the
 * same key again returns the ledger as it is.
 */
export const openLedger = (
  input: {
    key: ProductKey;
    secret: Uint8Array;
    year: number;
    licencesBought: number;
    noticeReceivedOn: string;
  },
  existing: readonly MakLedger[] = [],
): OpenResult => {
  const p = parseWith(OpenInput, {
    year: input.year,
    licencesBought: input.licencesBought,
    noticeReceivedOn: input.noticeReceivedOn,
  });
  const partial = partialKey(input.key);
  const already = existing.find((l) => l.year === p.year);
  if (already && already.partialKey === partial)
    return { ok: true, ledger: already, cites: cites(makPerOrganisation.clauses, makLimit.clauses) };
  if (already)
    return {
      ok: false,
      code: 'key-already-entered',
      existing: already,
      cites: makPerOrganisation.clauses,
      text: {
        ja: `第 ${p.year} 年度の ESU MAK キー (末尾 ${already.partialKey}) はすでに登録済み。ESU MAK キーは組織に 1 つ。別のキー (末尾 ${partial}) を登録する前に CSP の開通案内を確認すること`,
        en: `The year ${p.year} ESU MAK key (ending ${already.partialKey}) is already entered; an organisation gets one ESU MAK key. Check the CSP notice before entering another (ending ${partial})`,
      },
    };
  return {
    ok: true,
    ledger: {
      year: p.year,
      partialKey: partial,
      sealedKey: encryptKey(input.key, input.secret),
      receivedOn: p.noticeReceivedOn,
      limit: p.licencesBought,
      activations: [],
      removed: [],
    },
    cites: cites(makPerOrganisation.clauses, makLimit.clauses),
  };
};

/** What to send to raise the limit (ESU-19, RR-Q8), filled in from the ledger and the organisation. */
export interface IncreaseRequest {
  readonly agreementNumber: string | undefined;
  readonly customerName: string | undefined;
  readonly contactName: string | undefined;
  readonly contactEmail: string | undefined;
  readonly contactPhone: string | undefined;
  readonly businessJustification: Text;
  /** The partial product key (last 5): enough for Microsoft to find the key, safe to paste into a form. */
  readonly partialProductKey: string;
  readonly product: string;
  readonly currentLimit: number;
  readonly activationsUsed: number;
  readonly additionalActivations: number;
  readonly form: string;
  readonly email: string;
  /** Organisation fields still to fill in (no org profile given). */
  readonly missing: readonly (keyof OrgProfile)[];
  readonly cites: readonly ClauseId[];
}

export interface ActivateContext {
  /** The organisation, so a refusal hands over a filled-in increase request. */
  readonly org?: OrgProfile;
  /** Why more activations are needed (RR-Q8: a business justification, e.g. reimaging). */
  readonly justification?: string;
  /** Activations to ask for; 1 (this device) unless given. */
  readonly asked?: number;
}

export type ActivateResult =
  | {
      readonly outcome: 'activated';
      readonly ledger: MakLedger;
      readonly remaining: number;
      readonly cites: readonly ClauseId[];
    }
  | {
      readonly outcome: 'already-counted';
      readonly ledger: MakLedger;
      readonly remaining: number;
      readonly cites: readonly ClauseId[];
    }
  | {
      readonly outcome: 'refused';
      readonly ledger: MakLedger;
      readonly text: Text;
      readonly increaseRequest: IncreaseRequest;
      readonly cites: readonly ClauseId[];
    };

const checkDay = (on: string, s: MakLedger, what: string): void => {
  if (!IsoDate.safeParse(on).success)
    throw new InputError([{ path: 'on', message: 'expected a date written YYYY-MM-DD' }]);
  if (on < s.receivedOn)
    throw new InputError([
      { path: 'on', message: `${what} on ${on} is before the key arrived (${s.receivedOn}, ESU-20)` },
    ]);
};

/**
 * Records that a device used an activation. A device already counted costs nothing again; at the limit the
 * activation is refused (ESU-18) and the refusal carries the increase request to send (ESU-19, RR-Q8).
 */
export const activate = (
  s: MakLedger,
  deviceId: string,
  on: string,
  ctx: ActivateContext = {},
): ActivateResult => {
  checkDay(on, s, 'an activation');
  if (s.activations.some((a) => a.deviceId === deviceId)) {
    // The key is back on the device: it no longer counts as removed, and it still holds one activation.
    const ledger = { ...s, removed: s.removed.filter((r) => r.deviceId !== deviceId) };
    return {
      outcome: 'already-counted',
      ledger,
      remaining: s.limit - activationsUsed(s),
      cites: makLimit.clauses,
    };
  }
  if (activationsUsed(s) < s.limit) {
    const ledger = { ...s, activations: [...s.activations, { deviceId, activatedOn: on, year: s.year }] };
    return {
      outcome: 'activated',
      ledger,
      remaining: ledger.limit - activationsUsed(ledger),
      cites: makLimit.clauses,
    };
  }
  const increaseRequest = increaseRequestFor(s, ctx);
  return {
    outcome: 'refused',
    ledger: s,
    increaseRequest,
    cites: cites(makRemovalKeepsCount.clauses, makLimit.clauses, makIncrease.clauses),
    text: {
      ja: `ESU MAK キー (末尾 ${s.partialKey}) は上限 ${s.limit} 回に達している。${deviceId} は認証できない。古い端末からキーを削除しても数は減らないので、上限の引き上げを申請すること`,
      en: `The ESU MAK key (ending ${s.partialKey}) has reached its limit of ${s.limit}; ${deviceId} cannot activate. Removing the key from old devices does not lower the count: request a higher limit`,
    },
  };
};

export const increaseRequestFor = (s: MakLedger, ctx: ActivateContext = {}): IncreaseRequest => {
  const org = ctx.org === undefined ? undefined : parseWith(OrgProfile, ctx.org, 'org');
  const asked = ctx.asked ?? 1;
  const used = activationsUsed(s);
  const removed = s.removed.length;
  const given = ctx.justification?.trim();
  return {
    agreementNumber: org?.agreementNumber,
    customerName: org?.customerName,
    contactName: org?.contactName,
    contactEmail: org?.contactEmail,
    contactPhone: org?.contactPhone,
    businessJustification: given
      ? { ja: given, en: given }
      : {
          ja: `Windows 7 ESU 第 ${s.year} 年度の MAK キーが上限 ${s.limit} 回に達した (使用 ${used} 回、うち ${removed} 台は端末の入れ替え等でキーを削除済みだがカウントは減らない)。追加の端末 ${asked} 台を認証するため`,
          en: `The Windows 7 ESU year ${s.year} MAK key has reached its limit of ${s.limit} (${used} used; the key was removed from ${removed} replaced or retired device(s), which does not return activations). ${asked} more device(s) need to activate`,
        },
    partialProductKey: s.partialKey,
    product: `Windows 7 Client ESU Year ${s.year} (MAK)`,
    currentLimit: s.limit,
    activationsUsed: used,
    additionalActivations: asked,
    form: esu.mak.limitRequest.form,
    email: esu.mak.limitRequest.email,
    missing: org ? [] : (Object.keys(OrgProfile.shape) as (keyof OrgProfile)[]),
    cites: makIncrease.clauses,
  };
};

export type RemoveResult = {
  readonly ledger: MakLedger;
  readonly activationsUsed: number;
  readonly text: Text;
  readonly cites: readonly ClauseId[];
};

/** Records the key taken off a device. The activation stays used (ESU-18). */
export const remove = (s: MakLedger, deviceId: string, on: string): RemoveResult => {
  checkDay(on, s, 'a removal');
  const known = s.activations.some((a) => a.deviceId === deviceId);
  const already = s.removed.some((r) => r.deviceId === deviceId);
  const ledger = known && !already ? { ...s, removed: [...s.removed, { deviceId, on }] } : s;
  return {
    ledger,
    activationsUsed: activationsUsed(ledger),
    cites: makRemovalKeepsCount.clauses,
    text: known
      ? {
          ja: `${deviceId} からキーを削除した記録を残した。認証済みの数 (${activationsUsed(ledger)}/${s.limit}) は減らない`,
          en: `Recorded the key's removal from ${deviceId}; activations used (${activationsUsed(ledger)}/${s.limit}) do not go down`,
        }
      : {
          ja: `${deviceId} はこのキーで認証された記録がない`,
          en: `${deviceId} has no activation with this key on record`,
        },
  };
};

/** More licences bought (ESU-17) or an increase granted (ESU-19): the limit only goes up. */
export const raiseLimit = (s: MakLedger, limit: number): MakLedger => {
  if (!Number.isInteger(limit) || limit < s.limit)
    throw new InputError([
      { path: 'limit', message: `the new limit must be a whole number of at least the current ${s.limit}` },
    ]);
  return { ...s, limit };
};

export interface DeviceRecords {
  readonly deviceId: string;
  /** Parsed slmgr /dlv or Get-CimInstance output of the device. */
  readonly records: readonly WindowsLicenceRecord[];
}

export interface ReconcileResult {
  readonly ledger: MakLedger;
  /** Devices the records show activated that the ledger did not count yet. */
  readonly added: readonly string[];
  /** Devices whose ESU add-on for the year is present but not licensed (key not installed or not activated). */
  readonly notActivated: readonly string[];
  /** Devices licensed with a different key for the year: an organisation has one (ESU-16). */
  readonly otherKey: readonly { readonly deviceId: string; readonly partialKey: string }[];
  /** The records show more activations than the limit (the ledger cannot refuse what Windows did). */
  readonly overLimit: boolean;
  readonly cites: readonly ClauseId[];
}

/**
 * Brings the ledger in line with what devices report: a device whose Windows 7 ESU add-on for the ledger's
 * year shows status 'licensed' counts as activated, on `on` (the day the output was taken).
 */
export const reconcile = (s: MakLedger, devices: readonly DeviceRecords[], on: string): ReconcileResult => {
  checkDay(on, s, 'a reconciliation');
  let ledger = s;
  const added: string[] = [];
  const notActivated: string[] = [];
  const otherKey: { deviceId: string; partialKey: string }[] = [];
  for (const d of devices) {
    const addOn = d.records.filter((r) => r.esu?.product === 'windows-7' && r.esu.year === s.year);
    const licensed = addOn.find((r) => r.status === 'licensed');
    if (!licensed) {
      if (addOn.length > 0) notActivated.push(d.deviceId);
      continue;
    }
    const partial = licensed.partialProductKey?.toUpperCase();
    if (partial !== undefined && partial !== s.partialKey) {
      otherKey.push({ deviceId: d.deviceId, partialKey: partial });
      continue;
    }
    if (ledger.activations.some((a) => a.deviceId === d.deviceId)) continue;
    ledger = {
      ...ledger,
      activations: [...ledger.activations, { deviceId: d.deviceId, activatedOn: on, year: s.year }],
    };
    added.push(d.deviceId);
  }
  return {
    ledger,
    added,
    notActivated,
    otherKey,
    overLimit: activationsUsed(ledger) > ledger.limit,
    cites: cites(makLimit.clauses, makPerOrganisation.clauses),
  };
};

const labels = {
  title: { ja: 'MAK キー認証上限数の引き上げ申請', en: 'Request to raise a MAK activation limit' },
  agreementNumber: { ja: '契約番号 (CSP/契約情報)', en: 'Agreement number' },
  customerName: { ja: 'お客様の名称', en: 'Customer name' },
  contactName: { ja: 'ご担当者名', en: 'Contact name' },
  contactEmail: { ja: 'ご担当者メール', en: 'Contact e-mail' },
  contactPhone: { ja: 'ご担当者電話番号', en: 'Contact phone' },
  product: { ja: '製品', en: 'Product' },
  partialProductKey: { ja: 'プロダクト キー (末尾 5 文字)', en: 'Product key (last 5 characters)' },
  currentLimit: { ja: '現在の上限数', en: 'Current limit' },
  activationsUsed: { ja: '使用済みの認証数', en: 'Activations used' },
  additionalActivations: { ja: '追加を希望する認証数', en: 'Additional activations requested' },
  businessJustification: { ja: '業務上の理由', en: 'Business justification' },
  form: { ja: 'MAK/KMS キー認証上限数申請フォーム', en: 'MAK/KMS activation limit request form' },
  email: { ja: 'または電子メール', en: 'or e-mail' },
  toFill: { ja: '(記入してください)', en: '(to fill in)' },
  keyNote: {
    ja: '完全なプロダクト キーが求められた場合は、フォームまたは電話で直接伝えてください (メールや文書に残さない)。',
    en: 'If the full product key is asked for, give it in the form or by phone only (not in e-mail or documents).',
  },
} as const;

/** The request as text to paste into the MAK/KMS limit request form or an e-mail to makadd@microsoft.com. */
export const renderIncreaseRequest = (r: IncreaseRequest, lang: Lang): string => {
  const v = (x: string | undefined) => x ?? labels.toFill[lang];
  const row = (k: keyof typeof labels, value: string | number) => `${labels[k][lang]}: ${value}`;
  return [
    labels.title[lang],
    '',
    row('agreementNumber', v(r.agreementNumber)),
    row('customerName', v(r.customerName)),
    row('contactName', v(r.contactName)),
    row('contactEmail', v(r.contactEmail)),
    row('contactPhone', v(r.contactPhone)),
    row('product', r.product),
    row('partialProductKey', r.partialProductKey),
    row('currentLimit', r.currentLimit),
    row('activationsUsed', r.activationsUsed),
    row('additionalActivations', r.additionalActivations),
    row('businessJustification', r.businessJustification[lang]),
    '',
    row('form', r.form),
    row('email', r.email),
    labels.keyNote[lang],
    `[${r.cites.join(', ')}]`,
  ].join('\n');
};
