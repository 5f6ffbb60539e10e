// Discovery's last step: smtp.<domain> and mail.<domain> on 465 (implicit TLS) and 587 (STARTTLS),
// only the names that exist in DNS, at most four connections at once within one time limit.
import type { DiscoverCandidate } from '../../contract/index.ts';
import type { DnsResolver } from '../dns/resolver.ts';
import type { ProbeResult, ProbeTarget } from '../smtp/probe.ts';
import type { Lookup } from './discover.ts';

export interface ProbeStep {
  /** Before the first connection (counts the probe against the tenant's test limit); may throw. */
  reserve(): Promise<void>;
  /** One target, within the probe's time limit (the runtime's `probeSmtp`). */
  connect(target: ProbeTarget): Promise<ProbeResult>;
}

export const PROBE_HOSTS = ['smtp', 'mail'] as const;
export const PROBE_PORTS = [
  { port: 465, security: 'tls' },
  { port: 587, security: 'starttls' },
] as const;

/** The guessed names that have an address (A or AAAA): no connection goes to a name that does not exist. */
async function existingHosts(domain: string, resolver: DnsResolver): Promise<{ hosts: string[]; lookup: Lookup }> {
  const start = performance.now();
  const names = PROBE_HOSTS.map((h) => `${h}.${domain}`);
  const answers = await Promise.all(names.flatMap((n) => [resolver.lookup(n, 'A'), resolver.lookup(n, 'AAAA')]));
  const hosts = names.filter((_, i) =>
    [answers[2 * i]!, answers[2 * i + 1]!].some((a) => a.ok && a.records.length > 0),
  );
  const ms = Math.round((performance.now() - start) * 100) / 100;
  return { hosts, lookup: { step: 'probe dns', ok: answers.every((a) => a.ok), ms } };
}

export async function probeGuessedHosts(
  domain: string,
  address: string,
  resolver: DnsResolver,
  step: ProbeStep,
): Promise<{ candidates: DiscoverCandidate[]; lookups: Lookup[] }> {
  const { hosts, lookup } = await existingHosts(domain, resolver);
  const targets: ProbeTarget[] = hosts.flatMap((host) =>
    PROBE_PORTS.map(({ port, security }) => ({ host, port, security })),
  );
  if (targets.length === 0) return { candidates: [], lookups: [lookup] };
  await step.reserve();
  const results = await Promise.all(targets.map((t) => step.connect(t)));
  const candidates = targets.flatMap((t, i): DiscoverCandidate[] =>
    results[i]!.ok ? [{ ...t, auth: ['password'], username: address, source: 'probe' }] : [],
  );
  const probes = targets.map((t, i) => ({ step: `probe ${t.host}:${t.port}`, ok: results[i]!.ok, ms: results[i]!.ms }));
  return { candidates, lookups: [lookup, ...probes] };
}
