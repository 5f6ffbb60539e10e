import type { Config } from '../config/config.ts';
import type { DeliveryRow } from '../db/schema.ts';
import type { Database } from '../db/database.ts';
import type { MailRuntime, SmtpTimeouts } from '../smtp/types.ts';
import { systemSender, tenantSender } from '../sending/sender.ts';
import { errorSummary } from '../util/error-summary.ts';
import { Claim } from './claim.ts';
import { TenantBatch } from './tenant-batch.ts';
import { PayloadLoader } from './payloads.ts';
import { CONNECTIONS_PER_ROUTE, RouteSessions } from './route-sessions.ts';
import { claimDeliveries, releaseClaims } from './leases.ts';
import { readTenantWithServer } from './tenant.ts';
import type { DeliveryRef, Enqueue, Lane } from './enqueue.ts';
import { passesToSlowLane, updateSlowMark } from './slow-lane.ts';

export interface OutboxContext {
  db: Database;
  config: Config;
  runtime: MailRuntime;
  now: () => Date;
  /** Puts a delivery (back) on the queue, optionally delayed. */
  enqueue: Enqueue;
  /** Workers: the queue the batch came from (slow-lane.ts); Node has no lanes. */
  lane?: Lane;
  timeouts?: Partial<SmtpTimeouts>;
  /** Payload bytes read into memory at once (default PAYLOAD_LOAD_BYTES; tests make it small). */
  payloadLoadBytes?: number;
  /** Waits before another try of a write while the database is away (default a timer; tests need not wait). */
  sleep?: (ms: number) => Promise<void>;
}

/** Sends the deliveries with these ids (those still due); records every outcome. */
export async function deliver(ids: string[], ctx: OutboxContext): Promise<void> {
  const token = crypto.randomUUID();
  const lease = ctx.config.outbox.leaseMs;
  const claimedAt = ctx.now();
  const rows = await claimDeliveries(ctx.db, ids, claimedAt, lease, token);
  if (rows.length === 0) return;
  const claim = new Claim(
    ctx.db,
    token,
    rows.map((r) => r.id),
    lease,
    ctx.now,
    claimedAt,
  );
  let failure: unknown;
  /** The lane each tenant's deliveries go back on, when not the batch's own. */
  const lanes = new Map<string, Lane>();
  try {
    const byTenant = new Map<string, DeliveryRow[]>();
    for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
    // The batch's sessions are shared among its tenants (a Worker invocation has six connections in all).
    const slots = Math.max(1, Math.floor(CONNECTIONS_PER_ROUTE / byTenant.size));
    // Payloads are read as their rows come up (a batch of large invoices would not fit in memory).
    const payloads = await PayloadLoader.open(
      ctx.db,
      [...byTenant.values()].map((tenantRows) => tenantRows.map((r) => r.id)),
      ctx.payloadLoadBytes,
    );
    const results = await Promise.allSettled(
      [...byTenant].map(([tenantId, tenantRows]) =>
        // However a tenant's part ends, what it read ahead is let go (the budget is shared).
        deliverForTenant(tenantId, tenantRows, { payloads, claim, slots, lanes }, ctx).finally(() => {
          for (const r of tenantRows) payloads.release(r.id);
        }),
      ),
    );
    failure = results.find((r) => r.status === 'rejected')?.reason;
  } catch (error) {
    failure = error;
  } finally {
    claim.stop();
  }
  // Rows never handed to a server go back untouched, so the next try does not count them as cut off.
  const unstarted = claim.unstarted();
  if (unstarted.length > 0) {
    try {
      await releaseClaims(ctx.db, unstarted, ctx.now(), token);
      if (!failure) {
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const id of unstarted) {
          const row = byId.get(id)!;
          await ctx.enqueue(row, 0, lanes.get(row.tenantId) ?? ctx.lane);
        }
      }
    } catch (error) {
      console.error(
        `outbox: giving back ${unstarted.length} unsent deliveries failed (the sweeper picks them up when their lease ends): ${errorSummary(error)}`,
      );
    }
  }
  if (failure) throw failure;
}

/** What a batch's tenants share. */
interface BatchShared {
  payloads: PayloadLoader;
  claim: Claim;
  /** Sessions per route for each tenant. */
  slots: number;
  lanes: Map<string, Lane>;
}

async function deliverForTenant(
  tenantId: string,
  rows: DeliveryRow[],
  { payloads, claim, slots, lanes }: BatchShared,
  ctx: OutboxContext,
): Promise<void> {
  const { tenant, server } = await readTenantWithServer(ctx.db, tenantId);
  if (!tenant) return; // deleted with its deliveries (ON DELETE CASCADE)
  if (passesToSlowLane(server, ctx.lane, ctx.now())) {
    lanes.set(tenantId, 'slow'); // its rows stay unstarted and go back on the slow queue
    return;
  }
  const sessions = await RouteSessions.open(server, {
    config: ctx.config,
    db: ctx.db,
    now: ctx.now,
    runtime: ctx.runtime,
    timeouts: ctx.timeouts,
  });
  const senders = { tenant: tenantSender(tenant, server), system: systemSender(ctx.config.systemFrom, tenant, server) };
  // A server that stalled sends no more of this batch (its route is broken) and moves to the slow queue.
  const laneNow = () => (ctx.lane && sessions.tenantStalled() ? 'slow' : ctx.lane);
  const requeue = (row: DeliveryRef, delay: number) => ctx.enqueue(row, delay, laneNow());
  const batch = new TenantBatch({ ctx, claim, payloads, requeue }, rows, server, sessions, senders);
  try {
    const ended = await Promise.allSettled(
      Array.from({ length: Math.min(slots, rows.length) }, (_, slot) => batch.runSlot(slot)),
    );
    const failed = ended.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await sessions.close();
    if (laneNow() === 'slow') lanes.set(tenantId, 'slow');
    if (server)
      await updateSlowMark(ctx.db, server, ctx.lane, sessions.tenantStalled(), ctx.now()).catch((e) =>
        console.error(`outbox: marking the server of ${tenantId} slow (or not) failed: ${errorSummary(e)}`),
      );
  }
}
