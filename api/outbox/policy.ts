import type { NormalizedSmtpError } from '../mail/types.ts';

const DEFAULT_DELAYS = [60, 300, 900, 3600, 2700];

/** OUTBOX_RETRY_DELAYS = seconds before each retry, e.g. "60,300,900,3600,2700" (≈ 2 h in all). */
export function retryDelays(config: string | undefined): number[] {
  if (!config) return DEFAULT_DELAYS;
  const delays = config.split(',').map((s) => Number(s.trim()));
  return delays.length > 0 && delays.every((d) => Number.isInteger(d) && d >= 0 && d <= 43_200) ? delays : DEFAULT_DELAYS;
}

/** Seconds until the next attempt, or null when the retry budget is spent. `attempts` counts the one that just failed. */
export function nextRetryDelay(delays: number[], attempts: number): number | null {
  return attempts <= delays.length ? delays[attempts - 1]! : null;
}

/** Failures before any message was handed over: every further message on that route fails the same way. */
export function breaksRoute(error: NormalizedSmtpError): boolean {
  return !error.transient && ['connect', 'tls', 'greeting', 'ehlo', 'auth'].includes(error.stage);
}

/** How long a claim holds a row unless renewed; past it the sweeper treats the attempt as cut off. */
const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * OUTBOX_LEASE_SECONDS: how long a claim lasts without renewal (default 5 min; well above the 30 s
 * send limit). A running batch renews it (every third of it) for the rows it still holds.
 */
export function leaseMs(config: string | undefined): number {
  const seconds = Number(config);
  return config && Number.isInteger(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_LEASE_MS;
}
