import * as v from 'valibot';
import type { MessageAccepted, MessageView, TenantProfile } from '../../../contract/index.ts';
import { BODY_PROBLEMS, describeRoute, jsonRequest, jsonResponse, operatorAuth, problems } from '../../http/openapi.ts';
import {
  deliveryStatusSchema,
  isoDate,
  nullableString,
  routeSchema,
  smtpErrorSchema,
} from '../../http/openapi-schemas.ts';
import { messageInputSchema, tenantProfileSchema } from './schema.ts';

const tenantId = {
  in: 'path' as const,
  name: 'tenantId',
  required: true,
  description: 'The host application’s own id of the tenant (the tenant token’s `sub`), URL-encoded.',
  schema: { type: 'string' as const, minLength: 1, maxLength: 200 },
};

const profileSchema = v.strictObject({
  id: v.string(),
  name: v.string(),
  email: v.string(),
}) satisfies v.GenericSchema<TenantProfile>;
const acceptedSchema = v.strictObject({
  id: v.string(),
  status: deliveryStatusSchema,
}) satisfies v.GenericSchema<MessageAccepted>;

const messageSchema = v.strictObject({
  id: v.string(),
  kind: v.picklist(['invoice', 'reminder', 'document']),
  status: deliveryStatusSchema,
  route: v.nullable(routeSchema),
  attempts: v.number(),
  messageId: nullableString,
  response: nullableString,
  error: v.nullable(smtpErrorSchema),
  fallbackReason: v.nullable(smtpErrorSchema),
  acceptedRecipients: v.array(v.string()),
  history: v.array(
    v.strictObject({
      at: v.string(),
      route: routeSchema,
      status: v.picklist(['sent', 'retrying', 'failed']),
      response: nullableString,
      error: v.nullable(smtpErrorSchema),
    }),
  ),
  reference: nullableString,
  createdAt: isoDate,
  sentAt: v.nullable(isoDate),
  nextAttemptAt: v.nullable(isoDate),
}) satisfies v.GenericSchema<MessageView>;

const messageId = '0193a7c2-5a1e-7c3b-9f00-1b2c3d4e5f60';

export const docs = {
  put: describeRoute({
    operationId: 'putTenant',
    tags: ['operator'],
    summary: 'Create or update a tenant’s profile (the default sender)',
    ...operatorAuth,
    parameters: [tenantId],
    requestBody: jsonRequest(tenantProfileSchema, { name: 'Müller & Söhne GmbH', email: 'office@mueller.example' }),
    responses: {
      200: jsonResponse('The profile as stored.', profileSchema, {
        id: 'tenant-42',
        name: 'Müller & Söhne GmbH',
        email: 'office@mueller.example',
      }),
      ...problems(401, ...BODY_PROBLEMS),
    },
  }),
  send: describeRoute({
    operationId: 'sendMessage',
    tags: ['operator'],
    summary: 'Send a message (invoice, reminder, document) in the tenant’s name; stored and queued',
    ...operatorAuth,
    parameters: [
      tenantId,
      {
        in: 'header',
        name: 'Idempotency-Key',
        required: true,
        description: 'The same key with the same body answers the stored message again; with another body a 422.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
    ],
    requestBody: jsonRequest(messageInputSchema, {
      kind: 'invoice',
      to: ['kunde@example.org'],
      subject: 'Rechnung 2026-0815',
      text: 'Guten Tag, anbei Ihre Rechnung.',
      attachments: [{ filename: 'Rechnung-2026-0815.pdf', contentType: 'application/pdf', content: 'JVBERi0xLjcK…' }],
      reference: 'INV-2026-0815',
    }),
    responses: {
      202: jsonResponse('Stored and queued (or the stored one, for a repeated key).', acceptedSchema, {
        id: messageId,
        status: 'queued',
      }),
      ...problems(401, 404, ...BODY_PROBLEMS),
    },
  }),
  message: describeRoute({
    operationId: 'getMessage',
    tags: ['operator'],
    summary: 'Where a message stands: status, attempts, the server’s reply, errors',
    ...operatorAuth,
    parameters: [tenantId, { in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
    responses: {
      200: jsonResponse('The message and its history.', messageSchema, {
        id: messageId,
        kind: 'invoice',
        status: 'sent',
        route: 'tenant',
        attempts: 1,
        messageId: '<0193a7c2@mueller.example>',
        response: '250 2.0.0 OK queued',
        error: null,
        fallbackReason: null,
        acceptedRecipients: ['kunde@example.org'],
        history: [
          { at: '2026-12-07T10:00:01.000Z', route: 'tenant', status: 'sent', response: '250 2.0.0 OK', error: null },
        ],
        reference: 'INV-2026-0815',
        createdAt: '2026-12-07T10:00:00.000Z',
        sentAt: '2026-12-07T10:00:01.000Z',
        nextAttemptAt: null,
      }),
      ...problems(401, 404, 422),
    },
  }),
};
