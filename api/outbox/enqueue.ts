import type { Bindings } from '../env.ts';

/** Puts a delivery id on the outbox queue; without a queue binding (Node) the caller sends inline. */
export function queueEnqueuer(env: Bindings) {
  return async (id: string, delaySeconds = 0): Promise<void> => {
    if (!env.OUTBOX_QUEUE) throw new Error('OUTBOX_QUEUE binding is missing');
    await env.OUTBOX_QUEUE.send({ id }, delaySeconds > 0 ? { delaySeconds } : undefined);
  };
}
