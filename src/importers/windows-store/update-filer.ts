import { InputError, type InputIssue } from '../../model/input-error.ts';
import type { Db } from '../../store/db.ts';
import type { MergeCounts } from '../../store/merge.ts';
import { type ReportOptions, saveInstalledUpdatesOf } from '../../store/windows-reports.ts';
import type { InstalledUpdate } from '../windows/hotfix.ts';
import type { Warning } from '../windows/licence-record.ts';

/** Windows computer names are case-insensitive, and Get-HotFix prints them as the remote end answered. */
const computer = (name: string | undefined): string | undefined => name?.trim().toUpperCase() || undefined;

const listed = (names: readonly string[], max = 10): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/**
 * Files an update listing's rows under devices, batch by batch, inside the caller's transaction.
 *
 * With a device named, the whole listing is that device's, and a listing that names several computers is
 * refused: filing one computer's updates under another would show a missing prerequisite as installed.
 * Without one, each computer the listing names (Get-HotFix's Source, wmic's CSName) is matched to the
 * device with that key or name. After the first problem nothing more is written, but the rest of the
 * listing is still read so that every unknown computer is named at once; `finish` then throws, and the
 * caller's transaction rolls back what was written.
 */
export class UpdateFiler {
  private readonly computers = new Set<string>();
  private readonly keyOf = new Map<string, string>();
  private readonly unknown = new Set<string>();
  private readonly ambiguous = new Map<string, string[]>();
  private readonly devices = new Set<string>();
  private unnamed = 0;
  private written: MergeCounts = { inserted: 0, updated: 0, unchanged: 0 };
  rows = 0;

  constructor(
    private readonly tx: Db,
    private readonly org: string,
    private readonly device: string | undefined,
    private readonly file: string,
    private readonly options: ReportOptions,
    private readonly warnings: Warning[],
  ) {}

  private get blocked(): boolean {
    return this.device !== undefined
      ? this.computers.size > 1
      : this.unnamed > 0 || this.unknown.size > 0 || this.ambiguous.size > 0;
  }

  async add(updates: readonly InstalledUpdate[]): Promise<void> {
    this.rows += updates.length;
    const fresh: string[] = [];
    for (const u of updates) {
      const c = computer(u.source);
      if (c === undefined) this.unnamed += 1;
      else if (!this.computers.has(c)) {
        this.computers.add(c);
        fresh.push(c);
      }
    }
    if (this.device !== undefined) {
      if (this.computers.size === 1 && fresh.length === 1) await this.checkName(fresh[0]!);
      if (!this.blocked) await this.write(new Map([[this.device, updates]]));
      return;
    }
    if (fresh.length > 0) await this.match(fresh);
    if (this.blocked) return;
    const byDevice = new Map<string, InstalledUpdate[]>();
    for (const u of updates) {
      const key = this.keyOf.get(computer(u.source)!)!;
      const list = byDevice.get(key);
      if (list) list.push(u);
      else byDevice.set(key, [u]);
    }
    await this.write(byDevice);
  }

  /** The devices written to, in key order, and what changed; throws what kept the listing from being filed. */
  finish(): { devices: string[]; written: MergeCounts } {
    const issue = (message: string): InputIssue => ({ file: this.file, path: 'device', message });
    const all = [...this.computers].sort();
    if (this.device !== undefined && all.length > 1)
      throw new InputError([
        issue(
          `the listing covers ${all.length} computers (${listed(all)}), not one device: import it without --device to file each computer's updates under the device of that name`,
        ),
      ]);
    if (this.device === undefined) {
      const issues: InputIssue[] = [];
      if (this.unnamed > 0)
        issues.push(
          issue(
            'the listing does not name the computer it was taken on (no Source or CSName column): give --device KEY',
          ),
        );
      const unknown = [...this.unknown].sort();
      if (unknown.length > 0)
        issues.push(
          issue(
            `no device in organisation '${this.org}' has the key or name of ${unknown.length} computer(s) the listing names: ${listed(unknown)} (import the devices first, or give --device KEY for a one-computer listing)`,
          ),
        );
      for (const [c, keys] of [...this.ambiguous].sort(([a], [b]) => (a < b ? -1 : 1)))
        issues.push(
          issue(
            `computer ${c} matches several devices (${keys.join(', ')}): give --device KEY with that computer's listing alone`,
          ),
        );
      if (issues.length > 0) throw new InputError(issues);
    }
    const devices = this.device !== undefined ? [this.device] : [...this.devices].sort();
    return { devices, written: this.written };
  }

  private async write(byDevice: ReadonlyMap<string, readonly InstalledUpdate[]>): Promise<void> {
    const w = await saveInstalledUpdatesOf(this.tx, this.org, byDevice, this.options);
    this.written = {
      inserted: this.written.inserted + w.inserted,
      updated: this.written.updated + w.updated,
      unchanged: this.written.unchanged + w.unchanged,
    };
    for (const d of byDevice.keys()) this.devices.add(d);
  }

  private async match(computers: readonly string[]): Promise<void> {
    const matches = await this.tx.query<{ computer: string; key: string }>(
      `select c.computer, d.key from unnest($2::text[]) as c(computer)
       join devices d on d.org_id = $1 and (upper(d.key) = c.computer or upper(d.name) = c.computer)
       order by c.computer, d.key`,
      [this.org, computers],
    );
    const keys = new Map<string, string[]>();
    for (const m of matches) keys.set(m.computer, [...(keys.get(m.computer) ?? []), m.key]);
    for (const c of computers) {
      const found = keys.get(c) ?? [];
      if (found.length === 0) this.unknown.add(c);
      else if (found.length > 1) this.ambiguous.set(c, found);
      else this.keyOf.set(c, found[0]!);
    }
  }

  /** A one-computer listing filed under a device of another name is filed as asked, with a warning. */
  private async checkName(only: string): Promise<void> {
    const [d] = await this.tx.query<{ key: string; name: string | null }>(
      'select key, name from devices where org_id = $1 and key = $2',
      [this.org, this.device],
    );
    if (d && computer(d.key) !== only && computer(d.name ?? undefined) !== only)
      this.warnings.push({
        code: 'computer-mismatch',
        message: `the listing was taken on computer ${only}, but device '${this.device}' is ${d.name ? `named '${d.name}'` : 'stored without a name'}: its updates are filed under '${this.device}' as --device says`,
      });
  }
}
