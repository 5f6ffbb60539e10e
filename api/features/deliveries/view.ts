import type { DeliverySummary } from '../../../contract/index.ts';
import type { DeliveryRow } from '../../db/schema.ts';
import { localizeDeliveryError } from '../../i18n/delivery-errors.ts';
import type { Lang } from '../../i18n/lang.ts';

type SummaryRow = Pick<
  DeliveryRow,
  | 'id'
  | 'kind'
  | 'status'
  | 'route'
  | 'recipients'
  | 'subject'
  | 'attempts'
  | 'smtpResponse'
  | 'error'
  | 'fallbackReason'
  | 'createdAt'
  | 'sentAt'
>;

export function deliverySummary(row: SummaryRow, lang: Lang): DeliverySummary {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    route: row.route,
    recipients: [...row.recipients.to, ...row.recipients.cc, ...row.recipients.bcc],
    subject: row.subject,
    attempts: row.attempts,
    response: row.smtpResponse,
    error: localizeDeliveryError(row.error, lang),
    fallbackReason: localizeDeliveryError(row.fallbackReason, lang),
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}
