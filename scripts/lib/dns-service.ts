// A DNS-over-HTTPS service on loopback for tests and `npm run dev`: Debian's unbound serves static
// zones (nothing is forwarded off the machine), Debian's dnsdist answers RFC 8484 over plain
// HTTP/1.1 in front of it (unbound's own DoH speaks HTTP/2 only, which workerd's fetch does not).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { freePort } from './ports.ts';
import { stopChild, track } from './processes.ts';

export type ZoneRecord =
  | { name: string; type: 'A' | 'AAAA'; address: string }
  | { name: string; type: 'CNAME'; target: string }
  | { name: string; type: 'MX'; exchange: string; priority: number }
  | { name: string; type: 'SRV'; target: string; port: number; priority?: number; weight?: number }
  | { name: string; type: 'TXT'; text: string };

/** A zone served statically: a name below it without data answers NXDOMAIN, with the zone's SOA. */
export interface DnsZone {
  zone: string;
  records: ZoneRecord[];
}

export interface DnsService {
  /** The RFC 8484 endpoint, e.g. `http://127.0.0.1:41234/dns-query`. */
  url: string;
  stop(): Promise<void>;
}

const BINARIES = { unbound: '/usr/sbin/unbound', dnsdist: '/usr/bin/dnsdist' } as const;

/** The Debian packages of the service that are not installed (empty: it can start). */
export function missingDnsPackages(): string[] {
  return Object.entries(BINARIES)
    .filter(([, path]) => !existsSync(path))
    .map(([name]) => name);
}

const TTL = 300;

/** A TXT text as zone-file character-strings of at most 255 bytes (RFC 1035), printable ASCII only. */
function txtStrings(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text) || /["'\\]/.test(text))
    throw new Error(`TXT text the zone writer does not quote: ${text}`);
  const parts: string[] = [];
  for (let i = 0; i < text.length || i === 0; i += 255) parts.push(`"${text.slice(i, i + 255)}"`);
  return parts.join(' ');
}

function recordData(record: ZoneRecord): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.address;
    case 'CNAME':
      return `${record.target}.`;
    case 'MX':
      return `${record.priority} ${record.exchange}.`;
    case 'SRV':
      return `${record.priority ?? 0} ${record.weight ?? 1} ${record.port} ${record.target}.`;
    case 'TXT':
      return txtStrings(record.text);
  }
}

/** unbound's server clause for these zones, on 127.0.0.1:port, everything else refused. */
export function unboundConfig(zones: DnsZone[], port: number, dir: string): string {
  const lines = [
    'server:',
    '  interface: 127.0.0.1',
    `  port: ${port}`,
    '  do-daemonize: no',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${dir}"`,
    '  pidfile: ""',
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 0',
    '  do-ip6: no',
    '  do-not-query-localhost: yes',
    '  module-config: "iterator"',
    '  local-zone: "." refuse',
  ];
  for (const { zone, records } of zones) {
    lines.push(`  local-zone: "${zone}." static`);
    lines.push(`  local-data: "${zone}. ${TTL} IN SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 60"`);
    for (const record of records) {
      // unbound would serve a name outside the zone anyway, under a zone of its own making.
      if (record.name !== zone && !record.name.endsWith(`.${zone}`))
        throw new Error(`${record.name} is not in ${zone}`);
      lines.push(`  local-data: '${record.name}. ${TTL} IN ${record.type} ${recordData(record)}'`);
    }
  }
  lines.push('remote-control:', '  control-enable: no');
  return `${lines.join('\n')}\n`;
}

/** dnsdist: DoH over plain HTTP on `port`, every query to unbound, no security polling, no console. */
function dnsdistConfig(unboundPort: number, port: number): string {
  return [
    'setSecurityPollSuffix("")',
    `newServer({address="127.0.0.1:${unboundPort}"})`,
    `addDOHLocal("127.0.0.1:${port}", nil, nil, "/dns-query")`,
    '',
  ].join('\n');
}

/** A child whose last lines of output are kept for the error when the service does not come up. */
function startLogged(command: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

/** Resolves once a DoH query for the zone's SOA is answered with it (the whole chain works). */
async function waitForAnswer(url: string, zone: string, alive: () => boolean, timeoutMs: number): Promise<void> {
  const query = dnsPacket.encode({
    type: 'query',
    id: 1,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'SOA', name: zone }],
  });
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('unbound or dnsdist exited');
    try {
      const res = await fetch(`${url}?dns=${query.toString('base64url')}`, {
        headers: { accept: 'application/dns-message' },
      });
      // dns-packet's types omit the rcode it decodes.
      const answer = dnsPacket.decode(Buffer.from(await res.arrayBuffer())) as { rcode?: string; answers?: unknown[] };
      if (res.ok && answer.rcode === 'NOERROR' && answer.answers?.length) return;
      last = `HTTP ${res.status}, ${answer.rcode}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no DoH answer within ${timeoutMs} ms: ${last}`);
}

/** Starts unbound with these zones and dnsdist in front of it, both on free loopback ports. */
export async function startDnsService(zones: DnsZone[]): Promise<DnsService> {
  const missing = missingDnsPackages();
  if (missing.length > 0) {
    throw new Error(`the local DNS service needs Debian's ${missing.join(' and ')}: apt-get install unbound dnsdist`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'mss-dns-'));
  const [unboundPort, dohPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'unbound.conf'), unboundConfig(zones, unboundPort, dir));
  writeFileSync(join(dir, 'dnsdist.conf'), dnsdistConfig(unboundPort, dohPort));
  const unbound = startLogged(BINARIES.unbound, ['-d', '-c', join(dir, 'unbound.conf')]);
  const dnsdist = startLogged(BINARIES.dnsdist, ['--supervised', '--disable-syslog', '-C', join(dir, 'dnsdist.conf')]);
  const stop = async () => {
    await Promise.all([stopChild(dnsdist.child), stopChild(unbound.child)]);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${dohPort}/dns-query`;
  const alive = () => unbound.child.exitCode === null && dnsdist.child.exitCode === null;
  try {
    await waitForAnswer(url, zones[0]?.zone ?? '.', alive, 15_000);
  } catch (error) {
    await stop();
    throw new Error(`the local DNS service did not start: ${String(error)}\n${unbound.output()}\n${dnsdist.output()}`);
  }
  return { url, stop };
}
