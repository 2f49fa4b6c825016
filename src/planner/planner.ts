import { esuYearOn } from '../data/esu.ts';
import type { Reason, Remedy } from '../engine/rule.ts';
import type { Verdict } from '../engine/verdict.ts';
import type { Device, Image, Licence, Question, User } from '../model/question.ts';
import { evaluate } from '../rules/reimaging/evaluate.ts';
import type { ClauseId } from '../sources/clause-ids.ts';

/** What stays the same for every device of one plan. */
export interface FleetContext {
  readonly asOf: string;
  readonly image: Image;
  /** The organisation's licences not assigned to a device or user: media rights and pools to allocate. */
  readonly organisationLicences: readonly Licence[];
  readonly imagedBy: Question['imagedBy'];
}

export interface DeviceDecision {
  readonly question: Question;
  readonly verdict: Verdict;
  /** A pooled licence the plan assigned to this device (or to its users) to license it. */
  readonly allocated: Licence | undefined;
}

export interface Purchase {
  readonly remedy: string;
  readonly what: NonNullable<Remedy['buy']>['what'];
  readonly assignment: string | undefined;
  readonly product: string;
  readonly edition: string;
  readonly version: string;
  readonly esuYear: number | undefined;
  quantity: number;
  readonly clauses: readonly ClauseId[];
  readonly text: Remedy['text'];
}

export interface PlanSummary {
  readonly asOf: string;
  readonly totals: { devices: number; allowed: number; denied: number; conditional: number };
  readonly byReason: {
    rule: string;
    clauses: readonly ClauseId[];
    verdict: Verdict['verdict'];
    count: number;
  }[];
  readonly byClause: Record<string, number>;
  readonly purchases: Purchase[];
  readonly pools: {
    licence: string;
    agreementNumber: string | undefined;
    quantity: number;
    allocated: number;
  }[];
  readonly openUsage: Record<string, number>;
}

interface Pool {
  readonly licence: Licence;
  remaining: number;
}

/**
 * Decides one image for a fleet, device by device, keeping the counts that hold across the fleet: pooled
 * licences are assigned until their quantity runs out, and Open numbers image no more devices than
 * licences bought (RR-12). Devices arrive as a stream, so the fleet never has to fit in memory.
 */
export class FleetPlanner {
  private readonly devicePools: Pool[] = [];
  private readonly userPools: Pool[] = [];
  private readonly openUsage: Record<string, number> = {};
  private readonly userHolds = new Map<string, Licence>();
  private readonly totals = { devices: 0, allowed: 0, denied: 0, conditional: 0 };
  /**
   * Devices per verdict and rule, found by the rule itself: a key text made for each reason of a million
   * devices was most of what recording a verdict cost. The rows are listed in the order first counted.
   */
  private readonly reasonCounts: Record<
    Verdict['verdict'],
    Map<Reason['rule'], PlanSummary['byReason'][number]>
  > = {
    allowed: new Map(),
    denied: new Map(),
    conditional: new Map(),
  };
  private readonly reasonRows: PlanSummary['byReason'][number][] = [];
  private readonly clauseCounts: Record<string, number> = {};
  private readonly purchases = new Map<string, Purchase>();
  private volumeLicenceNeeded: Purchase | undefined;

  constructor(private readonly context: FleetContext) {
    for (const l of context.organisationLicences) {
      // The plan itself is the count of devices imaged under each Open number (RR-12): it starts at zero.
      if (l.countLimited && l.agreementNumber !== undefined) this.openUsage[l.agreementNumber] = 0;
      // Only a licence of the image's own product and edition can license a device for it.
      const image = context.image;
      if (l.product !== image.product || l.edition !== image.edition || l.quantity === undefined) continue;
      (l.assignment === 'user' ? this.userPools : this.devicePools).push({
        licence: l,
        remaining: l.quantity,
      });
    }
  }

