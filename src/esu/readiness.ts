import { type EsuYear, esuYearOn, esuYearWindow } from '../data/esu.ts';
import type { Text } from '../engine/text.ts';
import { HOTFIX_LISTING_CAVEAT, normaliseKb } from '../importers/windows/hotfix.ts';
import { prerequisitesAsOf } from '../rules/esu/prerequisites.ts';
import { prerequisites } from '../rules/esu/rules.ts';
import type { ClauseId } from '../sources/clause-ids.ts';

export interface ReadinessItem {
  readonly kb: string;
  readonly kind: string;
  readonly title: Text;
  readonly source: string;
  /** 'not-listed' is what the listing shows, never "missing for sure" (see `caveat`). */
  readonly status: 'listed' | 'not-listed';
}

export interface Readiness {
  readonly asOf: string;
  /** False when no update listing was given: every prerequisite is then 'not-listed'. */
  readonly listingGiven: boolean;
  readonly items: readonly ReadinessItem[];
  readonly allListed: boolean;
  /** The ESU year holding `asOf` and the activation ID its key activates, when there is one. */
  readonly esuYear: EsuYear | undefined;
  readonly activationId: string | undefined;
  readonly summary: Text;
  /** Why "not listed" is not "missing": Get-HotFix and wmic qfe omit some installed updates. */
  readonly caveat: Text;
  readonly cites: readonly ClauseId[];
}

/**
 * Which ESU prerequisites (ESU-12) an imported update listing shows. A KB the listing lacks is reported as
 * "not listed" with the caveat, because Win32_QuickFixEngineering omits updates installed by component
 * servicing: the way to be sure is to install it (the installer says when it is already present).
 */
export const readiness = (
  deviceUpdates: readonly { readonly kb: string }[] | undefined,
  asOf: string,
): Readiness => {
  const have = new Set((deviceUpdates ?? []).flatMap((u) => normaliseKb(u.kb) ?? []));
  const items: ReadinessItem[] = prerequisitesAsOf(asOf).map((p) => ({
    kb: p.kb,
    kind: p.kind,
    title: p.title,
    source: p.source,
    status: have.has(p.kb) ? 'listed' : 'not-listed',
  }));
  const notListed = items.filter((i) => i.status === 'not-listed');
  const year = esuYearOn(asOf);
  const missing = notListed.map((p) => p.kb).join(', ');
  return {
    asOf,
    listingGiven: deviceUpdates !== undefined,
    items,
    allListed: notListed.length === 0,
    esuYear: year,
    activationId: year === undefined ? undefined : esuYearWindow(year).activationId,
    summary:
      deviceUpdates === undefined
        ? {
            ja: '更新プログラムの一覧がない。Get-HotFix (または wmic qfe list) の出力を取り込むと、必須更新の有無を確認できる',
            en: 'No update listing was given; import Get-HotFix (or wmic qfe list) output to check the prerequisites',
          }
        : notListed.length === 0
          ? { ja: '必須の更新プログラムはすべて一覧にある', en: 'Every prerequisite update is listed' }
          : {
              ja: `一覧にない必須更新: ${missing}。未適用とは限らないが、適用する (適用済みならインストーラーがそう表示する)`,
              en: `Prerequisites not listed: ${missing}. That is not proof they are missing; install them (the installer says so if they are already there)`,
            },
    caveat: HOTFIX_LISTING_CAVEAT,
    cites: prerequisites.clauses,
  };
};

export interface FleetReadiness {
  readonly asOf: string;
  readonly devices: readonly { readonly deviceId: string; readonly readiness: Readiness }[];
  /** For each prerequisite, the devices whose listing does not show it (or that gave no listing). */
  readonly notListedOn: readonly { readonly kb: string; readonly devices: readonly string[] }[];
  readonly ready: readonly string[];
  readonly caveat: Text;
  readonly cites: readonly ClauseId[];
}

/** Readiness of every device, and the fleet view: which prerequisite to push where. */
export const fleetReadiness = (
  devices: readonly {
    readonly deviceId: string;
    readonly updates?: readonly { readonly kb: string }[] | undefined;
  }[],
  asOf: string,
): FleetReadiness => {
  const each = devices.map((d) => ({ deviceId: d.deviceId, readiness: readiness(d.updates, asOf) }));
  const kbs = prerequisitesAsOf(asOf).map((p) => p.kb);
  return {
    asOf,
    devices: each,
    notListedOn: kbs.map((kb) => ({
      kb,
      devices: each
        .filter((d) => d.readiness.items.some((i) => i.kb === kb && i.status === 'not-listed'))
        .map((d) => d.deviceId),
    })),
    ready: each.filter((d) => d.readiness.allListed).map((d) => d.deviceId),
    caveat: HOTFIX_LISTING_CAVEAT,
    cites: prerequisites.clauses,
  };
};
