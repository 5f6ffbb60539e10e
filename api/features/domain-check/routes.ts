import { Hono } from 'hono';
import * as v from 'valibot';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import { toFieldErrors, validationError } from '../../http/body.ts';
import type { AppEnv } from '../../http/context.ts';
import { domainCheckQuerySchema } from './schema.ts';
import { checkSenderDomain } from './service.ts';
import { domainCheckView } from './view.ts';
import { docs } from './openapi.ts';

/** `GET /v1/mail-server/domain-check[?address=…]`: SPF, DMARC and DKIM of the sender domain for the route mail takes now. */
export const domainCheckRoutes = new Hono<AppEnv>().use(requireTenant).get('/', docs.get, async (c) => {
  const query = v.safeParse(domainCheckQuerySchema, { address: c.req.query('address') });
  if (!query.success) throw validationError(toFieldErrors(query.issues, c.var.lang));
  const check = await checkSenderDomain(c.var.deps, c.var.tenant, query.output.address);
  c.header('cache-control', 'no-store');
  return c.json(domainCheckView(check, c.var.lang));
});
