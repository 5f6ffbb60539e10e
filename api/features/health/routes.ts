import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import journal from '../../../drizzle/meta/_journal.json';
import { SecretBox } from '../../crypto/secret-box.ts';
import { isUnavailable } from '../../db/unavailable.ts';
import type { AppEnv } from '../../env.ts';

/** How long /healthz waits for the database's answer. */
const HEALTH_DB_TIMEOUT_MS = 3_000;

/** drizzle's migrator records each applied migration with its journal time (`when`) as `created_at`. */
const LATEST_MIGRATION = Math.max(...journal.entries.map((entry) => entry.when));

const NO_ANSWER = new Error('the database did not answer in time');

/** SQLite's answer for a missing table, possibly wrapped (drizzle wraps the client's error). */
function saysNoSuchTable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (/no such table/i.test(e.message)) return true;
  }
  return false;
}

type DatabaseState = 'ok' | 'unreachable' | 'not migrated' | 'not configured';

/**
 * `GET /healthz`: 200 when the database answers with every migration applied and the secrets are
 * present and usable, else 503 naming what is missing (never the values).
 */
export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const { config } = c.var.deps;
  const missing = [...config.missing];
  // Present but unusable counts as missing: invoices would wait for it, saves would fail.
  if (config.systemRelay instanceof Error) missing.push('SYSTEM_SMTP_URL (invalid)');
  if (config.settingsEncryptionKey) {
    try {
      await SecretBox.fromConfig(config.settingsEncryptionKey);
    } catch {
      missing.push('SETTINGS_ENCRYPTION_KEY (invalid)');
    }
  }
  let database: DatabaseState = 'not configured';
  if (config.database) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A monitor wants an answer soon, also from a database that takes calls but never answers.
      const late = new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(NO_ANSWER), HEALTH_DB_TIMEOUT_MS)),
      );
      const read = c.var.deps.db.all<{ latest: number | null }>(
        sql`select max(created_at) as latest from __drizzle_migrations`,
      );
      const [row] = await Promise.race([read, late]);
      database = Number(row?.latest ?? 0) >= LATEST_MIGRATION ? 'ok' : 'not migrated';
    } catch (error) {
      // "not migrated" only when the database answered that it has no migrations table; anything
      // else (refused, a path that cannot be opened, an unknown scheme) is not reaching it.
      database =
        error !== NO_ANSWER && !isUnavailable(error) && saysNoSuchTable(error) ? 'not migrated' : 'unreachable';
    } finally {
      clearTimeout(timer);
    }
  }
  c.header('cache-control', 'no-store');
  if (missing.length === 0 && database === 'ok') return c.json({ ok: true }, 200);
  return c.json({ ok: false, missing, database }, 503);
});
