// The statements that store a webhook event, to be put into the very batch that makes the change
// the event reports. Each one inserts only when the statement just before it changed a row
// (`changes()`), so an outcome that another attempt had taken over, a save whose If-Match failed
// or a reset with nothing to reset store no event; a batch that fails leaves none either.

import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import type { WebhookConfig } from '../config/webhooks.ts';
import type { WebhookEventType } from '../../contract/index.ts';

/** The specification's `msg_` ids: one per event, the same on every retry and replay. */
export const newWebhookId = () => `msg_${crypto.randomUUID().replaceAll('-', '')}`;

/** Milliseconds since the epoch (an integer column) as the ISO time JSON carries. */
const isoOf = (column: SQL) => sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch')`;

/**
 * Inserts one event whose `data` is the JSON object `data` evaluates to over `from` (a `from …
 * where …` clause, or empty): only when the batch's previous statement changed a row.
 */
function eventStatement(db: Database, type: WebhookEventType, now: Date, tenantId: SQL, data: SQL, from: SQL) {
  const payload = sql`json_object('type', ${type}, 'timestamp', ${now.toISOString()}, 'data', ${data})`;
  return db.run(sql`insert into webhook_deliveries (id, type, tenant_id, payload, status, attempts, created_at)
    select ${newWebhookId()}, ${type}, ${tenantId}, ${payload}, 'pending', 0, ${now.getTime()} ${from}`);
}

/**
 * The events of a recorded delivery outcome (`message.fallback` first when the system relay took
 * over in this attempt), right after the statement that recorded it. Test sends and the tenant's
 * notice mails (about its failed invoices) are no messages of the portal's: they report nothing.
 */
export function deliveryOutcomeEvents(
  db: Database,
  webhooks: WebhookConfig | null,
  id: string,
  status: 'sent' | 'retrying' | 'failed',
  fellBack: boolean,
  now: Date,
) {
  if (!webhooks) return [];
  const types: WebhookEventType[] = [...(fellBack ? (['message.fallback'] as const) : []), `message.${status}`];
  const data = sql`json_object('tenantId', tenant_id, 'deliveryId', id, 'kind', kind, 'reference', reference,
    'status', status, 'route', route, 'messageId', message_id, 'smtpResponse', smtp_response,
    'error', json(error), 'fallbackReason', json(fallback_reason), 'attempts', attempts,
    'nextAttemptAt', ${isoOf(sql`next_attempt_at`)}, 'sentAt', ${isoOf(sql`sent_at`)})`;
  const from = sql`from deliveries where id = ${id} and kind not in ('test', 'notice') and changes() > 0`;
  return types.map((type) => eventStatement(db, type, now, sql`tenant_id`, data, from));
}

/** `mail_server.changed` after a save (over the stored row) or a reset, right after the statement that wrote it. */
export function mailServerChangedEvent(
  db: Database,
  webhooks: WebhookConfig | null,
  tenantId: string,
  change: 'saved' | 'reset',
  now: Date,
) {
  if (!webhooks) return [];
  if (change === 'reset') {
    const data = sql`json_object('tenantId', ${tenantId}, 'change', 'reset')`;
    return [eventStatement(db, 'mail_server.changed', now, sql`${tenantId}`, data, sql`where changes() > 0`)];
  }
  const data = sql`json_object('tenantId', tenant_id, 'change', 'saved', 'version', version, 'host', host,
    'port', port, 'security', security, 'authMethod', auth_method, 'oauthProvider', oauth_provider,
    'fallbackToSystem', json(case when fallback_to_system then 'true' else 'false' end))`;
  const from = sql`from mail_servers where tenant_id = ${tenantId} and changes() > 0`;
  return [eventStatement(db, 'mail_server.changed', now, sql`tenant_id`, data, from)];
}

/** `mail_server.grant_expired` after the statement that marked the tenant's sign-in invalid. */
export function grantExpiredEvent(
  db: Database,
  webhooks: WebhookConfig | null,
  tenantId: string,
  provider: string,
  now: Date,
) {
  if (!webhooks) return [];
  const data = sql`json_object('tenantId', ${tenantId}, 'provider', ${provider})`;
  return [eventStatement(db, 'mail_server.grant_expired', now, sql`${tenantId}`, data, sql`where changes() > 0`)];
}
