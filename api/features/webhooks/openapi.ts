import * as v from 'valibot';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveriesResponse,
  type WebhookDeliverySummary,
} from '../../../contract/index.ts';
import { describeRoute, jsonResponse, operatorAuth, problems } from '../../http/openapi.ts';
import { isoDate, nullableString } from '../../http/openapi-schemas.ts';

const typeSchema = v.picklist(WEBHOOK_EVENT_TYPES);

const summarySchema = v.strictObject({
  id: v.string(),
  type: typeSchema,
  tenantId: nullableString,
  status: v.picklist(WEBHOOK_DELIVERY_STATUSES),
  attempts: v.number(),
  lastResponseStatus: v.nullable(v.number()),
  lastError: nullableString,
  nextAttemptAt: v.nullable(isoDate),
  createdAt: isoDate,
  deliveredAt: v.nullable(isoDate),
  event: v.strictObject({ type: typeSchema, timestamp: isoDate, data: v.record(v.string(), v.unknown()) }),
}) satisfies v.GenericSchema<WebhookDeliverySummary>;

const example: WebhookDeliverySummary = {
  id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
  type: 'message.sent',
  tenantId: 'tenant-42',
  status: 'delivered',
  attempts: 1,
  lastResponseStatus: 204,
  lastError: null,
  nextAttemptAt: null,
  createdAt: '2026-12-07T10:00:01.000Z',
  deliveredAt: '2026-12-07T10:00:01.300Z',
  event: {
    type: 'message.sent',
    timestamp: '2026-12-07T10:00:01.000Z',
    data: { tenantId: 'tenant-42', deliveryId: '0193a7c2-5a1e-7c3b-9f00-1b2c3d4e5f60', status: 'sent' },
  },
};

export const docs = {
  get: describeRoute({
    operationId: 'listWebhookDeliveries',
    tags: ['operator'],
    summary: 'The webhook events and their delivery to WEBHOOK_URL, newest first',
    ...operatorAuth,
    parameters: [
      { in: 'query', name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      {
        in: 'query',
        name: 'cursor',
        description: 'The `nextCursor` of the previous page.',
        schema: { type: 'string' },
      },
      { in: 'query', name: 'status', schema: { type: 'string', enum: [...WEBHOOK_DELIVERY_STATUSES] } },
      { in: 'query', name: 'type', schema: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } },
    ],
    responses: {
      200: jsonResponse(
        'One page; `nextCursor` is null on the last.',
        v.strictObject({
          webhookDeliveries: v.array(summarySchema),
          nextCursor: nullableString,
        }) satisfies v.GenericSchema<WebhookDeliveriesResponse>,
        { webhookDeliveries: [example], nextCursor: null },
      ),
      ...problems(401, 422),
    },
  }),
  replay: describeRoute({
    operationId: 'replayWebhookDelivery',
    tags: ['operator'],
    summary: 'Deliver an event again, with the same webhook-id and body',
    ...operatorAuth,
    parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
    responses: {
      202: jsonResponse('The event, queued for delivery again.', summarySchema, { ...example, status: 'pending' }),
      ...problems(401, 404),
    },
  }),
};
