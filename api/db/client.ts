import { createClient } from '@libsql/client/web';
import { drizzle } from 'drizzle-orm/libsql/web';
import type { Database } from '../env.ts';
import { retryingWhenBusy } from './busy-retry.ts';
import * as schema from './schema.ts';

const cache = new Map<string, Database>();

/**
 * One drizzle instance per URL and isolate: the web client speaks libSQL over HTTP
 * (Turso in production, sqld locally) and keeps no socket open, so reuse is safe.
 */
export function getDatabase(url: string, authToken?: string): Database {
  const key = `${url}\u0000${authToken ?? ''}`;
  let db = cache.get(key);
  if (!db) {
    db = drizzle(retryingWhenBusy(createClient({ url, authToken })), { schema }) as unknown as Database;
    cache.set(key, db);
  }
  return db;
}
