import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { WebhookDeliveryStatus, WebhookEventType } from '../../../contract/index.ts';
import { webhookDeliveries as w } from '../../db/schema.ts';
import type { Database } from '../../db/database.ts';

export interface WebhookDeliveryFilter {
  status?: WebhookDeliveryStatus;
  type?: WebhookEventType;
  after?: { createdAt: Date; id: string };
}

/** The events, newest first, keyset-paginated by (created_at, id). */
export function listWebhookDeliveries(db: Database, filter: WebhookDeliveryFilter, limit: number) {
  const { status, type, after } = filter;
  return db
    .select()
    .from(w)
    .where(
      and(
        status ? eq(w.status, status) : undefined,
        type ? eq(w.type, type) : undefined,
        after
          ? or(lt(w.createdAt, after.createdAt), and(eq(w.createdAt, after.createdAt), lt(w.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(w.createdAt), desc(w.id))
    .limit(limit);
}

/**
 * Sends the event again with the same id and body, as a new one with a whole retry schedule. An
 * attempt still running loses its claim (its result is not recorded): at least once, never lost.
 */
export async function replayWebhookDelivery(db: Database, id: string) {
  const [row] = await db
    .update(w)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: null, leaseUntil: null, claimToken: null, deliveredAt: null })
    .where(eq(w.id, id))
    .returning();
  return row;
}
