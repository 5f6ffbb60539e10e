// Node has no Cloudflare Queue: the outbox runs in-process. An enqueued delivery is sent on the
// next turn (or after its retry delay) by the same `deliver()` the queue consumer uses; a tenant's
// deliveries enqueued together are sent as one batch (pooled SMTP sessions). Tenants are kept
// apart: a batch holds one tenant's deliveries, a tenant has at most RUNS_PER_TENANT batches
// running, and free runs go to the tenants in turn, so one tenant's slow server never holds up
// another's invoices. Deliveries enqueued while a tenant's runs are busy wait and go out together
// as its next batch, over reused connections, instead of one connection per invoice. Timers are
// only a fast path: every row is in the database first, so what a stopped or crashed process still
// had scheduled is picked up by the sweeper (`sweepOutbox`, every minute like the Worker's cron,
// and once at start).

import { configOf } from '../config/config.ts';
import type { SmtpTimeouts } from '../smtp/types.ts';
import type { Bindings } from '../config/bindings.ts';
import type { Database } from '../db/database.ts';
import type { DeliveryRef, Enqueue, EnqueueWebhook } from '../outbox/enqueue.ts';
import { deliver } from '../outbox/deliver.ts';
import { sweepOutbox } from '../outbox/sweeper.ts';
import { sendableWebhooks } from '../config/webhooks.ts';
import { deliverWebhooks, dueWebhooks, pendingWebhooksOf } from '../outbox/webhooks-deliver.ts';
import type { HandOverWebhooks } from '../outbox/webhooks-hand-over.ts';
import { errorSummary } from '../util/error-summary.ts';
import { waitAtMost } from '../util/wait-at-most.ts';

/** Ids per `deliver()` call, like the queue consumer's max_batch_size. */
const MAX_BATCH = 100;
/** `deliver()` calls at a time, all tenants together. */
const MAX_RUNS = 8;
/**
 * `deliver()` calls at a time for one tenant. Each opens at most 4 connections per route
 * (deliver.ts), so a tenant's server sees at most 8 connections from this process.
 */
export const RUNS_PER_TENANT = 2;
/** setTimeout's limit (about 24.8 days); retry delays are far below it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface NodeOutboxOptions {
  env: Bindings;
  /** The database (called when needed; throws while DATABASE_URL is missing). */
  db: () => Database;
  now?: () => Date;
  timeouts?: Partial<SmtpTimeouts>;
  /** Per webhook attempt (tests shorten it). */
  webhookTimeoutMs?: number;
}

export class NodeOutbox {
  private readonly env: Bindings;
  private readonly db: () => Database;
  private readonly now: () => Date;
  private readonly timeouts: Partial<SmtpTimeouts> | undefined;
  private readonly webhookTimeoutMs: number | undefined;
  /** Ids to send now, per tenant; the map's order is the order tenants get the next free run. */
  private readonly due = new Map<string, Set<string>>();
  private readonly runsOf = new Map<string, number>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly running = new Set<Promise<void>>();
  /** `deliver()` calls in flight (running also holds the sweep). */
  private runs = 0;
  private flushScheduled = false;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private sweeping = false;
  private stopped = false;

  constructor(options: NodeOutboxOptions) {
    this.env = options.env;
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
    this.timeouts = options.timeouts;
    this.webhookTimeoutMs = options.webhookTimeoutMs;
  }

  /** Schedules the delivery of a stored row (the Node counterpart of `queueEnqueuer`). */
  readonly enqueue: Enqueue = async (delivery, delaySeconds = 0) => {
    if (this.stopped) return; // the row is stored; the sweeper of the next start sends it
    if (delaySeconds <= 0) return this.schedule([delivery]);
    this.later(delaySeconds, () => this.schedule([delivery]));
  };

  /** Sends a stored webhook event now or after its retry delay (the Node counterpart of `queueWebhookEnqueuer`). */
  readonly enqueueWebhook: EnqueueWebhook = async (webhookId, delaySeconds = 0) => {
    if (this.stopped) return; // stored; the sweeper of the next start sends it
    this.later(delaySeconds, () => this.track(this.sendWebhooks(async () => [webhookId])));
  };

  /** Sends the events a request stored (a save, a reset, a replay) at once (the Node counterpart of `queueWebhookHandOver`). */
  readonly handOverWebhooks: HandOverWebhooks = (tenantId) => {
    if (!this.stopped) this.track(this.sendWebhooks((db) => pendingWebhooksOf(db, tenantId)));
  };

