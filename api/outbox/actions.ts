// The tenant's two actions on a business mail that did not go out ("Retry now", "Send via the
// system mail server"): the row is made due again and handed to the outbox like any other, so
// claims and leases keep a message from going out twice.

import { and, eq, exists, inArray, or, sql } from 'drizzle-orm';
import { deliveries, deliveryPayloadChunks, type DeliveryRow } from '../db/schema.ts';
import type { Database } from '../db/database.ts';

export type DeliveryAction = 'retry' | 'send-via-system';

/** Errors after which the server may have the message, or there is nothing left to send: never sent again. */
export const NO_RESEND_CODES = ['interrupted', 'delivery_unknown', 'payload_missing', 'payload_unusable'] as const;

/** The kinds the tenant acts on (business mail; tests and notices are not sent again). */
export const BUSINESS_KINDS = ['invoice', 'reminder', 'document'] as const;

/** In SQL: a `failed` row whose message may be sent again (nobody can have it, its body is kept). */
export const resendable = sql`(${deliveries.acceptedRecipients} is null or json_array_length(${deliveries.acceptedRecipients}) = 0) and coalesce(json_extract(${deliveries.error}, '$.code'), '') not in (${sql.join(
  NO_RESEND_CODES.map((c) => sql`${c}`),
  sql`, `,
)})`;

/** In SQL: a failed row whose body is kept for the tenant's actions. */
export const keepsBody = sql`${inArray(deliveries.kind, [...BUSINESS_KINDS])} and ${resendable}`;

/** Why an action does not apply: no such row of the tenant's, in progress/sent, or not to be sent again. */
export type ActionRefusal = 'not_found' | 'in_progress' | 'already_sent' | 'not_resendable';

/**
 * Makes the tenant's row due now (one statement, only from `retrying` or a resendable `failed`),
 * audited with who and when; `send-via-system` also pins the row on the system relay, as a
 * fallback would, with a retry budget of its own. Returns the row to enqueue, or why not.
 */
export async function requeueForAction(
  db: Database,
  ref: { id: string; tenantId: string },
  action: DeliveryAction,
  by: string,
  now: Date,
): Promise<{ row: DeliveryRow } | { refused: ActionRefusal }> {
  const viaSystem =
    action === 'send-via-system'
      ? {
          route: 'system-fallback' as const,
          routePinned: true,
          fallbackReason: sql`coalesce(${deliveries.fallbackReason}, ${deliveries.error})`,
          // The claim counts the next attempt as attempts + 1: the relay's budget starts there.
          fallbackAtAttempt: sql`${deliveries.attempts} + 1`,
          routeSinceAttempt: sql`${deliveries.attempts} + 1`,
        }
      : {};
  const [row] = await db
    .update(deliveries)
    .set({
      status: 'retrying',
      nextAttemptAt: now,
      action,
      actionBy: by,
      actionAt: now,
      // A new try may fail again: then the tenant is told again.
      noticeId: null,
      acknowledgedAt: null,
      ...viaSystem,
    })
    .where(
      and(
        eq(deliveries.id, ref.id),
        eq(deliveries.tenantId, ref.tenantId),
        inArray(deliveries.kind, [...BUSINESS_KINDS]),
        or(
          eq(deliveries.status, 'retrying'),
          and(
            eq(deliveries.status, 'failed'),
            resendable,
            exists(
              db
                .select({ one: sql`1` })
                .from(deliveryPayloadChunks)
                .where(eq(deliveryPayloadChunks.deliveryId, deliveries.id)),
            ),
          ),
        ),
      ),
    )
    .returning();
  if (row) return { row };
  return { refused: await refusalOf(db, ref) };
}

async function refusalOf(db: Database, ref: { id: string; tenantId: string }): Promise<ActionRefusal> {
  const [row] = await db
    .select({ status: deliveries.status, kind: deliveries.kind })
    .from(deliveries)
    .where(and(eq(deliveries.id, ref.id), eq(deliveries.tenantId, ref.tenantId)));
  if (!row || !(BUSINESS_KINDS as readonly string[]).includes(row.kind)) return 'not_found';
  if (row.status === 'sent') return 'already_sent';
  if (row.status === 'sending' || row.status === 'queued') return 'in_progress';
  return 'not_resendable';
}

/** Failed rows keep their body this long so the tenant can still send them; the sweep lets it go after. */
export const RESEND_KEEP_MS = 7 * 24 * 60 * 60_000;

/** Lets go of the bodies of failed rows past RESEND_KEEP_MS or never to be sent again (read from the few rows that have one). */
export async function dropStaleBodies(db: Database, now: Date): Promise<void> {
  await db.delete(deliveryPayloadChunks).where(
    exists(
      db
        .select({ one: sql`1` })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.id, deliveryPayloadChunks.deliveryId),
            eq(deliveries.status, 'failed'),
            or(sql`not ${resendable}`, sql`${deliveries.createdAt} < ${now.getTime() - RESEND_KEEP_MS}`),
          ),
        ),
    ),
  );
}
