// Discovery's DNS steps: the MX host's provider (ISPDB) or its domain's autoconfig, and the
// RFC 6186/8314 submission SRV records. Lookups go through the DoH resolver and never throw.
import { getDomain } from 'tldts';
import type { DiscoverCandidate, Security } from '../../contract/index.ts';
import type { DnsResolver } from '../dns/resolver.ts';
import type { MxRecord, SrvRecord } from '../dns/types.ts';
import { type AutoconfigOptions, type AutoconfigResult, fetchAutoconfig } from './autoconfig.ts';
import { ispdbByMxHost } from './ispdb.ts';

export interface Found {
  provider: { id: string; name: string } | null;
  candidates: DiscoverCandidate[];
}

const asSource = (candidates: DiscoverCandidate[], source: DiscoverCandidate['source']) =>
  candidates.map((c) => ({ ...c, source }));

/** The most preferred MX host (lowest priority value); none for a null MX or no MX at all. */
export function preferredMx(records: readonly MxRecord[]): string | null {
  const hosts = records.filter((r) => r.exchange !== '' && r.exchange !== '.');
  return hosts.sort((a, b) => a.priority - b.priority)[0]?.exchange ?? null;
}

/** The MX host's provider in the ISPDB, with its servers as `mx` candidates. */
export function mxProvider(mxHost: string, address: string): Found | null {
  const match = ispdbByMxHost(mxHost, address);
  return match ? { provider: match.provider, candidates: asSource(match.candidates, 'mx') } : null;
}

/** The registrable domain of the MX host, when it is not the address's domain (whose autoconfig is asked anyway). */
export function mxDomain(mxHost: string, domain: string): string | null {
  const base = getDomain(mxHost);
  return base && base !== domain ? base : null;
}

/** The MX domain's autoconfig, its servers as `mx` candidates (a guess from the MX record). */
export async function mxAutoconfig(
  mxBase: string,
  address: string,
  options: AutoconfigOptions,
): Promise<AutoconfigResult> {
  const result = await fetchAutoconfig(mxBase, address, options);
  return result.ok ? { ...result, candidates: asSource(result.candidates, 'mx') } : result;
}

/** RFC 6186/8314: implicit TLS for `_submissions`, STARTTLS for `_submission`. */
export const SRV_SERVICES = [
  { name: '_submissions._tcp', security: 'tls' },
  { name: '_submission._tcp', security: 'starttls' },
] as const satisfies readonly { name: string; security: Security }[];

export function srvLookup(resolver: DnsResolver, service: string, domain: string) {
  return resolver.lookup(`${service}.${domain}`, 'SRV');
}

/** By priority, then the heavier weight first; target "." means the service is not offered (RFC 2782). */
export function srvCandidates(records: readonly SrvRecord[], security: Security, address: string): DiscoverCandidate[] {
  return records
    .filter((r) => r.target !== '' && r.target !== '.' && r.port > 0)
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight)
    .map((r) => ({ host: r.target, port: r.port, security, auth: ['password'], username: address, source: 'srv' }));
}
