import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { requireOperator } from '../../http/auth/operator.ts';
import { tenants } from '../../db/schema.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../http/problem.ts';
import { fieldMessage } from '../../i18n/field-messages.ts';
import {
  assignMessageId,
  insertDelivery,
  readDelivery,
  TenantNotFoundError,
  type StoredPayload,
} from '../../outbox/store.ts';
import { localizeDeliveryError } from '../../outbox/view.ts';
import {
  idempotencyKeySchema,
  MAX_MESSAGE_BYTES,
  messageBytes,
  messageInputSchema,
  tenantIdSchema,
  tenantProfileSchema,
} from './schema.ts';
import { errorSummary } from '../../util/error-summary.ts';
import { sha256Hex } from '../../util/sha256.ts';
import { jsonBody, validationError } from '../../http/body.ts';

/** The path segment after /v1/tenants/ as sent, before decoding. */
const rawTenantSegment = (url: string) => new URL(url).pathname.split('/')[3] ?? '';

function tenantIdParam(c: Context<AppEnv>): string {
  const id = c.req.param('tenantId') ?? '';
  // A `%` that starts no valid escape (`%E2%82`, a bare `%`) would be taken literally, making `%` and
  // `%25` one tenant: a URL-encoding mistake of the caller, refused like any other bad id.
  if (!v.is(tenantIdSchema, id) || !isWellEncoded(rawTenantSegment(c.req.url))) {
    throw validationError([
      { path: 'tenantId', code: 'invalid_value', message: fieldMessage('invalid_value', c.var.lang) },
    ]);
  }
  return id;
}

function isWellEncoded(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

// base64 grows content by 4/3; leave room for JSON around the 10 MiB of message content.
const MAX_BODY_BYTES = Math.ceil((MAX_MESSAGE_BYTES * 4) / 3) + 1024 * 1024;

/** Server-to-server API of the host application (OPERATOR_API_KEY). */
export const tenantRoutes = new Hono<AppEnv>()
  .use(requireOperator)
  .put('/:tenantId', jsonBody(tenantProfileSchema), async (c) => {
    const id = tenantIdParam(c);
    const { name, email } = c.req.valid('json');
    const now = c.var.deps.now();
    await c.var.deps.db
      .insert(tenants)
      .values({ id, name, email, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: tenants.id, set: { name, email, updatedAt: now } });
    return c.json({ id, name, email }, 200);
  })
  .post('/:tenantId/messages', jsonBody(messageInputSchema, MAX_BODY_BYTES), async (c) => {
    const tenantId = tenantIdParam(c);
    const key = c.req.header('idempotency-key');
    if (!v.is(idempotencyKeySchema, key)) {
      const code = key === undefined ? 'required' : 'idempotency_key_invalid';
      throw validationError([{ path: 'Idempotency-Key', code, message: fieldMessage(code, c.var.lang) }]);
    }
    const input = c.req.valid('json');
    // Too large as a whole, not a field to correct: 413 like a body over the limit.
    if (messageBytes(input) > MAX_MESSAGE_BYTES) throw new ApiError(413, 'message_too_large');
    const { db, now } = c.var.deps;
    const payload: StoredPayload = { text: input.text, html: input.html, attachments: input.attachments };
    const requestHash = await sha256Hex(JSON.stringify(input));
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
        idempotencyKey: key,
        requestHash,
        createdAt: now(),
      },
      payload,
    ).catch((error: unknown) => {
      throw error instanceof TenantNotFoundError ? new ApiError(404, 'tenant_not_found') : error;
    });
    if (!created && row.requestHash !== requestHash) throw new ApiError(422, 'idempotency_conflict');
    // Made once, before the first attempt, so a resend after a crash carries the same Message-ID.
    row = await assignMessageId(db, row);
    if (!created) return c.json({ id: row.id, status: row.status }, 202);
    // Stored first; if the enqueue is lost the sweeper picks the row up.
    await c.var.deps
      .enqueue(row.id)
      .catch((e) => console.error(`enqueue of ${row.id} failed (the sweeper will retry): ${errorSummary(e)}`));
    return c.json({ id: row.id, status: row.status }, 202);
  })
  .get('/:tenantId/messages/:id', async (c) => {
    const row = await readDelivery(c.var.deps.db, tenantIdParam(c), c.req.param('id'));
    // Test sends are the tenant's own (GET /v1/deliveries), not messages of the host application.
    if (!row || row.kind === 'test') throw new ApiError(404, 'not_found');
    return c.json({
      id: row.id,
      kind: row.kind,
      status: row.status,
      route: row.route,
      attempts: row.attempts,
      messageId: row.messageId,
      response: row.smtpResponse,
      error: localizeDeliveryError(row.error, c.var.lang),
      fallbackReason: localizeDeliveryError(row.fallbackReason, c.var.lang),
      acceptedRecipients: row.acceptedRecipients ?? [],
      history: (row.attemptLog ?? []).map((entry) => ({
        ...entry,
        error: localizeDeliveryError(entry.error, c.var.lang),
      })),
      reference: row.reference,
      createdAt: row.createdAt.toISOString(),
      sentAt: row.sentAt?.toISOString() ?? null,
      nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    });
  });
