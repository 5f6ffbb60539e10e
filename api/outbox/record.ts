import { and, eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import {
  deliveries,
  deliveryPayloadChunks,
  type AttemptLogEntry,
  type DeliveryError,
  type DeliveryRow,
} from '../db/schema.ts';
import type { Database } from '../db/database.ts';
import { heldBy } from './leases.ts';
import type { WebhookConfig } from '../config/webhooks.ts';
import { deliveryOutcomeEvents } from './webhooks-events.ts';
import { keepsBody } from './actions.ts';

export interface AttemptOutcome {
  status: 'sent' | 'retrying' | 'failed';
  route: DeliveryRow['route'];
  smtpResponse?: string | null;
  error?: DeliveryError | null;
  fallbackReason?: DeliveryError | null;
  acceptedRecipients?: string[] | null;
  /** Set when this attempt handed the message to the system relay after the tenant route failed. */
  fallbackAtAttempt?: number;
  /** The server got the message but gave no verdict: counts like an attempt cut off mid-send. */
  interrupted?: boolean;
  nextAttemptAt?: Date | null;
  sentAt?: Date | null;
}

/**
 * The statements that record the end of an attempt; a message that has ended (sent or failed)
 * gives up its stored body. Only the holder of the claim may: the first statement returns the row
 * only when this attempt still held it.
 */
function outcomeStatements(
  db: Database,
  id: string,
  outcome: AttemptOutcome,
  now: Date,
  token: string,
  webhooks: WebhookConfig | null,
) {
  // Every attempt keeps its reply in the log; a fallback attempt logs the tenant route's failure first.
  const at = now.toISOString();
  const log: AttemptLogEntry[] = [
    ...(outcome.fallbackReason
      ? [{ at, route: 'tenant' as const, status: 'failed' as const, response: null, error: outcome.fallbackReason }]
      : []),
    {
      at,
      route: outcome.route ?? 'system',
      status: outcome.status,
      response: outcome.smtpResponse ?? null,
      error: outcome.error ?? null,
    },
  ];
  const appended = sql`json_insert(coalesce(${deliveries.attemptLog}, '[]'), ${sql.join(
    log.map((entry) => sql`'$[#]', json(${JSON.stringify(entry)})`),
    sql`, `,
  )})`;
  const update = db
    .update(deliveries)
    .set({
      status: outcome.status,
      route: outcome.route,
      smtpResponse: outcome.smtpResponse ?? null,
      error: outcome.error ?? null,
      ...(outcome.fallbackReason !== undefined ? { fallbackReason: outcome.fallbackReason } : {}),
      ...(outcome.acceptedRecipients !== undefined ? { acceptedRecipients: outcome.acceptedRecipients } : {}),
      ...(outcome.fallbackAtAttempt !== undefined ? { fallbackAtAttempt: outcome.fallbackAtAttempt } : {}),
      // A route taken up in this attempt has the whole retry budget from here (the old route is read).
      routeSinceAttempt: sql`case when ${deliveries.route} is ${outcome.route} then ${deliveries.routeSinceAttempt} else ${deliveries.attempts} end`,
      ...(outcome.interrupted ? { interruptions: sql`${deliveries.interruptions} + 1` } : {}),
      nextAttemptAt: outcome.nextAttemptAt ?? null,
      sentAt: outcome.sentAt ?? null,
      leaseUntil: null,
      claimToken: null,
      attemptLog: appended,
    })
    .where(and(eq(deliveries.id, id), heldBy(token)))
    .returning({ id: deliveries.id });
  // The events go right after the update: they are stored only when it recorded the outcome.
  const fellBack = outcome.fallbackAtAttempt !== undefined;
  const events = deliveryOutcomeEvents(db, webhooks, id, outcome.status, fellBack, now);
  if (outcome.status === 'retrying') return [update, ...events] as const;
  // The body goes only if this attempt really ended the row.
  return [
    update,
    ...events,
    db.delete(deliveryPayloadChunks).where(
      and(
        eq(deliveryPayloadChunks.deliveryId, id),
        // A failed business mail keeps it while it may be sent again (actions.ts lets it go later).
        sql`exists (select 1 from ${deliveries} where ${deliveries.id} = ${id} and (${deliveries.status} = 'sent' or (${deliveries.status} = 'failed' and not (${keepsBody}))))`,
      ),
    ),
  ] as const;
}

/** Records the end of an attempt; false when another attempt took the row over meanwhile. */
export async function recordOutcome(
  db: Database,
  id: string,
  outcome: AttemptOutcome,
  now: Date,
  token: string,
  webhooks: WebhookConfig | null = null,
): Promise<boolean> {
  return (await recordAndHandOver(db, { id, outcome }, null, now, token, webhooks)).recorded;
}

/**
 * One write for a sending slot: the outcome of the row it sent last (if any), and the row it
 * sends next marked as handed over (if any) — so marking costs no round trip of its own. Each
 * part only for a row this attempt still holds. A row still without Message-ID (see
 * assignMessageId) gets `messageId` here, before anything is sent; `messageId` in the result is
 * the one to send it with.
 */
export async function recordAndHandOver(
  db: Database,
  record: { id: string; outcome: AttemptOutcome } | null,
  handOver: { id: string; messageId: string } | null,
  now: Date,
  token: string,
  webhooks: WebhookConfig | null = null,
): Promise<{ recorded: boolean; handedOver: { messageId: string | null } | null }> {
  const statements: BatchItem<'sqlite'>[] = record
    ? [...outcomeStatements(db, record.id, record.outcome, now, token, webhooks)]
    : [];
  if (handOver) {
    statements.push(
      db
        .update(deliveries)
        .set({ handedOver: true, messageId: sql`coalesce(${deliveries.messageId}, ${handOver.messageId})` })
        .where(and(eq(deliveries.id, handOver.id), heldBy(token)))
        .returning({ messageId: deliveries.messageId }),
    );
  }
  if (statements.length === 0) return { recorded: false, handedOver: null };
  const results = (await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as unknown[];
  const returned = (result: unknown) =>
    Array.isArray(result) && result.length > 0 ? (result[0] as { messageId?: string | null }) : null;
  const marked = handOver ? returned(results[results.length - 1]) : null;
  return {
    recorded: record ? returned(results[0]) !== null : false,
    handedOver: marked && { messageId: marked.messageId ?? null },
  };
}
