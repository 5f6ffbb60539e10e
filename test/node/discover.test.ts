// The discovery pipeline on Node (Node's fetch for DoH and autoconfig) against the local unbound + dnsdist.
import { describe, expect, inject, it } from 'vitest';
import { discoverSettings } from '../../api/discover/discover.ts';
import { DnsCache } from '../../api/dns/cache.ts';
import { createResolver } from '../../api/dns/resolver.ts';

const options = () => {
  const resolver = createResolver({ url: inject('dnsResolverUrl'), cache: new DnsCache() });
  return { resolver, autoconfig: { allowPrivateHosts: true } };
};

describe('discoverSettings on Node', () => {
  it('an MX on Microsoft 365 in one parallel round: MX and both SRV lookups, three queries', async () => {
    const opts = options();
    const result = await discoverSettings('m365-firma.test', 'rechnung@m365-firma.test', opts);
    expect(result.candidates[0]).toMatchObject({
      host: 'smtp.office365.com',
      oauthProvider: 'microsoft',
      source: 'mx',
    });
    expect(result.complete).toBe(true);
    expect(opts.resolver.stats().queries).toBe(3);
  });

  it('only SRV records: both services in order; no probe without a probe step', async () => {
    const result = await discoverSettings('srv-only.test', 'info@srv-only.test', options());
    expect(result.candidates.map((c) => `${c.host}:${c.port}/${c.security}`)).toEqual([
      'mail.srv-only.test:465/tls',
      'mail.srv-only.test:587/starttls',
    ]);
  });

  it('nothing anywhere: no candidates, every lookup answered (NXDOMAIN is an answer)', async () => {
    const result = await discoverSettings('nothing.test', 'x@nothing.test', options());
    expect(result.candidates).toEqual([]);
    expect(result.lookups.filter((l) => l.step !== 'autoconfig').every((l) => l.ok)).toBe(true);
  });
});
