import { and, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { deliveries, deliveryPayloadChunks } from '../db/schema.ts';
import type { Database } from '../db/database.ts';
import { DEFAULT_LEASE_MS } from '../config/outbox-timing.ts';
import type { DeliveryRef } from './enqueue.ts';
import { holderGone, resumable } from './leases.ts';
import { tenantFollowUps } from './notices.ts';
import type { BatchItem } from 'drizzle-orm/batch';
import type { WebhookConfig } from '../config/webhooks.ts';
import { deliveryOutcomeEvents } from './webhooks-events.ts';

/**
 * The scheduled safety net: ends rows whose resend was cut off too (a third copy is never risked)
 * and test sends whose result was never recorded, then re-enqueues lost enqueues, due retries and
 * attempts cut off mid-send. `leaseMs` is the consumers' lease (config.outbox.leaseMs); with a
 * wrong one rows are taken up later (a longer lease) or enqueued in vain (a shorter one: the claim
 * refuses rows whose holder is alive), never sent twice.
 */
export async function sweepOutbox(
  db: Database,
  now: Date,
  enqueueMany: (due: DeliveryRef[]) => Promise<void>,
  leaseMs = DEFAULT_LEASE_MS,
  webhooks: WebhookConfig | null = null,
): Promise<{ failed: number; requeued: number }> {
  const failed = (await failTwiceInterrupted(db, now, webhooks)) + (await failAbandonedTests(db, now));
  const due = [...(await dueDeliveries(db, now, leaseMs)), ...(await tenantFollowUps(db, now))];
  if (due.length > 0) await enqueueMany(due);
  return { failed, requeued: due.length };
}

/** A `queued` row older than this was never picked up (the enqueue was lost): the sweeper re-enqueues it. */
export const QUEUED_GRACE_MS = 30_000;

/** Deliveries the sweeper must (re-)enqueue: lost enqueues, due retries, attempts whose holder is gone. */
export async function dueDeliveries(db: Database, now: Date, leaseMs: number, limit = 500): Promise<DeliveryRef[]> {
  return db
    .select({ id: deliveries.id, tenantId: deliveries.tenantId })
    .from(deliveries)
    .where(
      or(
        and(eq(deliveries.status, 'queued'), lt(deliveries.createdAt, new Date(now.getTime() - QUEUED_GRACE_MS))),
        and(eq(deliveries.status, 'retrying'), lte(deliveries.nextAttemptAt, now)),
        and(eq(deliveries.status, 'sending'), holderGone(now, leaseMs)),
      ),
    )
    .orderBy(deliveries.createdAt)
    .limit(limit);
}

/**
 * Cut-off attempts that may not be taken up again (see `resumable`): cut off twice after handing the
 * message over (a resend would risk a third copy), or still never sent MAX_UNSENT_AGE_MS after acceptance.
 * They end `failed` with a reason that tells the tenant to check whether the mail arrived.
 */
export async function failTwiceInterrupted(
  db: Database,
  now: Date,
  webhooks: WebhookConfig | null = null,
): Promise<number> {
  const cutOff = and(eq(deliveries.status, 'sending'), lt(deliveries.leaseUntil, now), sql`not ${resumable(now)}`);
  const fail = (where: typeof cutOff) =>
    db
      .update(deliveries)
      .set({
        status: 'failed',
        error: { stage: 'data', code: 'interrupted', responseCode: null, response: null },
        leaseUntil: null,
        claimToken: null,
      })
      .where(where)
      .returning({ id: deliveries.id });
  let ended: string[];
  if (!webhooks) ended = (await fail(cutOff)).map((r) => r.id);
  else {
    // With webhooks, each row's message.failed goes into the batch right after the statement that ends it.
    const ids = (await db.select({ id: deliveries.id }).from(deliveries).where(cutOff)).map((r) => r.id);
    if (ids.length === 0) return 0;
    const statements: BatchItem<'sqlite'>[] = ids.flatMap((id) => [
      fail(and(eq(deliveries.id, id), cutOff)),
      ...deliveryOutcomeEvents(db, webhooks, id, 'failed', false, now),
    ]);
    const results = (await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as unknown[];
    ended = results.flatMap((r) => (Array.isArray(r) ? (r as { id: string }[]).map((row) => row.id) : []));
  }
  if (ended.length > 0) await db.delete(deliveryPayloadChunks).where(inArray(deliveryPayloadChunks.deliveryId, ended));
  return ended.length;
}

/** A test send takes at most 30 s; one still `sending` after this was cut off (its process died). */
export const ABANDONED_TEST_MS = 2 * 60_000;

/** Ends test sends whose process died before recording the result (tests are not retried). */
export async function failAbandonedTests(db: Database, now: Date): Promise<number> {
  const rows = await db
    .update(deliveries)
    .set({
      status: 'failed',
      error: { stage: 'connect', code: 'test_interrupted', responseCode: null, response: null },
    })
    .where(
      and(
        eq(deliveries.kind, 'test'),
        eq(deliveries.status, 'sending'),
        lt(deliveries.createdAt, new Date(now.getTime() - ABANDONED_TEST_MS)),
      ),
    )
    .returning({ id: deliveries.id });
  return rows.length;
}
