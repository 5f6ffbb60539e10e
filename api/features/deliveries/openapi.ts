import * as v from 'valibot';
import type { DeliveriesResponse } from '../../../contract/index.ts';
import { describeRoute, jsonResponse, problems, tenantAuth } from '../../http/openapi.ts';
import {
  deliveryStatusSchema,
  isoDate,
  nullableString,
  routeSchema,
  smtpErrorSchema,
} from '../../http/openapi-schemas.ts';

const deliveriesSchema = v.strictObject({
  deliveries: v.array(
    v.strictObject({
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
      createdAt: isoDate,
      sentAt: v.nullable(isoDate),
    }),
  ),
  nextCursor: nullableString,
}) satisfies v.GenericSchema<DeliveriesResponse>;

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
    ],
    responses: {
      200: jsonResponse('One page; `nextCursor` is null on the last.', deliveriesSchema, {
        deliveries: [
          {
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
            createdAt: '2026-12-07T10:00:00.000Z',
            sentAt: '2026-12-07T10:00:01.000Z',
          },
        ],
        nextCursor: null,
      }),
      ...problems(401, 422),
    },
  }),
};
