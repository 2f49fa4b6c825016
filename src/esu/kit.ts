import type { EsuYear } from '../data/esu.ts';
import type { ClauseId } from '../sources/clause-ids.ts';
import type { ProductKey } from './product-key.ts';
import { type FleetReadiness, fleetReadiness } from './readiness.ts';
import {
  type ActivationPlan,
  activationPlan,
  cmdScript,
  encodeScript,
  powershellScript,
  scriptFileName,
} from './scripts.ts';

export interface KitFile {
  readonly name: string;
  readonly kind: 'cmd' | 'ps1';
  readonly text: string;
  /** What to write: CP932 + CRLF for .cmd, UTF-8 with BOM + CRLF for .ps1 (see encodeScript). */
  readonly bytes: Buffer;
  /** The file holds the full key (only when asked for): the caller should write it 0600 and say so. */
  readonly holdsKey: boolean;
}

export interface DeploymentKit {
  readonly plan: ActivationPlan;
  readonly readiness: FleetReadiness;
  readonly files: readonly KitFile[];
  readonly cites: readonly ClauseId[];
}

export interface KitOptions {
  readonly year: EsuYear;
  readonly asOf: string;
  readonly devices: readonly {
    readonly deviceId: string;
    readonly updates?: readonly { readonly kb: string }[];
  }[];
  readonly key?: ProductKey;
  readonly includeKey: boolean;
  /** One script pair per device (named in its header) rather than one pair for the whole fleet. */
  readonly perDevice?: boolean;
}

/** The deployment kit: the fleet's readiness from imported update lists, and the activation scripts. */
export const deploymentKit = (o: KitOptions): DeploymentKit => {
  const targets = o.perDevice ? o.devices.map((d) => d.deviceId) : [undefined];
  const files = targets.flatMap((deviceId) => {
    const opts = { year: o.year, key: o.key, includeKey: o.includeKey, deviceId };
    return (['cmd', 'ps1'] as const).map((kind): KitFile => {
      const text = kind === 'cmd' ? cmdScript(opts) : powershellScript(opts);
      return {
        name: scriptFileName(opts, kind),
        kind,
        text,
        bytes: encodeScript(text, kind),
        holdsKey: o.includeKey,
      };
    });
  });
  const plan = activationPlan(o.year);
  const readiness = fleetReadiness(o.devices, o.asOf);
  return { plan, readiness, files, cites: [...new Set([...plan.cites, ...readiness.cites])] };
};