  decide(device: Device): DeviceDecision {
    const first = this.question(device);
    let decision: DeviceDecision = { question: first, verdict: evaluate(first), allocated: undefined };
    if (decision.verdict.verdict !== 'allowed') decision = this.tryPools(device) ?? decision;
    this.record(decision);
    if (decision.verdict.verdict === 'denied' && decision.allocated === undefined)
      this.countFollowOnPurchases(device, decision.verdict);
    return decision;
  }

  /**
   * A device denied for want of a licence a pool holds, with the pool spent, is told to buy that licence;
   * but the engine judges one shortfall at a time, so what the licence would not cure (a Home PC's missing
   * qualifying OS, RR-14) shows only once the device has it. The pool's licence stands in for the one to
   * buy: whatever would still block the device with it is bought as well. The device's verdict is not
   * changed: it is what the fleet has today.
   */
  private countFollowOnPurchases(device: Device, verdict: Verdict): void {
    const pool = this.devicePools.find((p) => p.remaining <= 0);
    if (pool === undefined) return;
    const buying = new Set<string>();
    for (const r of verdict.reasons) {
      const what = purchasable(r)?.buy?.what;
      if (what) buying.add(what);
    }
    if (!buying.has('enterprise') && !buying.has('sa-per-device')) return;
    const then = evaluate(this.question(withLicence(device, pool.licence)));
    if (then.verdict !== 'denied') return;
    this.countPurchases(
      then.reasons.filter((r) => {
        const what = purchasable(r)?.buy?.what;
        return what !== undefined && !buying.has(what);
      }),
    );
  }

  summary(): PlanSummary {
    const purchases = [...this.purchases.values()];
    if (this.volumeLicenceNeeded) purchases.push(this.volumeLicenceNeeded);
    return {
      asOf: this.context.asOf,
      totals: { ...this.totals },
      byReason: this.reasonRows.map((row) => ({ ...row })).sort((a, b) => b.count - a.count),
      byClause: { ...this.clauseCounts },
      purchases: purchases.sort((a, b) => b.quantity - a.quantity),
      pools: [...this.devicePools, ...this.userPools].map((p) => ({
        licence: p.licence.id,
        agreementNumber: p.licence.agreementNumber,
        quantity: p.licence.quantity ?? 0,
        allocated: (p.licence.quantity ?? 0) - p.remaining,
      })),
      openUsage: { ...this.openUsage },
    };
  }

  private question(device: Device): Question {
    return {
      asOf: this.context.asOf,
      image: this.context.image,
      device,
      organisationLicences: this.context.organisationLicences,
      imagedBy: this.context.imagedBy,
      openUsage: this.openUsage,
    };
  }

  /** Tries each pool with room: a pooled licence is spent only when it turns the verdict to allowed. */
  private tryPools(device: Device): DeviceDecision | undefined {
    // When a pooled licence with room does not clear the device, what still blocks it (a qualifying OS,
    // say) is the better answer: the licence it lacked is already in the pool, so it need not be bought.
    let blocked: DeviceDecision | undefined;
    for (const pool of this.devicePools) {
      if (pool.remaining <= 0) continue;
      const q = this.question(withLicence(device, pool.licence));
      const verdict = evaluate(q);
      if (verdict.verdict === 'allowed') {
        pool.remaining--;
        return { question: q, verdict, allocated: pool.licence };
      }
      blocked ??= { question: q, verdict, allocated: undefined };
    }
    if (device.users.length === 0) return blocked;
    for (const pool of this.userPools) {
      const missing = device.users.filter(
        (u) => !this.userHolds.has(u.id) && !u.licences.includes(pool.licence),
      );
      if (pool.remaining < missing.length) continue;
      const users = device.users.map((u) => withUserLicence(u, this.userHolds.get(u.id) ?? pool.licence));
      const q = this.question(withUsers(device, users));
      const verdict = evaluate(q);
      if (verdict.verdict === 'allowed') {
        pool.remaining -= missing.length;
        for (const u of missing) this.userHolds.set(u.id, pool.licence);
        return { question: q, verdict, allocated: pool.licence };
      }
    }
    return blocked;
  }

