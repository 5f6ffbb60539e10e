import type { Context } from 'hono';
import type { AppEnv } from './context.ts';

/** Work that may finish after the response (Workers: `waitUntil`); without one, the caller awaits it. */
export type Defer = (task: Promise<unknown>) => void;

/** `waitUntil` of the request's execution context, where there is one (Workers); none on Node. */
export function deferrerOf(c: Context<AppEnv>): Defer | undefined {
  let ctx: { waitUntil?: (task: Promise<unknown>) => void } | undefined;
  try {
    ctx = c.executionCtx; // Hono throws when the runtime gave no execution context
  } catch {
    return undefined;
  }
  const waitUntil = ctx?.waitUntil;
  return typeof waitUntil === 'function' ? (task) => waitUntil.call(ctx, task) : undefined;
}
