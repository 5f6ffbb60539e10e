import { Hono } from 'hono';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import type { DeliveriesResponse } from '../../../contract/index.ts';
import type { AppEnv } from '../../http/context.ts';
import { fieldMessage } from '../../i18n/field-messages.ts';
import { listDeliveries } from './store.ts';
import { deliverySummary } from './view.ts';
import { validationError } from '../../http/body.ts';
import type { FieldError } from '../../http/problem.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { docs } from './openapi.ts';

/** `GET /v1/deliveries?limit=&cursor=`: the tenant's own recent sends, newest first, without bodies. */
export const deliveryRoutes = new Hono<AppEnv>().use(requireTenant).get('/', docs.get, async (c) => {
  const lang = c.var.lang;
  const limitText = c.req.query('limit') ?? '20';
  const limit = Number(limitText);
  const cursorText = c.req.query('cursor');
  const cursor = cursorText ? decodeCursor(cursorText) : undefined;
  const errors: FieldError[] = [];
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100)
    errors.push({ path: 'limit', code: 'limit_invalid', message: fieldMessage('limit_invalid', lang) });
  if (cursor === null)
    errors.push({ path: 'cursor', code: 'cursor_invalid', message: fieldMessage('cursor_invalid', lang) });
  if (errors.length > 0) throw validationError(errors);

  const rows = await listDeliveries(c.var.deps.db, c.var.tenant.id, limit + 1, cursor ?? undefined);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const body: DeliveriesResponse = {
    deliveries: page.map((row) => deliverySummary(row, lang)),
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
  c.header('cache-control', 'no-store');
  return c.json(body);
});
