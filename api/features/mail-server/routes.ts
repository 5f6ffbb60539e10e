import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import { jsonBody } from '../../http/body.ts';
import { ApiError } from '../../http/problem.ts';
import { etagOf, parseIfMatch } from './if-match.ts';
import { mailServerInputSchema } from './schema.ts';
import { saveMailServer } from './service.ts';
import { deleteSettings, readSettingsWithGrants, type SettingsWithGrants } from './store.ts';
import { deferrerOf } from '../../http/defer.ts';
import { revokeGrants } from '../oauth/service.ts';
import { mailServerResponse } from './view.ts';
import { docs } from './openapi.ts';
import { savedSettingsCheck } from './last-check.ts';

async function respond(c: Context<AppEnv>, saved: SettingsWithGrants) {
  const check = await savedSettingsCheck(saved.row, saved.grants, saved.checks, c.var.tenant);
  const body = mailServerResponse(
    saved,
    c.var.tenant,
    c.var.deps.config.systemFrom,
    c.var.deps.capabilities,
    c.var.lang,
    check,
  );
  c.header('etag', etagOf(body.version));
  c.header('cache-control', 'no-store');
  return c.json(body, 200);
}

export const mailServerRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .get('/', docs.get, async (c) =>
    respond(c, await readSettingsWithGrants(c.var.deps.db, c.var.tenant, c.var.deps.now())),
  )
  .put('/', docs.put, jsonBody(mailServerInputSchema), async (c) => {
    const expected = parseIfMatch(c.req.header('if-match'));
    const row = await saveMailServer(c.var.deps, c.var.tenant, c.var.lang, c.req.valid('json'), expected);
    return respond(c, row);
  })
  .delete('/', docs.delete, async (c) => {
    const { deleted, grants } = await deleteSettings(
      c.var.deps.db,
      c.var.tenant,
      parseIfMatch(c.req.header('if-match')),
      c.var.deps.config.webhooks,
      c.var.deps.now(),
    );
    if (!deleted) throw new ApiError(412, 'precondition_failed');
    c.var.deps.handOverWebhooks(c.var.tenant.id);
    // A reset forgets the sign-ins too; they are revoked at the provider after the response.
    revokeGrants(c.var.deps, grants, deferrerOf(c));
    return c.body(null, 204);
  });
