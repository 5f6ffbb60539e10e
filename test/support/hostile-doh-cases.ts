// The hostile DoH cases as tests, for each runtime's test file: every wrong answer gives its reason.
import { expect, inject, it } from 'vitest';
import { DnsCache } from '../../api/dns/cache.ts';
import { createResolver } from '../../api/dns/resolver.ts';
import { HOSTILE_CASES, type HostileCase } from './hostile-doh.ts';

/** A resolver against one case, time-boxed short: the silent case must end in a timeout, not a hang. */
const hostile = (name: HostileCase) =>
  createResolver({ url: `${inject('hostileDohUrl')}/${name}`, timeoutMs: 500, cache: new DnsCache() });

export function hostileDohTests(): void {
  for (const [name, reason] of Object.entries(HOSTILE_CASES) as [HostileCase, string][]) {
    it(`answers "${name}" with the reason ${reason}, not a throw or a hang`, async () => {
      const answer = await hostile(name).lookup('victim.test', 'A');
      expect(answer).toMatchObject({ ok: false, name: 'victim.test', type: 'A', reason });
      expect(answer.ok || answer.detail).toBeTruthy();
    });
  }

  it("ends a lookup when the caller's signal aborts, before its own time box", async () => {
    const dns = createResolver({ url: `${inject('hostileDohUrl')}/silent`, timeoutMs: 600_000, cache: new DnsCache() });
    const caller = new AbortController();
    const pending = dns.lookup('victim.test', 'A', { signal: caller.signal });
    caller.abort();
    expect(await pending).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('caches no failure: the next lookup asks again', async () => {
    const dns = hostile('servfail');
    await dns.lookup('victim.test', 'A');
    await dns.lookup('victim.test', 'A');
    expect(dns.stats()).toMatchObject({ queries: 2, cacheHits: 0 });
  });

  it('gives a resolver nothing listens on as a network failure', async () => {
    const answer = await createResolver({ url: 'http://127.0.0.1:9/dns-query', cache: new DnsCache() }).lookup(
      'victim.test',
      'A',
    );
    expect(answer).toMatchObject({ ok: false, reason: 'network' });
  });
}
