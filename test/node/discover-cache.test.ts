import { describe, expect, test } from 'vitest';
import { DiscoveryCache } from '../../api/discover/result-cache.ts';
import type { DiscoverCandidate } from '../../contract/index.ts';

const candidate = (username: string): DiscoverCandidate => ({
  host: 'smtp.firma.test',
  port: 587,
  security: 'starttls',
  auth: ['password'],
  username,
  source: 'srv',
});

describe('DiscoveryCache', () => {
  test("one entry per domain serves every address: usernames follow the asker's address", () => {
    const cache = new DiscoveryCache();
    cache.set('firma.test', 'anna@firma.test', {
      provider: null,
      candidates: [candidate('anna@firma.test'), candidate('anna'), candidate('postmaster')],
    });
    expect(cache.get('firma.test', 'bert@firma.test')?.candidates.map((c) => c.username)).toEqual([
      'bert@firma.test',
      'bert',
      'postmaster',
    ]);
  });

  test('an entry expires after its time; the oldest goes first when full', () => {
    const cache = new DiscoveryCache(2, 1000);
    const value = { provider: null, candidates: [] };
    cache.set('a.test', 'x@a.test', value, 0);
    cache.set('b.test', 'x@b.test', value, 10);
    cache.set('c.test', 'x@c.test', value, 20);
    expect(cache.get('a.test', 'x@a.test', 30)).toBeUndefined();
    expect(cache.get('b.test', 'x@b.test', 30)).toBeDefined();
    expect(cache.get('b.test', 'x@b.test', 1010)).toBeUndefined();
    expect(cache.get('c.test', 'x@c.test', 1010)).toBeDefined();
  });
});
