import { createClient } from '@libsql/client/web';
import { drizzle } from 'drizzle-orm/libsql/web';
import type { Database } from './database.ts';
import { retryingWhenBusy } from './busy-retry.ts';
import { fetchWithTimeout } from './unavailable.ts';
import * as schema from './schema.ts';

/**
 * libSQL over HTTP for ONE request or queue/cron invocation. Shared by an isolate, the web client
 * queued a request's call behind another request's (beyond 20 in flight), workerd cancelled it as
 * hung, and every later call hung. A new one costs about 25 µs and no round trip.
 */
export function getDatabase(url: string, authToken?: string): Database {
  return drizzle(retryingWhenBusy(createClient({ url, authToken, fetch: fetchWithTimeout() })), {
    schema,
  }) as unknown as Database;
}
