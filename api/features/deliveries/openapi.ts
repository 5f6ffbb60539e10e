import * as v from 'valibot';
import type {
  DeliveriesResponse,
  DeliveryProblems,
  DeliverySummary,
  ProblemsAcknowledged,
} from '../../../contract/index.ts';
import { BODY_PROBLEMS, describeRoute, jsonRequest, jsonResponse, problems, tenantAuth } from '../../http/openapi.ts';
import { acknowledgeSchema } from './schema.ts';
import {
  deliveryStatusSchema,
  isoDate,
  nullableString,
  routeSchema,
  smtpErrorSchema,
} from '../../http/openapi-schemas.ts';

const summarySchema = v.strictObject({
  id: v.string(),
  kind: v.picklist(['test', 'invoice', 'reminder', 'document']),
  status: deliveryStatusSchema,
  route: v.nullable(routeSchema),
  recipients: v.array(v.string()),
  subject: v.string(),
  attempts: v.number(),
  response: nullableString,
  error: v.nullable(smtpErrorSchema),
  fallbackReason: v.nullable(smtpErrorSchema),
  nextAttemptAt: v.nullable(isoDate),
  createdAt: isoDate,
  sentAt: v.nullable(isoDate),
}) satisfies v.GenericSchema<DeliverySummary>;

const deliveriesSchema = v.strictObject({
  deliveries: v.array(summarySchema),
  nextCursor: nullableString,
  sendViaSystem: v.boolean(),
}) satisfies v.GenericSchema<DeliveriesResponse>;

const example: DeliverySummary = {
  id: '0193a7c2-5a1e-7c3b-9f00-1b2c3d4e5f60',
  kind: 'invoice',
  status: 'sent',
  route: 'tenant',
  recipients: ['kunde@example.org'],
  subject: 'Rechnung 2026-0815',
  attempts: 1,
  response: '250 2.0.0 OK queued',
  error: null,
  fallbackReason: null,
  nextAttemptAt: null,
  createdAt: '2026-12-07T10:00:00.000Z',
  sentAt: '2026-12-07T10:00:01.000Z',
};

const idParameter = { in: 'path' as const, name: 'id', required: true, schema: { type: 'string' as const } };

/** Retry now / send via the system relay: same answer and refusals. */
const action = (operationId: string, summary: string) =>
  describeRoute({
    operationId,
    tags: ['settings'],
    summary,
    ...tenantAuth,
    parameters: [idParameter],
    responses: {
      202: jsonResponse('The delivery, queued again (idempotent: a second call answers the same).', summarySchema, {
        ...example,
        status: 'queued',
        sentAt: null,
        response: null,
      }),
      ...problems(401, 404, 409),
    },
  });

export const docs = {
  get: describeRoute({
    operationId: 'listDeliveries',
    tags: ['settings'],
    summary: 'The tenant’s recent sends, newest first, without bodies',
    ...tenantAuth,
    parameters: [
      { in: 'query', name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      {
        in: 'query',
        name: 'cursor',
        description: 'The `nextCursor` of the previous page.',
        schema: { type: 'string' },
      },
      {
        in: 'query',
        name: 'kind',
        description: '`business` (invoices, reminders, documents) or `test`.',
        schema: { type: 'string', enum: ['business', 'test'] },
      },
      {
        in: 'query',
        name: 'status',
        description: 'One status or several, comma-separated.',
        schema: { type: 'string', example: 'retrying,failed' },
      },
    ],
    responses: {
      200: jsonResponse('One page; `nextCursor` is null on the last.', deliveriesSchema, {
        deliveries: [example],
        nextCursor: null,
        sendViaSystem: true,
      }),
      ...problems(401, 422),
    },
  }),
  problems: describeRoute({
    operationId: 'listDeliveryProblems',
    tags: ['settings'],
    summary: 'Business mail that failed for good or went out through the system relay, not yet acknowledged',
    ...tenantAuth,
    responses: {
      200: jsonResponse(
        'The unacknowledged problems, newest first.',
        v.strictObject({ problems: v.array(summarySchema) }) satisfies v.GenericSchema<DeliveryProblems>,
        {
          problems: [{ ...example, status: 'failed', response: null, sentAt: null }],
        },
      ),
      ...problems(401),
    },
  }),
  acknowledge: describeRoute({
    operationId: 'acknowledgeDeliveryProblems',
    tags: ['settings'],
    summary: 'Mark problems as seen (the widget’s banner goes)',
    ...tenantAuth,
    requestBody: jsonRequest(acknowledgeSchema, { ids: [example.id] }),
    responses: {
      200: jsonResponse(
        'The ids that were marked.',
        v.strictObject({ acknowledged: v.array(v.string()) }) satisfies v.GenericSchema<ProblemsAcknowledged>,
        {
          acknowledged: [example.id],
        },
      ),
      ...problems(401, ...BODY_PROBLEMS),
    },
  }),
  retry: action('retryDelivery', 'Retry a business mail that is `retrying` or `failed` now'),
  sendViaSystem: action(
    'sendDeliveryViaSystem',
    'Send a business mail that is `retrying` or `failed` through the system relay (route `system-fallback`)',
  ),
};