  private later(delaySeconds: number, run: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.stopped) run();
      },
      Math.min(delaySeconds * 1000, MAX_TIMER_MS),
    );
    // A waiting retry alone does not keep the process alive (the sweeper covers it after a restart).
    timer.unref?.();
    this.timers.add(timer);
  }

  /** Sends the webhook events `select` names, by default all that are due (the batch's outcomes, a sweep). */
  private async sendWebhooks(select = (db: Database) => dueWebhooks(db, this.now())): Promise<void> {
    const webhooks = sendableWebhooks(configOf(this.env).webhooks);
    if (!webhooks || this.stopped) return;
    try {
      const db = this.db();
      const due = await select(db);
      const ctx = { db, webhooks, now: this.now, enqueue: this.enqueueWebhook, timeoutMs: this.webhookTimeoutMs };
      await deliverWebhooks(due, ctx);
    } catch (error) {
      console.error(`webhook events failed, the sweeper will pick them up: ${errorSummary(error)}`);
    }
  }

  /** One sweep: ends rows cut off twice, delivers lost enqueues, due retries and cut-off attempts. */
  async sweep(): Promise<{ failed: number; requeued: number }> {
    const { outbox, webhooks } = configOf(this.env);
    const result = await sweepOutbox(
      this.db(),
      this.now(),
      async (due) => this.schedule(due),
      outbox.leaseMs,
      webhooks,
    );
    if (result.failed + result.requeued > 0) {
      console.log(`outbox sweep: ${result.requeued} re-enqueued, ${result.failed} ended as interrupted twice`);
    }
    await this.sendWebhooks();
    return result;
  }

  /** Sweeps now and then every `intervalMs` (a sweep still running is not started again). */
  startSweeper(intervalMs = 60_000): void {
    if (this.sweeper || this.stopped) return;
    const run = () => {
      if (this.sweeping || this.stopped) return;
      this.sweeping = true;
      this.track(
        this.sweep()
          .then(() => undefined)
          .catch((error) => console.error(`outbox sweep failed: ${errorSummary(error)}`))
          .finally(() => {
            this.sweeping = false;
          }),
      );
    };
    this.sweeper = setInterval(run, intervalMs);
    this.sweeper.unref?.();
    run();
  }

  /** Resolves when nothing is scheduled for now and no delivery or sweep is running (delayed retries may wait). */
  async idle(): Promise<void> {
    while (this.flushScheduled || this.running.size > 0) {
      await Promise.all([...this.running, new Promise((resolve) => setImmediate(resolve))]);
    }
  }

  /** Stops scheduling and waits (bounded) for deliveries in flight; what is left is in the database. */
  async stop(timeoutMs = 35_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.due.clear();
    await waitAtMost(this.idle(), timeoutMs);
  }

  private schedule(deliveries: DeliveryRef[]): void {
    if (this.stopped) return;
    for (const { id, tenantId } of deliveries) {
      const ids = this.due.get(tenantId) ?? new Set<string>();
      this.due.set(tenantId, ids.add(id));
    }
    this.requestFlush();
  }

  private requestFlush(): void {
    if (this.flushScheduled || this.stopped) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Starts batches while runs are free, one tenant's at a time in turn; the rest waits for a run to end. */
  private flush(): void {
    this.flushScheduled = false;
    let started = true;
    while (started && !this.stopped && this.runs < MAX_RUNS) {
      started = false;
      for (const [tenantId, ids] of [...this.due]) {
        if (this.runs >= MAX_RUNS) break;
        if ((this.runsOf.get(tenantId) ?? 0) >= RUNS_PER_TENANT) continue;
        const batch = [...ids].slice(0, MAX_BATCH);
        for (const id of batch) ids.delete(id);
        // To the back of the line: the next free run goes to the other tenants first.
        this.due.delete(tenantId);
        if (ids.size > 0) this.due.set(tenantId, ids);
        this.track(this.run(tenantId, batch));
        started = true;
      }
    }
  }

  private async run(tenantId: string, ids: string[]): Promise<void> {
    this.runs += 1;
    this.runsOf.set(tenantId, (this.runsOf.get(tenantId) ?? 0) + 1);
    try {
      await deliver(ids, {
        db: this.db(),
        config: configOf(this.env),
        runtime: 'node',
        now: this.now,
        enqueue: this.enqueue,
        timeouts: this.timeouts,
      });
    } catch (error) {
      // Database unreachable or similar: the rows stay stored and the sweeper tries them again.
      console.error(`outbox batch failed, the sweeper will pick it up: ${errorSummary(error)}`);
    } finally {
      // The events of the batch's outcomes go out at once (on the queue consumer's run, not a new one).
      this.track(this.sendWebhooks());
      this.runs -= 1;
      const left = this.runsOf.get(tenantId)! - 1;
      if (left > 0) this.runsOf.set(tenantId, left);
      else this.runsOf.delete(tenantId);
      if (this.due.size > 0) this.requestFlush();
    }
  }

  private track(promise: Promise<void>): void {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }
}
