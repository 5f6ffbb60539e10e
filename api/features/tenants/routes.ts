import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { TenantProfile } from '../../../contract/index.ts';
import type { AppEnv } from '../../http/context.ts';
import { requireOperator } from '../../http/auth/operator.ts';
import { jsonBody, validationError } from '../../http/body.ts';
import { ApiError } from '../../http/problem.ts';
import { fieldMessage } from '../../i18n/field-messages.ts';
import { readDelivery, putTenant } from './store.ts';
import {
  idempotencyKeySchema,
  MAX_MESSAGE_BODY_BYTES,
  messageInputSchema,
  tenantIdSchema,
  tenantProfileSchema,
} from './schema.ts';
import { acceptMessage } from './service.ts';
import { messageView } from './view.ts';
import { docs } from './openapi.ts';

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

/** Server-to-server API of the host application (OPERATOR_API_KEY). */
export const tenantRoutes = new Hono<AppEnv>()
  .use(requireOperator)
  .put('/:tenantId', docs.put, jsonBody(tenantProfileSchema), async (c) => {
    const id = tenantIdParam(c);
    const { name, email } = c.req.valid('json');
    await putTenant(c.var.deps.db, id, { name, email }, c.var.deps.now());
    const body: TenantProfile = { id, name, email };
    return c.json(body, 200);
  })
  .post('/:tenantId/messages', docs.send, jsonBody(messageInputSchema, MAX_MESSAGE_BODY_BYTES), async (c) => {
    const tenantId = tenantIdParam(c);
    const key = c.req.header('idempotency-key');
    if (!v.is(idempotencyKeySchema, key)) {
      const code = key === undefined ? 'required' : 'idempotency_key_invalid';
      throw validationError([{ path: 'Idempotency-Key', code, message: fieldMessage(code, c.var.lang) }]);
    }
    // The bytes jsonBody read (Hono keeps them): the idempotency hash is taken of them.
    const body = await c.req.arrayBuffer();
    return c.json(await acceptMessage(c.var.deps, tenantId, key, c.req.valid('json'), body), 202);
  })
  .get('/:tenantId/messages/:id', docs.message, async (c) => {
    const row = await readDelivery(c.var.deps.db, tenantIdParam(c), c.req.param('id'));
    // Test sends are the tenant's own (GET /v1/deliveries), not messages of the host application.
    if (!row || row.kind === 'test' || row.kind === 'notice') throw new ApiError(404, 'not_found');
    return c.json(messageView({ ...row, kind: row.kind }, c.var.lang));
  });
