import { and, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { deliveries, mailServers, tenants, type DeliveryError } from '../db/schema.ts';
import type { Database } from '../env.ts';

export type DeliveryRow = typeof deliveries.$inferSelect;
export type NewDelivery = typeof deliveries.$inferInsert;

/** What is stored of a message until it has been sent (recipients and subject have columns). */
export interface StoredPayload {
  text?: string;
  html?: string;
  attachments: { filename: string; contentType: string; content: string }[];
}

/** How long one attempt may hold a row; past it the sweeper treats the attempt as cut off. */
export const LEASE_MS = 5 * 60_000;
/** A `queued` row older than this was never picked up (the enqueue was lost): the sweeper re-enqueues it. */
export const QUEUED_GRACE_MS = 30_000;

/** The tenant and its mail server (if any), in one round trip. */
export async function readTenantWithServer(db: Database, tenantId: string) {
  const [tenantRows, serverRows] = await db.batch([
    db.select().from(tenants).where(eq(tenants.id, tenantId)),
    db.select().from(mailServers).where(eq(mailServers.tenantId, tenantId)),
  ]);
  return { tenant: tenantRows[0], server: serverRows[0] };
}

/** Stores a new delivery unless the tenant already used this idempotency key; returns the stored row either way. */
export async function insertDelivery(db: Database, row: NewDelivery): Promise<{ row: DeliveryRow; created: boolean }> {
  const inserted = await db.insert(deliveries).values(row).onConflictDoNothing().returning();
  if (inserted[0]) return { row: inserted[0], created: true };
  const existing = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.tenantId, row.tenantId), eq(deliveries.idempotencyKey, row.idempotencyKey!)));
  if (!existing[0]) throw new Error('delivery insert conflicted but no row was found');
  return { row: existing[0], created: false };
}

export async function readDelivery(db: Database, tenantId: string, id: string): Promise<DeliveryRow | undefined> {
  const rows = await db.select().from(deliveries).where(and(eq(deliveries.tenantId, tenantId), eq(deliveries.id, id)));
  return rows[0];
}

const claimable = (now: Date) =>
  and(
    or(
      and(eq(deliveries.status, 'queued')),
      and(eq(deliveries.status, 'retrying'), or(isNull(deliveries.nextAttemptAt), lte(deliveries.nextAttemptAt, now))),
      // An attempt whose lease ran out was cut off (the process died); it is resent once, never more.
      and(eq(deliveries.status, 'sending'), lt(deliveries.leaseUntil, now), eq(deliveries.interruptions, 0)),
    ),
  );

/**
 * Takes the given deliveries for one attempt (one statement): only those that are due and not
 * held by another attempt. Rows resumed after a cut-off attempt count an interruption.
 */
export async function claimDeliveries(db: Database, ids: string[], now: Date): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  return db
    .update(deliveries)
    .set({
      status: 'sending',
      attempts: sql`${deliveries.attempts} + 1`,
      interruptions: sql`${deliveries.interruptions} + (${deliveries.status} = 'sending')`,
      leaseUntil: new Date(now.getTime() + LEASE_MS),
    })
    .where(and(inArray(deliveries.id, ids), claimable(now)))
    .returning();
}

export interface AttemptOutcome {
  status: 'sent' | 'retrying' | 'failed';
  route: DeliveryRow['route'];
  smtpResponse?: string | null;
  error?: DeliveryError | null;
  fallbackReason?: DeliveryError | null;
  acceptedRecipients?: string[] | null;
  nextAttemptAt?: Date | null;
  sentAt?: Date | null;
}

/** Records the end of an attempt; a message that has ended (sent or failed) gives up its stored body. */
export async function recordOutcome(db: Database, id: string, outcome: AttemptOutcome): Promise<void> {
  const ended = outcome.status !== 'retrying';
  await db
    .update(deliveries)
    .set({
      status: outcome.status,
      route: outcome.route,
      smtpResponse: outcome.smtpResponse ?? null,
      error: outcome.error ?? null,
      ...(outcome.fallbackReason !== undefined ? { fallbackReason: outcome.fallbackReason } : {}),
      ...(outcome.acceptedRecipients !== undefined ? { acceptedRecipients: outcome.acceptedRecipients } : {}),
      nextAttemptAt: outcome.nextAttemptAt ?? null,
      sentAt: outcome.sentAt ?? null,
      leaseUntil: null,
      ...(ended ? { payload: null } : {}),
    })
    .where(eq(deliveries.id, id));
}

/** Ids the sweeper must (re-)enqueue: lost enqueues, due retries, attempts cut off mid-send. */
export async function dueDeliveryIds(db: Database, now: Date, limit = 500): Promise<string[]> {
  const rows = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      or(
        and(eq(deliveries.status, 'queued'), lt(deliveries.createdAt, new Date(now.getTime() - QUEUED_GRACE_MS))),
        and(eq(deliveries.status, 'retrying'), lte(deliveries.nextAttemptAt, now)),
        and(eq(deliveries.status, 'sending'), lt(deliveries.leaseUntil, now)),
      ),
    )
    .orderBy(deliveries.createdAt)
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Attempts cut off twice cannot be resent without risking a third copy; they end `failed`
 * with a reason that tells the tenant to check whether the mail arrived.
 */
export async function failTwiceInterrupted(db: Database, now: Date): Promise<number> {
  const rows = await db
    .update(deliveries)
    .set({
      status: 'failed',
      error: { stage: 'data', code: 'interrupted', responseCode: null, response: null },
      leaseUntil: null,
      payload: null,
    })
    .where(and(eq(deliveries.status, 'sending'), lt(deliveries.leaseUntil, now), sql`${deliveries.interruptions} >= 1`))
    .returning({ id: deliveries.id });
  return rows.length;
}

/** The tenant's own deliveries, newest first, keyset-paginated by (created_at, id). */
export async function listDeliveries(db: Database, tenantId: string, limit: number, after?: { createdAt: Date; id: string }) {
  return db
    .select({
      id: deliveries.id,
      kind: deliveries.kind,
      status: deliveries.status,
      route: deliveries.route,
      recipients: deliveries.recipients,
      subject: deliveries.subject,
      attempts: deliveries.attempts,
      smtpResponse: deliveries.smtpResponse,
      error: deliveries.error,
      fallbackReason: deliveries.fallbackReason,
      createdAt: deliveries.createdAt,
      sentAt: deliveries.sentAt,
    })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.tenantId, tenantId),
        after
          ? or(lt(deliveries.createdAt, after.createdAt), and(eq(deliveries.createdAt, after.createdAt), lt(deliveries.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit);
}
