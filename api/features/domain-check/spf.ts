// SPF (RFC 7208) for the sender domain and the route's sending server, evaluated by mailauth over
// the DoH resolver. The server's own sending address is not known to us, so it is stood in for.
// mailauth (with joi and libmime) is imported on first use: other routes' cold starts do not load it.
import type { DNSResolver } from 'mailauth';
import type { SpfResult } from '../../../contract/index.ts';
import { isIPv4, isIPv6 } from '../../../contract/rules/host.ts';
import type { NodeStyleResolve } from '../../dns/node-dns-adapter.ts';
import type { DnsResolver } from '../../dns/resolver.ts';
import type { DnsLookup } from '../../dns/types.ts';

/**
 * Who sends for the domain on this route, as SPF sees it: an address the check evaluates (`ip`) and
 * the term that would authorize it (`term`). `viaHost`: the address is the server's host name's,
 * which need not be the one the server sends from.
 */
export type SendingServer =
  | { kind: 'known'; server: string | null; term: string; ip: string; viaHost: boolean }
  /** The host name has no address. */
  | { kind: 'unknown'; server: string | null }
  | { kind: 'dns_failed'; server: string | null };

/** How the check finds the sending server: a provider's SPF include, a fixed address, or a host name's addresses. */
export type ServerSource =
  | { include: string; server: string | null }
  | { ip: string; server: string | null }
  | { host: string; server: string | null };

export interface SpfOutcome {
  /** null: not evaluated (no address to evaluate). */
  result: SpfResult | null;
  /** The one SPF record of the domain, null with none or several. */
  record: string | null;
  /** How many SPF records the domain has (0 also when the lookup failed). */
  records: number;
  permerror?: 'lookups' | 'records' | 'other';
  dnsFailed: boolean;
}

const ipTerm = (ip: string) => `${isIPv6(ip) ? 'ip6' : 'ip4'}:${ip}`;
const isIp = (value: string) => isIPv4(value) || isIPv6(value);
const spfRecords = (texts: string[]) => texts.filter((t) => /^v=spf1(\s|$)/i.test(t.trim()));

/** A sender address an include authorizes: its record's first `ip4:`/`ip6:` network, through nested includes. */
async function includeAddress(
  dns: DnsResolver,
  include: string,
  signal: AbortSignal,
): Promise<string | null | 'dns_failed'> {
  let name = include;
  for (let depth = 0; depth < 3; depth++) {
    const answer = await dns.lookup(name, 'TXT', { signal });
    if (!answer.ok) return 'dns_failed';
    const terms = spfRecords(answer.records)[0]?.trim().split(/\s+/) ?? [];
    const network = terms.find((t) => /^\+?ip[46]:/i.test(t));
    if (network) return network.replace(/^\+?ip[46]:/i, '').split('/')[0]!;
    const next = terms.find((t) => /^\+?include:/i.test(t));
    if (!next) return null;
    name = next.replace(/^\+?include:/i, '');
  }
  return null;
}

/** The address the check evaluates for the route's server (one lookup round, or two for nested includes). */
export async function findSendingServer(
  dns: DnsResolver,
  source: ServerSource,
  signal: AbortSignal,
): Promise<SendingServer> {
  const { server } = source;
  if ('ip' in source) return { kind: 'known', server, term: ipTerm(source.ip), ip: source.ip, viaHost: false };
  if ('include' in source) {
    const ip = await includeAddress(dns, source.include, signal);
    if (ip === 'dns_failed') return { kind: 'dns_failed', server };
    return ip
      ? { kind: 'known', server, term: `include:${source.include}`, ip, viaHost: false }
      : { kind: 'unknown', server };
  }
  if (isIp(source.host)) return { kind: 'known', server, term: ipTerm(source.host), ip: source.host, viaHost: true };
  const [a, aaaa] = await Promise.all([
    dns.lookup(source.host, 'A', { signal }),
    dns.lookup(source.host, 'AAAA', { signal }),
  ]);
  const ip = (a.ok ? a.records[0] : undefined) ?? (aaaa.ok ? aaaa.records[0] : undefined);
  if (ip) return { kind: 'known', server, term: ipTerm(ip), ip, viaHost: true };
  return a.ok && aaaa.ok ? { kind: 'unknown', server } : { kind: 'dns_failed', server };
}

function permerrorCause(comment: string | undefined): SpfOutcome['permerror'] {
  if (comment?.includes('Too many DNS requests')) return 'lookups';
  if (comment?.includes('multiple SPF records')) return 'records';
  return 'other';
}

/**
 * The domain's SPF record (`txt`: its TXT lookup, started early so a failing resolver costs one time
 * box, not two), and mailauth's verdict on `ip` sending for it (its lookups shared with ours).
 */
export async function evaluateSpf(
  txtLookup: Promise<DnsLookup<'TXT'>>,
  resolve: NodeStyleResolve,
  domain: string,
  ip: string | null,
): Promise<SpfOutcome> {
  const [txt, verdict] = await Promise.all([
    txtLookup,
    // `mta` names this check in mailauth's comments (else it asks node:os); its resolver type names only
    // the TXT and address shapes, while MX answers are objects, as node:dns gives them.
    ip
      ? (await import('mailauth/lib/spf/index.js')).spf({
          sender: `postmaster@${domain}`,
          ip,
          helo: domain,
          mta: 'domain-check',
          resolver: resolve as DNSResolver,
        })
      : null,
  ]);
  const records = txt.ok ? spfRecords(txt.records) : [];
  const found = { record: records.length === 1 ? records[0]! : null, records: records.length };
  if (!verdict) return { result: null, ...found, dnsFailed: !txt.ok };
  const result = verdict.status.result as SpfResult;
  return {
    result,
    ...found,
    dnsFailed: result === 'temperror',
    ...(result === 'permerror' ? { permerror: permerrorCause(verdict.status.comment) } : {}),
  };
}
