import type { DeliverySummary } from '../../../contract/index.ts';
import type { DeliveryRow } from '../../db/schema.ts';
import { localizeDeliveryError } from '../../i18n/delivery-errors.ts';
import type { Lang } from '../../i18n/lang.ts';
import type { DeliveryListRow } from './store.ts';

/** A listed row; notices are never listed, so their kind never reaches the wire. */
export function deliverySummary(row: DeliveryListRow | DeliveryRow, lang: Lang): DeliverySummary {
  return {
    id: row.id,
    kind: row.kind === 'notice' ? 'document' : row.kind,
    status: row.status,
    route: row.route,
    recipients: [...row.recipients.to, ...row.recipients.cc, ...row.recipients.bcc],
    subject: row.subject,
    attempts: row.attempts,
    response: row.smtpResponse,
    error: localizeDeliveryError(row.error, lang),
    fallbackReason: localizeDeliveryError(row.fallbackReason, lang),
    nextAttemptAt: row.status === 'retrying' ? (row.nextAttemptAt?.toISOString() ?? null) : null,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}