  private record({ question, verdict }: DeviceDecision): void {
    this.totals.devices++;
    this.totals[verdict.verdict]++;
    for (const c of verdict.cites) this.clauseCounts[c] = (this.clauseCounts[c] ?? 0) + 1;
    const counts = this.reasonCounts[verdict.verdict];
    for (const r of verdict.reasons) {
      const row = counts.get(r.rule);
      if (row) row.count++;
      else {
        const first = { rule: r.rule.id, clauses: r.rule.clauses, verdict: verdict.verdict, count: 1 };
        counts.set(r.rule, first);
        this.reasonRows.push(first);
      }
    }
    if (verdict.verdict === 'allowed') {
      const media = mediaLicence(question, verdict.mediaBasis);
      const agreement = media?.countLimited ? media.agreementNumber : undefined;
      if (agreement !== undefined) this.openUsage[agreement] = (this.openUsage[agreement] ?? 0) + 1;
      return;
    }
    if (verdict.verdict === 'denied') this.countPurchases(verdict.reasons);
  }

  /** One purchase per reason that has something to buy: the first purchasable remedy of that reason. */
  private countPurchases(reasons: Verdict['reasons']): void {
    const image = this.context.image;
    for (const r of reasons) {
      const m = purchasable(r);
      if (!m?.buy) continue;
      const target = purchaseTarget(m.buy.what, image);
      const esuYear = m.buy.what === 'esu-year' ? esuYearOn(this.context.asOf) : undefined;
      const purchase: Purchase = {
        remedy: m.id,
        what: m.buy.what,
        assignment: m.buy.assignment,
        ...target,
        esuYear,
        quantity: 1,
        clauses: m.clauses,
        text: m.text,
      };
      // Media rights are bought once for the organisation, not per device (RR-12: at least one licence).
      if (m.buy.what === 'volume-licence') {
        this.volumeLicenceNeeded ??= purchase;
        continue;
      }
      const key = `${m.id}|${target.product}|${target.edition}|${target.version}|${esuYear ?? ''}`;
      const known = this.purchases.get(key);
      if (known) known.quantity++;
      else this.purchases.set(key, purchase);
    }
  }
}

/** The remedy of a reason that is bought: a plan counts one purchase per reason. */
const purchasable = (r: Verdict['reasons'][number]): Remedy | undefined =>
  r.remedies?.find((x) => x.buy !== undefined);

const mediaLicence = (q: Question, path: string | undefined): Licence | undefined => {
  if (path === undefined) return undefined;
  for (const l of q.organisationLicences) if (l.path === path) return l;
  for (const l of q.device.licences) if (l.path === path) return l;
  for (const u of q.device.users) for (const l of u.licences) if (l.path === path) return l;
  return undefined;
};

const purchaseTarget = (what: NonNullable<Remedy['buy']>['what'], image: Image) => {
  switch (what) {
    case 'enterprise':
      return { product: 'windows', edition: 'enterprise', version: image.version };
    case 'qualifying-os':
      return { product: 'windows', edition: 'pro', version: image.version };
    case 'sa-per-device':
      return { product: 'windows', edition: 'enterprise', version: image.version };
    case 'esu-year':
      return { product: 'windows', edition: image.edition, version: '7' };
    case 'image-product':
    case 'volume-licence':
      return { product: image.product, edition: image.edition, version: image.version };
  }
};

// Literal construction keeps one hidden class per kind of object (see normalise.ts).
const withLicence = (d: Device, l: Licence): Device => ({
  id: d.id,
  vendor: d.vendor,
  vendorKey: d.vendorKey,
  licences: [...d.licences, l],
  firstImagedWith: d.firstImagedWith,
  primaryUser: d.primaryUser,
  users: d.users,
  esuYears: d.esuYears,
});

const withUsers = (d: Device, users: readonly User[]): Device => ({
  id: d.id,
  vendor: d.vendor,
  vendorKey: d.vendorKey,
  licences: d.licences,
  firstImagedWith: d.firstImagedWith,
  primaryUser: d.primaryUser,
  users,
  esuYears: d.esuYears,
});

const withUserLicence = (u: User, l: Licence): User =>
  u.licences.includes(l) ? u : { id: u.id, name: u.name, licences: [...u.licences, l] };
