// Thunderbird's provider list (the ISPDB snapshot in vendor/ispdb, bundled as ispdb-table.ts):
// by the address's domain, and by a domain's MX host, as Thunderbird does for custom domains.
import { getDomain } from 'tldts';
import type { DiscoverCandidate } from '../../contract/index.ts';
import { toAsciiDomain } from '../../contract/rules/host.ts';
import { toCandidates } from './candidates.ts';
import { ISPDB_TABLE } from './ispdb-table.ts';

export interface IspdbMatch {
  provider: { id: string; name: string };
  /** Best first, in the ISPDB's order. */
  candidates: DiscoverCandidate[];
}

function match(index: number, address: string): IspdbMatch {
  const [id, name, servers] = ISPDB_TABLE.providers[index]!;
  return {
    provider: { id, name },
    candidates: toCandidates(
      servers.map((i) => ISPDB_TABLE.servers[i]!),
      address,
      'ispdb',
    ),
  };
}

const providerOfDomain = (domain: string): number | undefined =>
  Object.hasOwn(ISPDB_TABLE.domains, domain) ? ISPDB_TABLE.domains[domain] : undefined;

/** The provider listed for exactly this domain (IDN and case as DNS sees them), with candidates for `address`. */
export function ispdbByDomain(domain: string, address: string): IspdbMatch | null {
  const ascii = toAsciiDomain(domain);
  const index = ascii ? providerOfDomain(ascii) : undefined;
  return index === undefined ? null : match(index, address);
}

/**
 * The provider behind an MX host: the host and each parent down to its registrable domain in the
 * ISPDB's domains (`x.mail.protection.outlook.com` → `mail.protection.outlook.com`, Microsoft 365,
 * before `outlook.com`, Outlook.com), else that registrable domain in the table's `baseDomains`.
 */
export function ispdbByMxHost(mxHost: string, address: string): IspdbMatch | null {
  const host = toAsciiDomain(mxHost);
  const base = host ? getDomain(host) : null;
  if (!host || !base) return null;
  const labels = host.split('.');
  const baseLabels = base.split('.').length;
  for (let start = 0; labels.length - start >= baseLabels; start++) {
    const index = providerOfDomain(labels.slice(start).join('.'));
    if (index !== undefined) return match(index, address);
  }
  return Object.hasOwn(ISPDB_TABLE.baseDomains, base) ? match(ISPDB_TABLE.baseDomains[base]!, address) : null;
}
