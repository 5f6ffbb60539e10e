import type { OutgoingMessage } from '../smtp/types.ts';
import type { Sender } from '../sending/sender.ts';
import { base64ToBytes } from '../util/base64.ts';
import { pendingRecipients } from './recipients.ts';
import type { DeliveryRow } from '../db/schema.ts';
import type { StoredPayload } from './chunks.ts';

/** The stored attachments as bytes; throws on content that is not base64 (damaged data). */
export function decodeAttachments(payload: StoredPayload): OutgoingMessage['attachments'] {
  return payload.attachments.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    content: base64ToBytes(a.content),
  }));
}

/**
 * The message of a stored row as `sender` sends it, to the recipients no server has accepted yet
 * (`done`): a retry never sends anyone a second copy.
 */
export function outgoingMessage(
  row: DeliveryRow,
  payload: StoredPayload,
  attachments: OutgoingMessage['attachments'],
  { from, replyTo }: Sender,
  done: string[],
): OutgoingMessage {
  return {
    from,
    replyTo,
    to: pendingRecipients(row.recipients.to, done),
    cc: pendingRecipients(row.recipients.cc, done),
    bcc: pendingRecipients(row.recipients.bcc, done),
    subject: row.subject,
    text: payload.text,
    html: payload.html,
    attachments,
    messageId: row.messageId ?? undefined,
  };
}
