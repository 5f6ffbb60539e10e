import type { DeliverySummary, SmtpError } from '../../contract/index.ts';
import type { DeliveryError } from '../db/schema.ts';
import type { Lang } from '../i18n/lang.ts';
import { localizeSmtpError } from '../i18n/smtp-errors.ts';
import type { SmtpStage } from '../../contract/index.ts';
import type { DeliveryRow } from '../db/schema.ts';

/** A stored error in the reader's language (message + hint), as the test endpoint shows them. */
export function localizeDeliveryError(error: DeliveryError | null, lang: Lang): SmtpError | null {
  if (!error) return null;
  return localizeSmtpError(
    {
      stage: error.stage as SmtpStage,
      code: error.code,
      responseCode: error.responseCode ?? null,
      response: error.response ?? null,
      transient: false,
    },
    lang,
    error.server ?? {},
  );
}

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
