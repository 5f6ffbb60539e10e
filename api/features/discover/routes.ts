import { Hono } from 'hono';
import * as v from 'valibot';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import { toFieldErrors, validationError } from '../../http/body.ts';
import type { AppEnv } from '../../http/context.ts';
import { discoverQuerySchema } from './schema.ts';
import { discoverForAddress } from './service.ts';
import { docs } from './openapi.ts';

/** `GET /v1/mail-server/discover?address=`: outgoing servers found for the address, best first. */
export const discoverRoutes = new Hono<AppEnv>().use(requireTenant).get('/', docs.get, async (c) => {
  const query = v.safeParse(discoverQuerySchema, { address: c.req.query('address') });
  if (!query.success) throw validationError(toFieldErrors(query.issues, c.var.lang));
  const start = performance.now();
  const body = await discoverForAddress(c.var.deps, c.var.tenant, c.var.lang, query.output.address);
  c.header('cache-control', 'no-store');
  // The whole discovery inside the runtime (workerd's clock advances on I/O only, which is what it waits for).
  c.header('server-timing', `discover;dur=${(performance.now() - start).toFixed(1)}`);
  return c.json(body, 200);
});
