// Settings from the address (GET /v1/mail-server/discover) against the local DNS service: an ISPDB
// hit (no network), and an MX-based hit (Microsoft 365) on a domain neither the discovery nor the
// DNS cache has seen, next to the slowest single lookup of that round. A counting proxy in front of
// the DoH endpoint counts the lookups per discovery. Figures only — nothing here asserts on time.
import { createServer, type Server } from 'node:http';
import type { DiscoverResult } from '../contract/index.ts';
import { discoverSettings } from '../api/discover/discover.ts';
import { createResolver } from '../api/dns/resolver.ts';
import { type DnsZone, startDnsService } from '../scripts/lib/dns-service.ts';
import { TEST_ZONES } from '../test/fixtures/dns-zones.ts';
import { startBenchStack, type Runtime } from './lib/stack.ts';
import { median, ms, percentile } from './lib/stats.ts';

const SAMPLES = 30;

/** One fresh Microsoft 365 domain per measured discovery: neither cache helps. */
const mxZones = (count: number): DnsZone[] =>
  Array.from({ length: count }, (_, i) => ({
    zone: `bench-mx-${i}.test`,
    records: [
      { name: `bench-mx-${i}.test`, type: 'MX', priority: 0, exchange: `bench-mx-${i}.mail.protection.outlook.com` },
    ],
  }));

/** Forwards DoH POSTs to `target` and counts them. */
async function countingProxy(target: string): Promise<{ url: string; count(): number; stop(): Promise<void> }> {
  let count = 0;
  const server: Server = createServer(async (req, res) => {
    count++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await fetch(target, {
      method: req.method,
      headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message' },
      ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/dns-query`,
    count: () => count,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

/** The ISPDB step alone, in this process: what a hit costs in CPU, without HTTP. */
async function ispdbInProcess(): Promise<number> {
  const resolver = createResolver({ url: 'http://127.0.0.1:1/dns-query' });
  const options = { resolver, autoconfig: { allowPrivateHosts: false } };
  const rounds = 2000;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await discoverSettings('posteo.de', `user${i}@posteo.de`, options);
  return (performance.now() - start) / rounds;
}

export async function benchDiscover(runtime: Runtime): Promise<string[]> {
  const dns = await startDnsService([...TEST_ZONES, ...mxZones(SAMPLES + 2)]);
  const proxy = await countingProxy(dns.url);
  const stack = await startBenchStack({ runtime, vars: { DNS_RESOLVER_URL: proxy.url } });
  try {
    const token = await stack.token(`bench-discover-${Date.now()}`);
    const ask = async (address: string) => {
      const before = proxy.count();
      const start = performance.now();
      const res = await fetch(`${stack.apiUrl}/v1/mail-server/discover?address=${encodeURIComponent(address)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const wall = performance.now() - start;
      const body = (await res.json()) as DiscoverResult;
      if (res.status !== 200 || body.candidates.length === 0)
        throw new Error(`discover ${address}: HTTP ${res.status} ${JSON.stringify(body)}${stack.logTail()}`);
      const server = Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]);
      return { wall, server, body, queries: proxy.count() - before };
    };
    const ispdb = [];
    for (let i = 0; i < SAMPLES + 3; i++) ispdb.push(await ask(`user${i}@posteo.de`));
    const mx = [];
    for (let i = 0; i < SAMPLES + 2; i++) mx.push(await ask(`rechnung@bench-mx-${i}.test`));
    const [ispdbRuns, mxRuns] = [ispdb.slice(3), mx.slice(2)];
    const slowest = mxRuns.map((r) => Math.max(...r.body.lookups.filter((l) => l.step !== 'ispdb').map((l) => l.ms)));
    const ratios = mxRuns.map((r, i) => r.server / slowest[i]!);
    const lines = [
      `ISPDB hit: in the runtime median ${ms(median(ispdbRuns.map((r) => r.server)))}; round trip median ${ms(median(ispdbRuns.map((r) => r.wall)))}, p90 ${ms(
        percentile(
          ispdbRuns.map((r) => r.wall),
          90,
        ),
      )}; DoH lookups ${Math.max(...ispdbRuns.map((r) => r.queries))} (goal ≤ 5 ms, no network)`,
      `MX hit (Microsoft 365, nothing cached): in the runtime median ${ms(median(mxRuns.map((r) => r.server)))}, slowest single lookup median ${ms(median(slowest))}, ratio median ${median(ratios).toFixed(2)}, p90 ${percentile(ratios, 90).toFixed(2)} (goal ≤ 1.3); round trip median ${ms(median(mxRuns.map((r) => r.wall)))}`,
      `DoH lookups per MX discovery: ${median(mxRuns.map((r) => r.queries))} (MX, _submissions, _submission), over ${SAMPLES} discoveries`,
    ];
    if (runtime === 'node')
      lines.push(`ISPDB step alone in this process (Node): ${ms(await ispdbInProcess())} per discovery`);
    return lines;
  } finally {
    await stack.stop();
    await proxy.stop();
    await dns.stop();
  }
}
