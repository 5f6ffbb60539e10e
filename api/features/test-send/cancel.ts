import type { TenantIdentity } from '../../db/schema.ts';
import type { Database } from '../../db/database.ts';
import { ApiError } from '../../http/problem.ts';
import { errorSummary } from '../../util/error-summary.ts';
import { markCancelled, stillSending } from './store.ts';

/** The streamed checks running in this isolate, by row id. */
const running = new Set<string>();
/**
 * Cancels asked for here of checks running here. The session's own timer acts on them: workerd
 * lets no request touch another request's I/O (its socket), so the cancel request cannot end it.
 */
const requested = new Set<string>();

/** How often a running check looks for a cancel asked for in this isolate (no I/O). */
const LOCAL_CHECK_MS = 50;
/**
 * A cancel may reach another isolate (Workers) than the session's, so every this many local checks
 * the session also reads its row: one indexed read per 400 ms, only while a streamed check runs.
 */
const ROW_READ_EVERY = 8;

/** Watches a streamed check for its cancel (here or elsewhere) and aborts `controller` when it comes. */
export function watchForCancel(db: Database, id: string, controller: AbortController): { stop: () => void } {
  running.add(id);
  let checks = 0;
  let reading = false;
  const timer = setInterval(() => {
    checks += 1;
    if (requested.has(id)) return controller.abort();
    // One read at a time: on a slow database they would pile up.
    if (checks % ROW_READ_EVERY !== 0 || reading) return;
    reading = true;
    stillSending(db, id)
      .then(
        (open) => {
          if (!open) controller.abort();
        },
        (error: unknown) => console.error(`check ${id}: reading its row for a cancel failed: ${errorSummary(error)}`),
      )
      .finally(() => {
        reading = false;
      });
  }, LOCAL_CHECK_MS);
  return {
    stop: () => {
      clearInterval(timer);
      running.delete(id);
      requested.delete(id);
    },
  };
}

/**
 * `POST /v1/mail-server/checks/{id}/cancel`: the row is marked cancelled (guarded: a finished
 * check keeps its outcome and answers 204 as well, as does a second cancel); the session ends
 * within a local check when it runs in this isolate, within a row read when elsewhere.
 */
export async function cancelCheck(db: Database, tenant: TenantIdentity, id: string): Promise<void> {
  const outcome = await markCancelled(db, tenant, id);
  if (outcome === 'unknown') throw new ApiError(404, 'not_found');
  if (outcome === 'cancelled' && running.has(id)) requested.add(id);
}
