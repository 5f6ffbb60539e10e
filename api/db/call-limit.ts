import type { Client } from '@libsql/client';
import { wrapCalls } from './wrap-calls.ts';

/**
 * A client that lets at most `limit` of its `execute`/`batch` calls run at a time; the others wait
 * their turn (first come, first served). For a process that shares one client across all its
 * requests (Node): sqld 0.24 stops answering every write, for good, once enough write transactions
 * run at once (reads are still answered; upstream, libsql/sqld#715 reports databases that stay
 * locked until a restart). Measured with batches of one 4 KB INSERT from one process: 8 or more at
 * once wedged it within 20 s, 4 at once ran 60 s (37,951 batches) without a wedge. Not for
 * Workers: there a client lives for one request, and a call must never wait for another request's.
 * The local sqld also runs with one database connection (scripts/lib/sqld.ts); this limit still
 * protects a sqld an operator runs without that flag.
 */
export function limitConcurrentCalls(client: Client, limit: number): Client {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return wrapCalls(client, (run) => async (...args) => {
    if (running < limit) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await run(...args);
    } finally {
      release();
    }
  });
}
