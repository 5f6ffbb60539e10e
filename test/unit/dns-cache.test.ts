import { describe, expect, it } from 'vitest';
import { DnsCache } from '../../api/dns/cache.ts';

/** A cache on a clock the test moves. */
function cacheAt(options: ConstructorParameters<typeof DnsCache>[0] = {}) {
  const clock = { now: 1_000_000 };
  return { cache: new DnsCache({ ...options, now: () => clock.now }), clock };
}

const answer = (records: string[]) => ({ records, nxdomain: false });

describe('DNS answer cache', () => {
  it('keeps an answer for its TTL, clamped to the minimum and maximum', () => {
    const { cache, clock } = cacheAt({ minTtlSeconds: 30, maxTtlSeconds: 3600 });
    expect(cache.set('a.test', 'A', answer(['192.0.2.1']), 5)).toBe(30);
    expect(cache.set('b.test', 'A', answer(['192.0.2.2']), 86_400)).toBe(3600);
    clock.now += 29_000;
    expect(cache.get('a.test', 'A')).toEqual({ records: ['192.0.2.1'], nxdomain: false, ttl: 1 });
    clock.now += 1_000;
    expect(cache.get('a.test', 'A')).toBeUndefined();
    expect(cache.get('b.test', 'A')?.ttl).toBe(3570);
    expect(cache.get('b.test', 'AAAA')).toBeUndefined();
  });

  it('keeps a negative answer briefly: the SOA TTL, at most the negative maximum; 0 not at all', () => {
    const { cache } = cacheAt({ maxNegativeTtlSeconds: 60 });
    expect(cache.set('gone.test', 'TXT', { records: [], nxdomain: true }, 3600)).toBe(60);
    expect(cache.set('empty.test', 'MX', { records: [], nxdomain: false }, Infinity)).toBe(60);
    expect(cache.set('soon.test', 'MX', { records: [], nxdomain: false }, 0)).toBe(0);
    expect(cache.get('gone.test', 'TXT')).toMatchObject({ nxdomain: true, records: [] });
    expect(cache.get('soon.test', 'MX')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const { cache } = cacheAt({ maxEntries: 2 });
    cache.set('one.test', 'A', answer(['192.0.2.1']), 300);
    cache.set('two.test', 'A', answer(['192.0.2.2']), 300);
    cache.get('one.test', 'A');
    cache.set('three.test', 'A', answer(['192.0.2.3']), 300);
    expect(cache.size).toBe(2);
    expect(cache.get('two.test', 'A')).toBeUndefined();
    expect(cache.get('one.test', 'A')).toBeDefined();
  });
});
