// The outbox's configurable numbers: retry delays and the claim lease.
import { describe, expect, it } from 'vitest';
import { leaseMs, MIN_LEASE_SECONDS, retryDelays } from '../../api/config/outbox-timing.ts';
import { nextRetryDelay } from '../../api/outbox/policy.ts';

describe('outbox policy', () => {
  it('retry delays: the configured list, or the default (about 2 h) when it is not a list of whole seconds', () => {
    expect(retryDelays('0,5,60')).toEqual([0, 5, 60]);
    for (const bad of [undefined, '', 'a,b', '1.5', '-1', '99999'])
      expect(retryDelays(bad)).toEqual([60, 300, 900, 3600, 2700]);
    expect([1, 2, 3, 4].map((attempts) => nextRetryDelay([0, 5, 60], attempts))).toEqual([0, 5, 60, null]);
  });

  it('the lease: 5 min by default; below the safe minimum only in development', () => {
    expect(leaseMs(undefined, 'production')).toBe(300_000);
    expect(leaseMs('600', 'production')).toBe(600_000);
    // A third of the lease must cover a tenant send and a fallback send (2 × 30 s) plus recording.
    expect(MIN_LEASE_SECONDS / 3).toBeGreaterThanOrEqual(2 * 30 + 5);
    expect(leaseMs('2', 'production')).toBe(MIN_LEASE_SECONDS * 1000);
    expect(leaseMs('2', undefined)).toBe(MIN_LEASE_SECONDS * 1000);
    expect(leaseMs('2', 'development')).toBe(2_000);
    expect(leaseMs('nonsense', 'development')).toBe(300_000);
  });
});
