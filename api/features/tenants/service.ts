import type { MessageAccepted } from '../../../contract/index.ts';
import type { Deps } from '../../http/context.ts';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { ApiError } from '../../http/problem.ts';
import { assignMessageId, insertDelivery, TenantNotFoundError } from '../../outbox/accept.ts';
import type { StoredPayload } from '../../outbox/chunks.ts';
import { errorSummary } from '../../util/error-summary.ts';
import { sha256Hex, sha256HexOfBytes } from '../../util/sha256.ts';
import { MAX_MESSAGE_BYTES, messageBytes, type MessageInput } from './schema.ts';

/** The stored request hash of a body: of its bytes (re-serialising a 13 MiB body cost 100 ms and more). */
const BODY_HASH_PREFIX = 'b:';

/**
 * Whether a stored row's request hash is this request's. Rows stored before hashes were taken of
 * the body's bytes have the hash of the input serialised again: that form is computed only for them.
 */
async function sameRequest(stored: string | null, requestHash: string, input: MessageInput): Promise<boolean> {
  if (stored === requestHash) return true;
  return stored !== null && !stored.startsWith(BODY_HASH_PREFIX) && stored === (await sha256Hex(JSON.stringify(input)));
}

/**
 * Stores a message of the host application and hands it to the outbox. The same Idempotency-Key
 * with the same body (`body`, its bytes as sent) returns the stored message; with another body it
 * is a 422.
 */
export async function acceptMessage(
  deps: Deps,
  tenantId: string,
  idempotencyKey: string,
  input: MessageInput,
  body: ArrayBuffer,
): Promise<MessageAccepted> {
  // Too large as a whole, not a field to correct: 413 like a body over the limit.
  if (messageBytes(input) > MAX_MESSAGE_BYTES) throw new ApiError(413, 'message_too_large');
  const { db, now } = deps;
  const payload: StoredPayload = { text: input.text, html: input.html, attachments: input.attachments };
  const requestHash = `${BODY_HASH_PREFIX}${sha256HexOfBytes(body)}`;
  // One round trip: the tenant check and (mostly) the Message-ID happen inside the insert.
  let { row, created } = await insertDelivery(
    db,
    {
      id: crypto.randomUUID(),
      tenantId,
      kind: input.kind,
      status: 'queued',
      recipients: { to: input.to, cc: input.cc, bcc: input.bcc },
      subject: input.subject,
      reference: input.reference ?? null,
      idempotencyKey,
      requestHash,
      createdAt: now(),
    },
    payload,
  ).catch((error: unknown) => {
    if (error instanceof TenantNotFoundError) throw new ApiError(404, 'tenant_not_found');
    // Sent but not answered: the insert may have been applied. Only the same key tells.
    if (isDatabaseUnavailable(error)) throw new ApiError(503, 'outcome_unknown', [], { 'retry-after': '5' });
    throw error;
  });
  if (!created && !(await sameRequest(row.requestHash, requestHash, input)))
    throw new ApiError(422, 'idempotency_conflict');
  // Made once, before the first attempt, so a resend after a crash carries the same Message-ID.
  row = await assignMessageId(db, row);
  if (created) {
    // Stored first; if the enqueue is lost the sweeper picks the row up.
    await deps
      .enqueue({ id: row.id, tenantId: row.tenantId })
      .catch((e) => console.error(`enqueue of ${row.id} failed (the sweeper will retry): ${errorSummary(e)}`));
  }
  return { id: row.id, status: row.status };
}
