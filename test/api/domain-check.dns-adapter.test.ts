// The DoH resolver in node:dns's resolve() shape, as mailauth reads it, against the local DNS service.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DnsCache } from '../../api/dns/cache.ts';
import { nodeStyleResolve } from '../../api/dns/node-dns-adapter.ts';
import { createResolver } from '../../api/dns/resolver.ts';

const resolve = nodeStyleResolve(createResolver({ url: env.DNS_RESOLVER_URL!, cache: new DnsCache() }));

describe('nodeStyleResolve', () => {
  it("answers with node:dns's record shapes: addresses, MX objects, TXT as lists of strings", async () => {
    expect(await resolve('mail.selfhosted.test', 'A')).toEqual(['127.0.0.1']);
    expect(await resolve('selfhosted.test', 'MX')).toEqual([{ exchange: 'mail.selfhosted.test', priority: 10 }]);
    expect(await resolve('selfhosted.test', 'TXT')).toEqual([['v=spf1 mx -all']]);
  });

  it('rejects with ENOTFOUND for a name that does not exist and ENODATA for one without such records', async () => {
    await expect(resolve('nowhere.nothing.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolve('mail.selfhosted.test', 'TXT')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('rejects PTR, which the resolver does not ask for, with ENOTIMP', async () => {
    await expect(resolve('1.2.0.192.in-addr.arpa', 'PTR')).rejects.toMatchObject({ code: 'ENOTIMP' });
  });

  it("rejects a failed lookup with node:dns's code and keeps the resolver's reason", async () => {
    const broken = nodeStyleResolve(createResolver({ url: 'http://127.0.0.1:9/dns-query', cache: new DnsCache() }));
    await expect(broken('selfhosted.test', 'TXT')).rejects.toMatchObject({ code: 'ECONNREFUSED', reason: 'network' });
  });
});
