import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import { optionalJsonBody } from '../../http/body.ts';
import { mailServerInputSchema } from '../mail-server/schema.ts';
import { testMailServer } from './service.ts';
import type { Defer } from './store.ts';

/** `waitUntil` of the request's execution context, where there is one (Workers); none on Node. */
function deferrerOf(c: Context<AppEnv>): Defer | undefined {
  let ctx: { waitUntil?: (task: Promise<unknown>) => void } | undefined;
  try {
    ctx = c.executionCtx; // Hono throws when the runtime gave no execution context
  } catch {
    return undefined;
  }
  const waitUntil = ctx?.waitUntil;
  return typeof waitUntil === 'function' ? (task) => waitUntil.call(ctx, task) : undefined;
}

export const testSendRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .post('/', optionalJsonBody(mailServerInputSchema), async (c) => {
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
