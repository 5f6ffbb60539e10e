import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { missingConfig } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { systemRelaySettings } from '../outbox/system-relay.ts';

/** `GET /healthz`: 200 when the database answers and the secrets are present, else 503 naming what is missing. */
export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const missing = missingConfig(c.env);
  // Present but unusable counts as missing: invoices would wait for it.
  if (c.env.SYSTEM_SMTP_URL) {
    try {
      systemRelaySettings(c.env.SYSTEM_SMTP_URL);
    } catch {
      missing.push('SYSTEM_SMTP_URL (invalid)');
    }
  }
  let database: 'ok' | 'unreachable' | 'not configured' = 'not configured';
  if (c.env.DATABASE_URL) {
    try {
      await c.var.deps.db.run(sql`select 1`);
      database = 'ok';
    } catch {
      database = 'unreachable';
    }
  }
  c.header('cache-control', 'no-store');
  if (missing.length === 0 && database === 'ok') return c.json({ ok: true }, 200);
  return c.json({ ok: false, missing, database }, 503);
});
