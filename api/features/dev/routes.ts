import { Hono } from 'hono';
import { mintTenantToken } from '../../http/auth/tenant-token.ts';
import type { AppEnv } from '../../http/context.ts';
import { isLoopbackHostname } from '../../http/loopback.ts';
import { ApiError } from '../../http/problem.ts';
import { fieldMessage } from '../../i18n/field-messages.ts';
import { isEmailAddress } from '../../../contract/rules/host.ts';
import { hasControlChars } from '../../util/text.ts';
import { pingDatabase } from './store.ts';

/**
 * Development only (mounted when ENVIRONMENT=development): mints tenant tokens the way a
 * host portal's backend would, for the demo page and local tests.
 */
export const devRoutes = new Hono<AppEnv>()
  .get('/token', async (c) => {
    // A page that rebinds its own name to 127.0.0.1 reaches this port under that name: refused.
    if (!isLoopbackHostname(new URL(c.req.url).hostname)) throw new ApiError(403, 'loopback_host_required');
    const id = c.req.query('tenant') ?? 'demo-tenant';
    const email = c.req.query('email') ?? 'demo@example.com';
    const name = c.req.query('name') ?? 'Demo GmbH';
    const { tenantTokens } = c.var.deps.config;
    const ttl = Number(c.req.query('ttl') ?? Math.min(3600, tenantTokens.maxLifetimeSeconds));
    const lang = c.var.lang;
    const errors = [];
    if (!id || id.length > 200 || hasControlChars(id)) errors.push({ path: 'tenant', code: 'invalid_value' as const });
    if (!isEmailAddress(email)) errors.push({ path: 'email', code: 'email_invalid' as const });
    if (name.length > 200 || hasControlChars(name)) errors.push({ path: 'name', code: 'invalid_value' as const });
    if (!Number.isInteger(ttl) || ttl < -86400 || ttl > tenantTokens.maxLifetimeSeconds)
      errors.push({ path: 'ttl', code: 'invalid_value' as const });
    if (errors.length > 0) {
      throw new ApiError(
        422,
        'validation_failed',
        errors.map((e) => ({ ...e, message: fieldMessage(e.code, lang) })),
      );
    }
    const secret = c.var.deps.config.tenantTokenSecret;
    if (!secret) throw new ApiError(503, 'service_unavailable');
    const token = await mintTenantToken(secret, { id, email, name }, ttl, Date.now(), tenantTokens);
    c.header('cache-control', 'no-store');
    return c.json({ token });
  })
  .get('/config', (c) => c.json({ mailSinkUrl: c.var.deps.config.mailSinkUrl }))
  // The bare route benchmarks compare against: no auth, no validation, no storage.
  .get('/ping', (c) => c.json({ ok: true }))
  // The bare route plus one database round trip and nothing else.
  .get('/db-ping', async (c) => {
    const { database } = c.var.deps.config;
    const url = database?.url.replace(/^libsql:/, 'https:');
    if (!url || !/^https?:/.test(url)) throw new ApiError(404, 'not_found');
    if (!(await pingDatabase(url, database?.authToken))) throw new ApiError(503, 'database_unavailable');
    return c.json({ ok: true });
  });
