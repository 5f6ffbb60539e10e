// The DoH resolver inside workerd against the local unbound + dnsdist of the global setup
// (test/fixtures/dns-zones.ts): every record type, CNAME chains, NXDOMAIN/NODATA, the cache, sharing.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DnsCache } from '../../api/dns/cache.ts';
import { createResolver } from '../../api/dns/resolver.ts';
import { DKIM_2048 } from '../../scripts/lib/dns-zones.ts';

const resolver = () => createResolver({ url: env.DNS_RESOLVER_URL!, cache: new DnsCache() });

describe('DNS over HTTPS from workerd', () => {
  it('answers A, AAAA, MX, TXT, SRV and CNAME lookups with typed records and their TTL', async () => {
    const dns = resolver();
    const [a, aaaa, mx, txt, srv, cname] = await Promise.all([
      dns.lookup('types.test', 'A'),
      dns.lookup('types.test', 'AAAA'),
      dns.lookup('posteo.de', 'MX'),
      dns.lookup('spf-two.test', 'TXT'),
      dns.lookup('_submissions._tcp.srv-only.test', 'SRV'),
      dns.lookup('www.types.test', 'CNAME'),
    ]);
    expect(a).toMatchObject({ ok: true, records: expect.arrayContaining(['192.0.2.10', '192.0.2.11']), ttl: 300 });
    expect(aaaa).toMatchObject({ ok: true, records: ['2001:db8::10'] });
    expect(mx.ok && [...mx.records].sort((x, y) => x.priority - y.priority)).toEqual([
      { exchange: 'mx01.posteo.de', priority: 10 },
      { exchange: 'mx02.posteo.de', priority: 20 },
    ]);
    expect(txt.ok && txt.records.sort()).toEqual([
      'v=spf1 include:_spf.google.com ~all',
      'v=spf1 include:spf.protection.outlook.com -all',
    ]);
    expect(srv).toMatchObject({
      ok: true,
      records: [{ target: 'mail.srv-only.test', port: 465, priority: 0, weight: 1 }],
    });
    expect(cname).toMatchObject({ ok: true, records: ['hop.types.test'] });
    for (const answer of [a, aaaa, mx, txt, srv, cname])
      expect(answer).toMatchObject({ cached: false, nxdomain: false });
  });

  it('joins a TXT record longer than one 255-byte string, as SPF, DMARC and DKIM read it', async () => {
    expect(await resolver().lookup('long.types.test', 'TXT')).toMatchObject({ ok: true, records: [DKIM_2048] });
  });

  it('follows CNAME chains, within the zone and to another zone, as a DKIM selector of Microsoft 365 is', async () => {
    const dns = resolver();
    const [www, out, dkim] = await Promise.all([
      dns.lookup('WWW.Types.Test.', 'A'),
      dns.lookup('out.types.test', 'A'),
      dns.lookup('selector1._domainkey.m365-firma.test', 'TXT'),
    ]);
    expect(www).toMatchObject({ ok: true, name: 'www.types.test', records: expect.arrayContaining(['192.0.2.10']) });
    expect(out).toMatchObject({ ok: true, records: ['52.98.207.242'] });
    expect(dkim).toMatchObject({ ok: true, records: [expect.stringMatching(/^v=DKIM1; k=rsa; p=/)] });
  });

  it('gives a CNAME loop as a reason, not an endless chase', async () => {
    expect(await resolver().lookup('loop1.types.test', 'A')).toMatchObject({ ok: false, reason: 'cname_loop' });
  });

  it('answers NXDOMAIN and NODATA as empty answers, and a refused name as a failure', async () => {
    const dns = resolver();
    const [missing, nodata, refused] = await Promise.all([
      dns.lookup('no-such-host.nothing.test', 'A'),
      dns.lookup('types.test', 'MX'),
      dns.lookup('example.com', 'A'),
    ]);
    expect(missing).toMatchObject({ ok: true, records: [], nxdomain: true, ttl: 60 });
    expect(nodata).toMatchObject({ ok: true, records: [], nxdomain: false });
    expect(refused).toMatchObject({ ok: false, reason: 'refused', detail: 'RCODE REFUSED' });
  });

  it('answers a repeated lookup from the cache without a second query, and keeps its TTL', async () => {
    const dns = resolver();
    const first = await dns.lookup('google-firma.test', 'MX');
    const again = await dns.lookup('google-firma.test', 'mx'.toUpperCase() as 'MX');
    expect(first).toMatchObject({ ok: true, cached: false });
    expect(again).toMatchObject({ ok: true, cached: true, records: first.ok ? first.records : [] });
    expect(dns.stats()).toEqual({ queries: 1, cacheHits: 1, shared: 0 });
  });

  it('caches a negative answer too, briefly', async () => {
    const dns = resolver();
    await dns.lookup('gone.nothing.test', 'TXT');
    expect(await dns.lookup('gone.nothing.test', 'TXT')).toMatchObject({ ok: true, nxdomain: true, cached: true });
    expect(dns.stats().queries).toBe(1);
  });

  it('sends identical lookups in flight once, and independent ones in parallel', async () => {
    const dns = resolver();
    const names = ['m365-firma.test', 'google-firma.test', 'reject-firma.test', 'spf-other.test'];
    const answers = await Promise.all([
      ...names.map((name) => dns.lookup(name, 'TXT')),
      ...names.map((name) => dns.lookup(name, 'TXT')),
    ]);
    expect(answers.every((answer) => answer.ok && answer.records.length === 1)).toBe(true);
    expect(dns.stats()).toEqual({ queries: 4, cacheHits: 0, shared: 4 });
    for (const answer of answers) expect(answer.ms).toBeGreaterThanOrEqual(0);
  });

  it('refuses a name that is no host name without sending anything', async () => {
    const dns = resolver();
    for (const name of ['', 'a..b', 'münchen.test', `${'a'.repeat(64)}.test`, 'bad name.test']) {
      expect(await dns.lookup(name, 'A')).toMatchObject({ ok: false, reason: 'invalid_name' });
    }
    expect(dns.stats().queries).toBe(0);
  });
});
