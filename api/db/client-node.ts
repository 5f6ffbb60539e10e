import { createClient, type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import type { Database } from './database.ts';
import { retryingWhenBusy } from './busy-retry.ts';
import { limitConcurrentCalls } from './call-limit.ts';
import { DATABASE_TIMEOUT_MS, fetchWithTimeout } from './unavailable.ts';
import * as schema from './schema.ts';

/** Database calls at a time per client (call-limit.ts says why). */
const CONCURRENT_CALLS = 4;

export interface NodeDatabases {
  /** One drizzle instance per URL (and token), opened on first use. */
  get(url: string, authToken?: string): Database;
  /** Closes every client opened here (file handles, sockets). */
  close(): void;
}

/**
 * Node: the full libSQL client (native binding), so besides `http(s):` / `libsql:` (sqld, Turso)
 * a local `file:` database works too — which the web client used in workerd cannot open.
 */
export function nodeDatabases(): NodeDatabases {
  const open = new Map<string, { db: Database; client: Client }>();
  return {
    get(url, authToken) {
      const key = `${url}\u0000${authToken ?? ''}`;
      let entry = open.get(key);
      if (!entry) {
        // Each try of a busy statement takes a turn of its own (the wait between tries holds none).
        const client = retryingWhenBusy(
          limitConcurrentCalls(
            createClient({ url, authToken, fetch: fetchWithTimeout(DATABASE_TIMEOUT_MS, { uncompressed: true }) }),
            CONCURRENT_CALLS,
          ),
        );
        entry = { client, db: drizzle(client, { schema }) as unknown as Database };
        open.set(key, entry);
      }
      return entry.db;
    },
    close() {
      for (const { client } of open.values()) client.close();
      open.clear();
    },
  };
}
