import type { Database } from '../db/database.ts';
import { errorSummary } from '../util/error-summary.ts';
import { extendLeases, renewEveryMs } from './leases.ts';

/**
 * The rows one `deliver()` call holds, and their lease. A batch can take longer than one lease
 * (100 messages over a slow server), so the lease is renewed every third of it, at most 30 s
 * apart (a row not handed over yet is taken up once a renewal is missed), for the rows not yet
 * done. A row is only handed to a server while the lease has at least a third left; if renewing
 * fails (database down) or another attempt took a row over, no new send starts, so the sweeper
 * can never re-send a row this attempt is still sending.
 */
export class Claim {
  private readonly unstartedIds: Set<string>;
  private readonly inFlight = new Set<string>();
  private validUntil: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private renewing = false;
  private aborted = false;

  constructor(
    private readonly db: Database,
    readonly token: string,
    ids: string[],
    private readonly leaseMs: number,
    private readonly now: () => Date,
    claimedAt: Date,
  ) {
    this.unstartedIds = new Set(ids);
    this.validUntil = claimedAt.getTime() + leaseMs;
    this.timer = setInterval(() => void this.renew(), renewEveryMs(leaseMs));
  }

  /** Whether the row may be handed to a server now; if so it counts as started from here on. */
  start(id: string): boolean {
    if (!this.mayStart(id)) return false;
    this.unstartedIds.delete(id);
    this.inFlight.add(id);
    return true;
  }

  /** Whether `start` would allow the row now (nothing changes). */
  mayStart(id: string): boolean {
    return this.unstartedIds.has(id) && this.mayHandOver();
  }

  /** Whether a started row may still go to a server now: nothing failed and the lease has a third left. */
  mayHandOver(): boolean {
    return !this.aborted && this.validUntil - this.now().getTime() >= this.leaseMs / 3;
  }

  /** A started row that did not go to a server after all: it is given back with the unstarted ones. */
  giveBack(id: string): void {
    if (this.inFlight.delete(id)) this.unstartedIds.add(id);
  }

  /** The row's attempt has ended (recorded or not): no more renewals for it. */
  finish(id: string): void {
    this.inFlight.delete(id);
  }

  /** Something failed: start nothing more (what is running ends normally). */
  abort(): void {
    this.aborted = true;
  }

  /** Until when the lease is known to hold (ms since the epoch). */
  validUntilMs(): number {
    return this.validUntil;
  }

  /** Rows never handed to a server: they can be given back untouched. */
  unstarted(): string[] {
    return [...this.unstartedIds];
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const ids = [...this.inFlight, ...this.unstartedIds];
    const startedAt = this.now().getTime();
    try {
      const held = new Set(await extendLeases(this.db, ids, this.token, new Date(startedAt + this.leaseMs)));
      this.validUntil = startedAt + this.leaseMs;
      // Rows another attempt took over (only possible after our lease ran out) are not ours to send.
      for (const id of ids) if (!held.has(id)) this.unstartedIds.delete(id);
    } catch (error) {
      console.error(`outbox lease renewal failed (no new sends until it works again): ${errorSummary(error)}`);
    } finally {
      this.renewing = false;
    }
  }
}
