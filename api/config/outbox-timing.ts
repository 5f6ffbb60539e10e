const DEFAULT_DELAYS = [60, 300, 900, 3600, 2700];

/**
 * OUTBOX_RETRY_DELAYS = seconds before each retry, e.g. "60,300,900,3600,2700" (≈ 2 h in all); each
 * at most 12 h (a Queue's longest delay). WEBHOOK_RETRY_DELAYS is read the same way, with its own default.
 */
export function retryDelays(config: string | undefined, defaults: number[] = DEFAULT_DELAYS): number[] {
  if (!config) return defaults;
  const delays = config.split(',').map((s) => Number(s.trim()));
  return delays.length > 0 && delays.every((d) => Number.isInteger(d) && d >= 0 && d <= 43_200) ? delays : defaults;
}

/** How long a claim holds a row unless renewed; past it the sweeper treats the attempt as cut off. */
export const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * The shortest lease outside development. A send starts only while a third of the lease is left,
 * and one attempt may take two 30 s sends (the tenant's server, then the fallback) plus recording:
 * a third of the lease must cover that even if renewing fails meanwhile.
 */
export const MIN_LEASE_SECONDS = 200;

/**
 * OUTBOX_LEASE_SECONDS: how long a claim lasts without renewal (default 5 min). A running batch
 * renews it (every third of it) for the rows it still holds. Below MIN_LEASE_SECONDS only in
 * development (tests shorten it to see leases run out).
 */
export function leaseMs(config: string | undefined, environment?: string): number {
  const seconds = Number(config);
  if (!config || !Number.isInteger(seconds) || seconds <= 0) return DEFAULT_LEASE_MS;
  return (environment === 'development' ? seconds : Math.max(seconds, MIN_LEASE_SECONDS)) * 1000;
}
