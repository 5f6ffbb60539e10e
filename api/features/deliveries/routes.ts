import { Hono, type Context } from 'hono';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import type { DeliveriesResponse, DeliveryProblems, ProblemsAcknowledged } from '../../../contract/index.ts';
import type { AppEnv } from '../../http/context.ts';
import { fieldMessage, type FieldCode } from '../../i18n/field-messages.ts';
import { acknowledgeProblems, listDeliveries, unacknowledgedProblems } from './store.ts';
import { deliverySummary } from './view.ts';
import { jsonBody, validationError } from '../../http/body.ts';
import type { FieldError } from '../../http/problem.ts';
import { pageOf, pagingQuery } from '../../http/paging.ts';
import { docs } from './openapi.ts';
import { acknowledgeSchema, parseKind, parseStatuses } from './schema.ts';
import { actOnDelivery, systemRelayOn } from './service.ts';
import type { DeliveryAction } from '../../outbox/actions.ts';

/** The log's query: limit, cursor, kind, status; every bad value named in one 422. */
function listQuery(c: Context<AppEnv>) {
  const lang = c.var.lang;
  const errors: FieldError[] = [];
  const bad = (path: string, code: FieldCode) => errors.push({ path, code, message: fieldMessage(code, lang) });
  const { limit, cursor } = pagingQuery(c, bad);
  const kindText = c.req.query('kind');
  const kind = kindText === undefined ? undefined : parseKind(kindText);
  const statusText = c.req.query('status');
  const statuses = statusText === undefined ? undefined : parseStatuses(statusText);
  if (kind === null) bad('kind', 'delivery_kind_invalid');
  if (statuses === null) bad('status', 'delivery_status_invalid');
  if (errors.length > 0) throw validationError(errors);
  return { limit, cursor, filter: { kind: kind ?? undefined, statuses: statuses ?? undefined } };
}

const act = (name: DeliveryAction) => async (c: Context<AppEnv>) => {
  const row = await actOnDelivery(c.var.deps, c.var.tenant, c.req.param('id') ?? '', name);
  return c.json(deliverySummary(row, c.var.lang), 202);
};

/** `/v1/deliveries`: the tenant's own sends (newest first, without bodies), its problems, and its actions. */
export const deliveryRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .use(async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  })
  .get('/', docs.get, async (c) => {
    const { limit, cursor, filter } = listQuery(c);
    const rows = await listDeliveries(c.var.deps.db, c.var.tenant.id, limit + 1, cursor, filter);
    const { page, nextCursor } = pageOf(rows, limit);
    const body: DeliveriesResponse = {
      deliveries: page.map((row) => deliverySummary(row, c.var.lang)),
      nextCursor,
      sendViaSystem: systemRelayOn(c.var.deps),
    };
    return c.json(body);
  })
  .get('/problems', docs.problems, async (c) => {
    const rows = await unacknowledgedProblems(c.var.deps.db, c.var.tenant.id, c.var.deps.now());
    const body: DeliveryProblems = { problems: rows.map((row) => deliverySummary(row, c.var.lang)) };
    return c.json(body);
  })
  .post('/problems/acknowledge', docs.acknowledge, jsonBody(acknowledgeSchema), async (c) => {
    const { ids } = c.req.valid('json');
    const body: ProblemsAcknowledged = {
      acknowledged: await acknowledgeProblems(c.var.deps.db, c.var.tenant.id, ids, c.var.deps.now()),
    };
    return c.json(body);
  })
  .post('/:id/retry', docs.retry, act('retry'))
  .post('/:id/send-via-system', docs.sendViaSystem, act('send-via-system'));
