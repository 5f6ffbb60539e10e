import { Hono } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import { optionalJsonBody } from '../../http/body.ts';
import { mailServerInputSchema } from '../mail-server/schema.ts';
import { testMailServer } from './service.ts';
import { deferrerOf } from '../../http/defer.ts';
import { docs } from './openapi.ts';

export const testSendRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .post('/', docs.post, optionalJsonBody(mailServerInputSchema), async (c) => {
    const { body, timings } = await testMailServer(
      c.var.deps,
      c.var.tenant,
      c.var.lang,
      c.req.valid('json'),
      deferrerOf(c),
    );
    c.header('cache-control', 'no-store');
    // Where the time went (workerd's clock advances on I/O only, which is what matters here).
    c.header(
      'server-timing',
      Object.entries(timings)
        .map(([phase, ms]) => `${phase};dur=${ms.toFixed(1)}`)
        .join(', '),
    );
    return c.json(body, 200);
  });
