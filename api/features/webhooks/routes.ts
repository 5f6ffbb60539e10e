import { Hono } from 'hono';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveriesResponse,
  type WebhookDeliveryStatus,
  type WebhookEventType,
} from '../../../contract/index.ts';
import { requireOperator } from '../../http/auth/operator.ts';
import { validationError } from '../../http/body.ts';
import type { AppEnv } from '../../http/context.ts';
import { ApiError, type FieldError } from '../../http/problem.ts';
import { fieldMessage, type FieldCode } from '../../i18n/field-messages.ts';
import { decodeCursor, encodeCursor } from '../deliveries/cursor.ts';
import { listWebhookDeliveries, replayWebhookDelivery } from './store.ts';
import { webhookDeliverySummary } from './view.ts';
import { docs } from './openapi.ts';

const oneOf = <T extends string>(values: readonly T[], value: string | undefined): value is T =>
  value !== undefined && (values as readonly string[]).includes(value);

/** `GET /v1/webhook-deliveries?limit=&cursor=&status=&type=` and `POST /v1/webhook-deliveries/:id/replay` (operator key). */
export const webhookDeliveryRoutes = new Hono<AppEnv>()
  .use(requireOperator)
  .get('/', docs.get, async (c) => {
    const lang = c.var.lang;
    const { limit: limitText = '20', cursor: cursorText, status, type } = c.req.query();
    const limit = Number(limitText);
    const cursor = cursorText ? decodeCursor(cursorText) : undefined;
    const errors: FieldError[] = [];
    const refuse = (path: string, code: FieldCode) => errors.push({ path, code, message: fieldMessage(code, lang) });
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) refuse('limit', 'limit_invalid');
    if (cursor === null) refuse('cursor', 'cursor_invalid');
    if (status !== undefined && !oneOf(WEBHOOK_DELIVERY_STATUSES, status)) refuse('status', 'webhook_status_invalid');
    if (type !== undefined && !oneOf(WEBHOOK_EVENT_TYPES, type)) refuse('type', 'webhook_type_invalid');
    if (errors.length > 0) throw validationError(errors);

    const filter = {
      status: status as WebhookDeliveryStatus | undefined,
      type: type as WebhookEventType | undefined,
      after: cursor ?? undefined,
    };
    const rows = await listWebhookDeliveries(c.var.deps.db, filter, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const body: WebhookDeliveriesResponse = {
      webhookDeliveries: page.map(webhookDeliverySummary),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
    c.header('cache-control', 'no-store');
    return c.json(body);
  })
  .post('/:id/replay', docs.replay, async (c) => {
    const row = await replayWebhookDelivery(c.var.deps.db, c.req.param('id'));
    if (!row) throw new ApiError(404, 'not_found');
    return c.json(webhookDeliverySummary(row), 202);
  });
