import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../../http/context.ts';
import { errorSummary } from '../../util/error-summary.ts';
import type { PreparedCheck } from './service.ts';

/** The client asked for the check's progress as Server-Sent Events (JSON stays the default). */
export function wantsEventStream(c: Context<AppEnv>): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes('text/event-stream');
}

/**
 * A prepared check as Server-Sent Events: `start` (the row's id), one `stage` per step of the
 * session, then `result`, the body the plain request answers.
 */
export function streamCheck<B extends object>(c: Context<AppEnv>, check: PreparedCheck<B>): Response {
  const response = streamSSE(
    c,
    async (stream) => {
      const send = (event: string, data: object) => stream.writeSSE({ event, data: JSON.stringify(data) });
      await send('start', { id: check.id, kind: check.kind });
      // Written in the order they come; a write failing (client gone) must not end the session's bookkeeping.
      let written = Promise.resolve();
      const outcome = await check.run((stage) => {
        written = written.then(() => send('stage', stage)).catch(() => {});
      });
      await written;
      await send('result', outcome.body);
    },
    async (error) => {
      console.error(`streamed check ${check.id}: ${errorSummary(error)}`);
    },
  );
  // streamSSE put `no-cache` among the context's headers, which Hono copies onto the response.
  c.header('cache-control', 'no-store');
  return response;
}
