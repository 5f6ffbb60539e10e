import type { SmtpErrorCode } from '../../contract/index.ts';
import type { NormalizedSmtpError } from '../smtp/types.ts';

/** Seconds until the next attempt, or null when the retry budget is spent. `attempts` counts the one that just failed. */
export function nextRetryDelay(delays: number[], attempts: number): number | null {
  return attempts <= delays.length ? delays[attempts - 1]! : null;
}

const BEFORE_HAND_OVER: readonly string[] = ['connect', 'tls', 'greeting', 'ehlo', 'auth'];
const TIMEOUTS: readonly SmtpErrorCode[] = [
  'connection_timeout',
  'greeting_timeout',
  'tls_timeout',
  'response_timeout',
  'total_timeout',
];

/** A server too slow to answer before any message was handed over (a tarpit holds each message its whole time). */
export function stallsRoute(error: NormalizedSmtpError): boolean {
  return BEFORE_HAND_OVER.includes(error.stage) && TIMEOUTS.includes(error.code);
}

/**
 * Failures before any message was handed over that every further message on that route would meet
 * too: a refusal, or a stall (which would hold the tenant's batch for each message's whole time).
 */
export function breaksRoute(error: NormalizedSmtpError): boolean {
  return BEFORE_HAND_OVER.includes(error.stage) && (!error.transient || stallsRoute(error));
}
