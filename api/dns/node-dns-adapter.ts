// The DoH resolver in node:dns's `resolve(name, rrtype)` shape, for libraries written against it
// (mailauth's SPF and DMARC code): rejections carry node:dns error codes, answers its record shapes.
import type { DnsResolver } from './resolver.ts';
import type { DnsFailureReason, DnsRecordType } from './types.ts';

/** A node:dns-style error; `reason` keeps the resolver's own reason for the caller's findings. */
export interface NodeDnsError extends Error {
  code: string;
  reason?: DnsFailureReason;
}

export type NodeStyleResolve = (name: string, rrtype: string) => Promise<unknown[]>;

/** node:dns's codes (`dns.TIMEOUT` …) for the resolver's reasons. */
const CODES: Record<DnsFailureReason, string> = {
  invalid_name: 'EBADNAME',
  timeout: 'ETIMEOUT',
  network: 'ECONNREFUSED',
  http_error: 'EBADRESP',
  bad_content_type: 'EBADRESP',
  oversize: 'EBADRESP',
  malformed: 'EBADRESP',
  mismatch: 'EBADRESP',
  servfail: 'ESERVFAIL',
  refused: 'EREFUSED',
  rcode: 'ESERVFAIL',
  cname_loop: 'ESERVFAIL',
};

const SUPPORTED = new Set<string>(['A', 'AAAA', 'MX', 'TXT', 'SRV', 'CNAME']);

function dnsError(code: string, message: string, reason?: DnsFailureReason): NodeDnsError {
  return Object.assign(new Error(message), { code, reason });
}

/**
 * `resolve(name, rrtype)` over `dns`: ENOTFOUND for NXDOMAIN, ENODATA for a name without such records,
 * TXT as one character-string per record (the resolver has joined them; readers join them anyway),
 * ENOTIMP for types the resolver does not ask for (PTR). Every lookup ends with `signal`.
 */
export function nodeStyleResolve(dns: DnsResolver, signal?: AbortSignal): NodeStyleResolve {
  return async (name, rrtype) => {
    const type = rrtype.toUpperCase();
    if (!SUPPORTED.has(type)) throw dnsError('ENOTIMP', `query${type} ENOTIMP ${name}`);
    const answer = await dns.lookup(name, type as DnsRecordType, { signal });
    if (!answer.ok) throw dnsError(CODES[answer.reason], `query${type} ${answer.reason} ${name}`, answer.reason);
    if (answer.records.length === 0) {
      const code = answer.nxdomain ? 'ENOTFOUND' : 'ENODATA';
      throw dnsError(code, `query${type} ${code} ${name}`);
    }
    return type === 'TXT' ? (answer.records as string[]).map((text) => [text]) : answer.records;
  };
}
