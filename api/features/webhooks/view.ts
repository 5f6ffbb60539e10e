import type { WebhookDeliverySummary } from '../../../contract/index.ts';
import type { WebhookDeliveryRow } from '../../db/schema.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** A stored event as the operator sees it; the body is the one that was signed (no secrets in it). */
export function webhookDeliverySummary(row: WebhookDeliveryRow): WebhookDeliverySummary {
  return {
    id: row.id,
    type: row.type,
    tenantId: row.tenantId,
    status: row.status,
    attempts: row.attempts,
    lastResponseStatus: row.lastResponseStatus,
    lastError: row.lastError,
    nextAttemptAt: iso(row.nextAttemptAt),
    createdAt: row.createdAt.toISOString(),
    deliveredAt: iso(row.deliveredAt),
    event: JSON.parse(row.payload) as WebhookDeliverySummary['event'],
  };
}
