import { createClient } from '@libsql/client/web';
import { drizzle } from 'drizzle-orm/libsql/web';
import type { Database } from '../env.ts';
import { retryingWhenBusy } from './busy-retry.ts';
import { fetchWithTimeout } from './unavailable.ts';
import * as schema from './schema.ts';

/**
 * A drizzle instance on libSQL over HTTP (Turso in production, sqld locally), for one request or
 * one queue/cron invocation: call it again for the next. Workers must not share I/O between
 * requests, and the web client queues calls beyond 20 in flight behind each other's: shared by an
 * isolate, a request could wait on another request's call, which workerd cancels as hung, and the
 * slots it held were never freed (every later database call hung). Creating one costs about 25 µs
 * and no round trip (protocol v2 over HTTP needs no handshake).
 */
export function getDatabase(url: string, authToken?: string): Database {
  return drizzle(retryingWhenBusy(createClient({ url, authToken, fetch: fetchWithTimeout() })), {
    schema,
  }) as unknown as Database;
}
