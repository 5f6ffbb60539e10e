import { type Context, Hono } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import { optionalJsonBody } from '../../http/body.ts';
import { mailServerInputSchema } from '../mail-server/schema.ts';
import { prepareTest, prepareVerify, type PreparedCheck, type TestOutcome } from './service.ts';
import { deferrerOf } from '../../http/defer.ts';
import { docs } from './openapi.ts';
import { streamCheck, wantsEventStream } from './stream.ts';
import { cancelCheck } from './cancel.ts';

/** The answer of a test or a verify, with where its time went (workerd's clock advances on I/O only). */
function checkAnswer<B extends object>(c: Context<AppEnv>, { body, timings }: TestOutcome<B>) {
  c.header('cache-control', 'no-store');
  c.header(
    'server-timing',
    Object.entries(timings)
      .map(([phase, ms]) => `${phase};dur=${ms.toFixed(1)}`)
      .join(', '),
  );
  return c.json(body, 200);
}

/** Streamed when the client asks for `text/event-stream`; the errors before the session are answered alike. */
async function answer<B extends object>(c: Context<AppEnv>, check: PreparedCheck<B>) {
  return wantsEventStream(c) ? streamCheck(c, check) : checkAnswer(c, await check.run());
}

export const testSendRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .post('/', docs.post, optionalJsonBody(mailServerInputSchema), async (c) =>
    answer(c, await prepareTest(c.var.deps, c.var.tenant, c.var.lang, c.req.valid('json'), deferrerOf(c))),
  );

/** `POST /v1/mail-server/verify`: the test's session up to RCPT TO, nothing sent; same limit and result shape. */
export const verifyRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .post('/', docs.verify, optionalJsonBody(mailServerInputSchema), async (c) =>
    answer(c, await prepareVerify(c.var.deps, c.var.tenant, c.var.lang, c.req.valid('json'), deferrerOf(c))),
  );

/** `POST /v1/mail-server/checks/{id}/cancel`: ends a running test or verify at once, recorded as cancelled. */
export const checkRoutes = new Hono<AppEnv>().use(requireTenant).post('/:id/cancel', docs.cancel, async (c) => {
  await cancelCheck(c.var.deps.db, c.var.tenant, c.req.param('id'));
  return c.body(null, 204);
});
