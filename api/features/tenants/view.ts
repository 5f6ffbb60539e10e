import type { MessageView } from '../../../contract/index.ts';
import type { Lang } from '../../i18n/lang.ts';
import type { DeliveryRow } from '../../db/schema.ts';
import { localizeDeliveryError } from '../../i18n/delivery-errors.ts';

/** A host application's message as its operator sees it, errors in the reader's language. */
export function messageView(row: DeliveryRow & { kind: MessageView['kind'] }, lang: Lang): MessageView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    route: row.route,
    attempts: row.attempts,
    messageId: row.messageId,
    response: row.smtpResponse,
    error: localizeDeliveryError(row.error, lang),
    fallbackReason: localizeDeliveryError(row.fallbackReason, lang),
    acceptedRecipients: row.acceptedRecipients ?? [],
    history: (row.attemptLog ?? []).map((entry) => ({ ...entry, error: localizeDeliveryError(entry.error, lang) })),
    reference: row.reference,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
  };
}
