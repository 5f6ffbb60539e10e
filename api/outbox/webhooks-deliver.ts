// Delivers stored webhook events (webhooks-events.ts) to the operator's URL, signed as Standard
// Webhooks asks, through the same queue (Workers) or in-process outbox (Node) as the mail. At
// least once: an event is claimed with a lease and a token like a delivery, and only its holder
// records the result; an attempt cut off is taken up again once its lease ran out.

import { and, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { WebhookConfig } from '../config/webhooks.ts';
import { webhookDeliveries, type WebhookDeliveryRow } from '../db/schema.ts';
import type { Database } from '../db/database.ts';
import { errorSummary } from '../util/error-summary.ts';
import type { EnqueueWebhook } from './enqueue.ts';
import { nextRetryDelay } from './policy.ts';

/** How long one attempt may take: the receiver should answer at once and work afterwards. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
/** The attempt's timeout plus the write of its result, with room to spare. */
const WEBHOOK_LEASE_MS = 60_000;

export interface WebhookContext {
  db: Database;
  webhooks: WebhookConfig;
  now: () => Date;
  /** Puts an event (back) on the queue after its retry delay. */
  enqueue: EnqueueWebhook;
  /** Per attempt (default WEBHOOK_TIMEOUT_MS; tests shorten it). */
  timeoutMs?: number;
}

const w = webhookDeliveries;

/** Due now: new, a retry whose time has come, or an attempt whose holder is gone. */
const due = (now: Date) =>
  or(
    eq(w.status, 'pending'),
    and(eq(w.status, 'retrying'), or(isNull(w.nextAttemptAt), lte(w.nextAttemptAt, now))),
    and(eq(w.status, 'delivering'), lt(w.leaseUntil, now)),
  );

/** Sends the events with these ids (those still due), at once, and records each result. */
export async function deliverWebhooks(ids: string[], ctx: WebhookContext): Promise<void> {
  if (ids.length === 0) return;
  const token = crypto.randomUUID();
  const now = ctx.now();
  const rows = await ctx.db
    .update(w)
    .set({
      status: 'delivering',
      attempts: sql`${w.attempts} + 1`,
      leaseUntil: new Date(now.getTime() + WEBHOOK_LEASE_MS),
      claimToken: token,
    })
    .where(and(inArray(w.id, ids), due(now)))
    .returning();
  await Promise.all(rows.map((row) => attempt(row, token, ctx)));
}

/** What the receiver did with one attempt. */
type Result = { ok: true; status: number } | { ok: false; status: number | null; error: string | null };

/** One signed POST, bounded in time; redirects are not followed (the URL is the operator's). */
export async function postEvent(row: WebhookDeliveryRow, ctx: WebhookContext): Promise<Result> {
  const sentAt = ctx.now();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': row.id,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(ctx.webhooks.secret).sign(row.id, sentAt, row.payload),
  };
  try {
    const response = await fetch(ctx.webhooks.url, {
      method: 'POST',
      headers,
      body: row.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return ok ? { ok, status: response.status } : { ok, status: response.status, error: null };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { ok: false, status: null, error: timedOut ? 'timeout' : errorSummary(error) };
  }
}

async function attempt(row: WebhookDeliveryRow, token: string, ctx: WebhookContext): Promise<void> {
  const result = await postEvent(row, ctx);
  const now = ctx.now();
  const delay = result.ok ? null : nextRetryDelay(ctx.webhooks.retryDelays, row.attempts);
  const status = result.ok ? 'delivered' : delay === null ? 'failed' : 'retrying';
  try {
    const recorded = await ctx.db
      .update(w)
      .set({
        status,
        lastResponseStatus: result.status,
        lastError: result.ok ? null : result.error,
        nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay * 1000),
        deliveredAt: result.ok ? now : null,
        leaseUntil: null,
        claimToken: null,
      })
      .where(and(eq(w.id, row.id), eq(w.status, 'delivering'), eq(w.claimToken, token)))
      .returning({ id: w.id });
    if (recorded.length > 0 && delay !== null) await ctx.enqueue(row.id, delay);
  } catch (error) {
    // The lease runs out and the sweeper sends it again: at least once.
    console.error(`webhook ${row.id}: recording the attempt failed (it is sent again): ${errorSummary(error)}`);
  }
}

/** The tenant's events not yet tried (a save's, a reset's, a replayed one), for a hand-over right after the request. */
export async function pendingWebhooksOf(db: Database, tenantId: string | null, limit = 100): Promise<string[]> {
  const ofTenant = tenantId === null ? isNull(w.tenantId) : eq(w.tenantId, tenantId);
  const rows = await db
    .select({ id: w.id })
    .from(w)
    .where(and(eq(w.status, 'pending'), ofTenant))
    .orderBy(w.createdAt)
    .limit(limit);
  return rows.map((r) => r.id);
}

/** The sweeper's part for events: the ids due now (lost enqueues, due retries, cut-off attempts). */
export async function dueWebhooks(db: Database, now: Date, limit = 500): Promise<string[]> {
  const rows = await db.select({ id: w.id }).from(w).where(due(now)).orderBy(w.createdAt).limit(limit);
  return rows.map((r) => r.id);
}
