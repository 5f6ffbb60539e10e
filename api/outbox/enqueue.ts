import type { Bindings } from '../config/bindings.ts';

/** Hands a delivery id to the outbox, optionally delayed: the Queue on Workers, a timer on Node. */
export type Enqueue = (id: string, delaySeconds?: number) => Promise<void>;

/** Workers: puts a delivery id on the outbox queue (Node schedules in-process instead, api/node/outbox.ts). */
export function queueEnqueuer(env: Bindings): Enqueue {
  return async (id, delaySeconds = 0) => {
    if (!env.OUTBOX_QUEUE) throw new Error('OUTBOX_QUEUE binding is missing');
    await env.OUTBOX_QUEUE.send({ id }, delaySeconds > 0 ? { delaySeconds } : undefined);
  };
}
