import { Hono, type Context } from 'hono';
import type { MailServerRow } from '../../db/schema.ts';
import type { AppEnv } from '../../http/context.ts';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import { jsonBody } from '../../http/body.ts';
import { ApiError } from '../../http/problem.ts';
import { etagOf, parseIfMatch } from './if-match.ts';
import { mailServerInputSchema } from './schema.ts';
import { saveMailServer } from './service.ts';
import { deleteSettings, readSettings } from './store.ts';
import { mailServerResponse } from './view.ts';

function respond(c: Context<AppEnv>, row: MailServerRow | undefined) {
  const body = mailServerResponse(row, c.var.tenant, c.var.deps.config.systemFrom, c.var.deps.capabilities, c.var.lang);
  c.header('etag', etagOf(body.version));
  c.header('cache-control', 'no-store');
  return c.json(body, 200);
}

export const mailServerRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .get('/', async (c) => respond(c, await readSettings(c.var.deps.db, c.var.tenant, c.var.deps.now())))
  .put('/', jsonBody(mailServerInputSchema), async (c) => {
    const expected = parseIfMatch(c.req.header('if-match'));
    const row = await saveMailServer(c.var.deps, c.var.tenant, c.var.lang, c.req.valid('json'), expected);
    return respond(c, row);
  })
  .delete('/', async (c) => {
    const deleted = await deleteSettings(c.var.deps.db, c.var.tenant, parseIfMatch(c.req.header('if-match')));
    if (!deleted) throw new ApiError(412, 'precondition_failed');
    return c.body(null, 204);
  });
