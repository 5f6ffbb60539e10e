import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { missingConfig } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { systemRelaySettings } from '../outbox/system-relay.ts';

/** How long /healthz waits for the database's `select 1`. */
const HEALTH_DB_TIMEOUT_MS = 3_000;

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
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A monitor wants an answer soon, also from a database that takes calls but never answers.
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), HEALTH_DB_TIMEOUT_MS)));
      await Promise.race([c.var.deps.db.run(sql`select 1`), late]);
      database = 'ok';
    } catch {
      database = 'unreachable';
    } finally {
      clearTimeout(timer);
    }
  }
  c.header('cache-control', 'no-store');
  if (missing.length === 0 && database === 'ok') return c.json({ ok: true }, 200);
  return c.json({ ok: false, missing, database }, 503);
});
