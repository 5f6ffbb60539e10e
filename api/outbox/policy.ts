import type { NormalizedSmtpError } from '../smtp/types.ts';

/** Seconds until the next attempt, or null when the retry budget is spent. `attempts` counts the one that just failed. */
export function nextRetryDelay(delays: number[], attempts: number): number | null {
  return attempts <= delays.length ? delays[attempts - 1]! : null;
}

/** Failures before any message was handed over: every further message on that route fails the same way. */
export function breaksRoute(error: NormalizedSmtpError): boolean {
  return !error.transient && ['connect', 'tls', 'greeting', 'ehlo', 'auth'].includes(error.stage);
}
