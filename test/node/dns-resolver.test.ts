// The same resolver on Node against the local unbound + dnsdist: Node's fetch, Node's Buffer.
import { describe, expect, inject, it } from 'vitest';
import { DnsCache } from '../../api/dns/cache.ts';
import { createResolver } from '../../api/dns/resolver.ts';

describe('DNS over HTTPS on Node', () => {
  it('answers lookups of several types in parallel, following a CNAME to another zone', async () => {
    const dns = createResolver({ url: inject('dnsResolverUrl'), cache: new DnsCache() });
    const [mx, srv, dkim, missing] = await Promise.all([
      dns.lookup('m365-firma.test', 'MX'),
      dns.lookup('_submission._tcp.srv-only.test', 'SRV'),
      dns.lookup('selector2._domainkey.m365-firma.test', 'TXT'),
      dns.lookup('_dmarc.spf-missing.test', 'TXT'),
    ]);
    expect(mx).toMatchObject({
      ok: true,
      records: [{ exchange: 'm365-firma-test.mail.protection.outlook.com', priority: 0 }],
    });
    expect(srv).toMatchObject({ ok: true, records: [{ target: 'mail.srv-only.test', port: 587 }] });
    expect(dkim).toMatchObject({ ok: true, records: [expect.stringMatching(/^v=DKIM1;/)] });
    expect(missing).toMatchObject({ ok: true, records: [], nxdomain: true });
    expect(dns.stats()).toEqual({ queries: 5, cacheHits: 0, shared: 0 });
  });
});
