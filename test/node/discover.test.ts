// The discovery pipeline on Node (Node's fetch for DoH and autoconfig) against the local unbound + dnsdist.
import { describe, expect, inject, it } from 'vitest';
import { discoverSettings } from '../../api/discover/discover.ts';
import { DnsCache } from '../../api/dns/cache.ts';
import { createResolver } from '../../api/dns/resolver.ts';
import { probeSmtp } from '../../api/smtp/probe.ts';

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

describe('probeSmtp', () => {
  const options = { runtime: 'node' as const, allowPrivateHosts: false, timeoutMs: 1000 };

  it('never port 25, on any runtime, and nothing internal without ALLOW_PRIVATE_HOSTS: refused before connecting', async () => {
    expect(await probeSmtp({ host: 'smtp.example.com', port: 25, security: 'starttls' }, options)).toEqual({
      ok: false,
      ms: 0,
      stage: 'connect',
      code: 'port_blocked',
    });
    expect(await probeSmtp({ host: '127.0.0.1', port: 465, security: 'tls' }, options)).toMatchObject({
      ok: false,
      code: 'host_private',
    });
  });
});
