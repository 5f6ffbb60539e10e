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
import { pageOf, pagingQuery } from '../../http/paging.ts';
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
    const { status, type } = c.req.query();
    const errors: FieldError[] = [];
    const refuse = (path: string, code: FieldCode) => errors.push({ path, code, message: fieldMessage(code, lang) });
    const { limit, cursor } = pagingQuery(c, refuse);
    if (status !== undefined && !oneOf(WEBHOOK_DELIVERY_STATUSES, status)) refuse('status', 'webhook_status_invalid');
    if (type !== undefined && !oneOf(WEBHOOK_EVENT_TYPES, type)) refuse('type', 'webhook_type_invalid');
    if (errors.length > 0) throw validationError(errors);

    const filter = {
      status: status as WebhookDeliveryStatus | undefined,
      type: type as WebhookEventType | undefined,
      after: cursor,
    };
    const rows = await listWebhookDeliveries(c.var.deps.db, filter, limit + 1);
    const { page, nextCursor } = pageOf(rows, limit);
    const body: WebhookDeliveriesResponse = {
      webhookDeliveries: page.map(webhookDeliverySummary),
      nextCursor,
    };
    c.header('cache-control', 'no-store');
    return c.json(body);
  })
  .post('/:id/replay', docs.replay, async (c) => {
    const row = await replayWebhookDelivery(c.var.deps.db, c.req.param('id'));
    if (!row) throw new ApiError(404, 'not_found');
    c.var.deps.handOverWebhooks(row.tenantId);
    return c.json(webhookDeliverySummary(row), 202);
  });
