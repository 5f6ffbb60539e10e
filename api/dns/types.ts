/** The record types the resolver asks for. */
export type DnsRecordType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'SRV' | 'CNAME';

export interface MxRecord {
  /** `.`: a null MX (RFC 7505), the domain takes no mail. */
  exchange: string;
  priority: number;
}

export interface SrvRecord {
  /** `.`: the service is not offered (RFC 2782). */
  target: string;
  port: number;
  priority: number;
  weight: number;
}

/** One record's data per type: addresses and names as strings, a TXT record's strings joined (RFC 7208 3.3). */
export interface DnsRecords {
  A: string;
  AAAA: string;
  CNAME: string;
  TXT: string;
  MX: MxRecord;
  SRV: SrvRecord;
}

/**
 * Why there is no answer. The name not existing (NXDOMAIN) or having no record of the type (NODATA)
 * is an answer, not a failure: `ok: true` with no records.
 */
export type DnsFailureReason =
  /** Not a host name the resolver asks for (empty, too long, not ASCII). */
  | 'invalid_name'
  /** No complete answer within the time box. */
  | 'timeout'
  /** The resolver could not be reached. */
  | 'network'
  /** The resolver answered with an HTTP status other than 200. */
  | 'http_error'
  /** The answer is not `application/dns-message`. */
  | 'bad_content_type'
  /** The answer is larger than the byte cap. */
  | 'oversize'
  /** Not a DNS message: truncated, a compression-pointer loop, not a response. */
  | 'malformed'
  /** A DNS message for another query: its id or question differs. */
  | 'mismatch'
  | 'servfail'
  | 'refused'
  /** Another error RCODE (FORMERR, NOTIMP …). */
  | 'rcode'
  /** A CNAME chain that loops or is longer than the resolver follows. */
  | 'cname_loop';

interface LookupCommon<T extends DnsRecordType> {
  /** The name asked for, lower-case, without a trailing dot. */
  name: string;
  type: T;
  /** Milliseconds this lookup took (a cache hit: about 0). */
  ms: number;
}

export interface DnsAnswer<T extends DnsRecordType> extends LookupCommon<T> {
  ok: true;
  /** Empty: the name does not exist (`nxdomain`) or has no record of this type. */
  records: DnsRecords[T][];
  /** Seconds the answer stays valid (after the cache's clamps). */
  ttl: number;
  nxdomain: boolean;
  /** Taken from the cache: no query was sent. */
  cached: boolean;
}

export interface DnsFailure<T extends DnsRecordType> extends LookupCommon<T> {
  ok: false;
  reason: DnsFailureReason;
  /** For logs and operators, e.g. "HTTP 500" or "id 17 instead of 4711"; never shown as a tenant text. */
  detail: string;
}

export type DnsLookup<T extends DnsRecordType = DnsRecordType> = DnsAnswer<T> | DnsFailure<T>;
