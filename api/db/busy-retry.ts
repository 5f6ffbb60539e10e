import type { Client } from '@libsql/client';
import { errorCode } from '../util/error-summary.ts';
import { DatabaseUnavailableError, isDatabaseUnavailable, isUnavailable } from './unavailable.ts';
import { wrapCalls } from './wrap-calls.ts';

/** Waits before each retry of a statement the database refused as busy (ms, plus jitter). */
const BUSY_RETRY_DELAYS = [10, 30, 80, 200, 500];

/** The database was locked by another writer: nothing of the statement or batch was applied. */
export function isBusyError(error: unknown): boolean {
  if (errorCode(error) === 'SQLITE_BUSY') return true;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.includes('SQLITE_BUSY');
}

/**
 * A client whose `execute` and `batch` try again when SQLite answers SQLITE_BUSY (concurrent
 * writers on sqld: an invoice being stored while the outbox records outcomes). A busy statement
 * or batch was rolled back whole, so running it again cannot apply anything twice. A database that
 * was not reached is reported as DatabaseUnavailableError (not retried here: callers decide).
 */
export function retryingWhenBusy(client: Client): Client {
  return wrapCalls(client, (run) => async (...args) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run(...args);
      } catch (error) {
        if (isUnavailable(error)) throw isDatabaseUnavailable(error) ? error : new DatabaseUnavailableError(error);
        const delay = BUSY_RETRY_DELAYS[attempt];
        if (delay === undefined || !isBusyError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
      }
    }
  });
}
