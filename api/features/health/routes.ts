import { Hono } from 'hono';
import { SecretBox } from '../../crypto/secret-box.ts';
import type { AppEnv } from '../../http/context.ts';
import { databaseState, type DatabaseState } from './store.ts';
import { docs } from './openapi.ts';

/**
 * `GET /healthz`: 200 when the database answers with every migration applied and the secrets are
 * present and usable, else 503 naming what is missing (never the values). A half-configured
 * sign-in provider is not offered; the service works without it, so it is named (`incomplete`)
 * in a 200 rather than taking every tenant's sending down with a 503.
 */
export const healthRoutes = new Hono<AppEnv>().get('/', docs.get, async (c) => {
  const { config } = c.var.deps;
  const missing = [...config.missing];
  // Present but unusable counts as missing: invoices would wait for it, saves would fail.
  if (config.systemRelay instanceof Error) missing.push('SYSTEM_SMTP_URL (invalid)');
  // Events are stored but none can be sent until the variable is fixed.
  missing.push(...(config.webhooks?.invalid ?? []));
  if (config.settingsEncryptionKey) {
    try {
      await SecretBox.fromConfig(config.settingsEncryptionKey);
    } catch {
      missing.push('SETTINGS_ENCRYPTION_KEY (invalid)');
    }
  }
  const database: DatabaseState | 'not configured' = config.database
    ? await databaseState(() => c.var.deps.db, config.database.url)
    : 'not configured';
  c.header('cache-control', 'no-store');
  const incomplete = [
    ...config.oauth.missing,
    ...(config.dnsResolverUrl instanceof Error ? ['DNS_RESOLVER_URL (invalid)'] : []),
    ...config.systemSpf.invalid,
  ];
  if (missing.length === 0 && database === 'ok')
    return c.json({ ok: true, ...(incomplete.length ? { incomplete } : {}) }, 200);
  return c.json({ ok: false, missing, database, ...(incomplete.length ? { incomplete } : {}) }, 503);
});
