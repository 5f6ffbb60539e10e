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

let byBaseDomain: Map<string, number> | undefined;

/**
 * Registrable domains that name one provider without being in its domain list: its id
 * (`hetzner.de`), or the domain of its SMTP hosts when no other provider shares it
 * (`your-server.de`). Built on first use.
 */
function baseDomainIndex(): Map<string, number> {
  if (byBaseDomain) return byBaseDomain;
  const index = new Map<string, number>();
  ISPDB_TABLE.providers.forEach(([id], i) => {
    if (!index.has(id.toLowerCase())) index.set(id.toLowerCase(), i);
  });
  const hostOwners = new Map<string, number | null>();
  ISPDB_TABLE.providers.forEach(([, , servers], i) => {
    for (const base of servers.map((s) => getDomain(ISPDB_TABLE.servers[s]![0]))) {
      if (base) hostOwners.set(base, hostOwners.has(base) && hostOwners.get(base) !== i ? null : i);
    }
  });
  for (const [base, i] of hostOwners) if (i !== null && !index.has(base)) index.set(base, i);
  byBaseDomain = index;
  return index;
}

/**
 * The provider behind an MX host: the host and each parent down to its registrable domain in the
 * ISPDB's domains (`x.mail.protection.outlook.com` → `mail.protection.outlook.com`, Microsoft 365,
 * before `outlook.com`, Outlook.com), else that registrable domain as a provider's id or SMTP domain.
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
  const index = baseDomainIndex().get(base);
  return index === undefined ? null : match(index, address);
}
