import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../../http/context.ts';
import { errorSummary } from '../../util/error-summary.ts';
import { watchForCancel } from './cancel.ts';
import type { PreparedCheck } from './service.ts';

/**
 * workerd tells of a client gone only when a write to it fails (measured under wrangler dev; with
 * `enable_request_signal` too): an SSE comment this often lets a silent server's stall notice it.
 */
const HEARTBEAT_MS = 300;

/** The client asked for the check's progress as Server-Sent Events (JSON stays the default). */
export function wantsEventStream(c: Context<AppEnv>): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes('text/event-stream');
}

/**
 * A prepared check as Server-Sent Events: `start` (the row's id), one `stage` per step of the
 * session, then `result`, the body the plain request answers. The session ends, recorded as
 * cancelled, on a cancel request, or when the client goes away where the runtime says so (the
 * request's signal; the response stream cancelled by the runtime after a failed write).
 * Between events, a comment line every HEARTBEAT_MS.
 */
export function streamCheck<B extends object>(c: Context<AppEnv>, check: PreparedCheck<B>): Response {
  const cancel = new AbortController();
  const abort = () => cancel.abort();
  const request = c.req.raw.signal;
  const response = streamSSE(c, async (stream) => {
    stream.onAbort(abort);
    request?.addEventListener('abort', abort, { once: true });
    const watch = watchForCancel(c.var.deps.db, check.id, cancel);
    const heartbeat = setInterval(() => void stream.write(': \n\n'), HEARTBEAT_MS);
    // Hono swallows a failed write (the client is gone); the session's bookkeeping goes on.
    const send = (event: string, data: object) => stream.writeSSE({ event, data: JSON.stringify(data) });
    try {
      await send('start', { id: check.id, kind: check.kind });
      // Written in the order they come.
      let written = Promise.resolve();
      const outcome = await check.run((stage) => {
        written = written.then(() => send('stage', stage));
      }, cancel.signal);
      await written;
      await send('result', outcome.body);
    } catch (error) {
      // Logged, not streamed: Hono's own handler would write the error's message to the client.
      // The stream ends without a `result`, which the widget reports as a failed check.
      console.error(`streamed check ${check.id}: ${errorSummary(error)}`);
    } finally {
      watch.stop();
      clearInterval(heartbeat);
      request?.removeEventListener('abort', abort);
    }
  });
  // streamSSE put `no-cache` among the context's headers, which Hono copies onto the response.
  c.header('cache-control', 'no-store');
  return response;
}
