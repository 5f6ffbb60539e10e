// DNS over HTTPS (RFC 8484) on Workers and Node alike: time-boxed lookups, answers checked against
// the query, cached per TTL, identical lookups in flight sent once, CNAME chains followed.
import { type CachedAnswer, type DnsCache, isolateDnsCache } from './cache.ts';
import { chainRecords } from './records.ts';
import { exchange, TIMEOUT } from './transport.ts';
import type { DnsAnswer, DnsFailure, DnsLookup, DnsRecordType } from './types.ts';
import { encodeQuery, normalizeName, readReply, type WireFailure } from './wire.ts';

export interface ResolverOptions {
  /** The RFC 8484 endpoint (`config.dnsResolverUrl`). */
  url: string;
  /** Each lookup, CNAME hops included, gets at most this long. */
  timeoutMs?: number;
  /** A larger answer is refused unread (a DNS message over TCP is at most 65,535 bytes). */
  maxBytes?: number;
  /** Default: the isolate's shared cache. */
  cache?: DnsCache;
}

export interface ResolverStats {
  /** DoH requests sent. */
  queries: number;
  /** Lookups answered from the cache. */
  cacheHits: number;
  /** Lookups that waited for an identical one already in flight. */
  shared: number;
}

export interface DnsResolver {
  /** Never rejects: a failure is `{ ok: false, reason }`. Run independent lookups with Promise.all. */
  lookup<T extends DnsRecordType>(name: string, type: T, options?: { signal?: AbortSignal }): Promise<DnsLookup<T>>;
  stats(): ResolverStats;
}

export const DEFAULT_DNS_TIMEOUT_MS = 2000;
export const DEFAULT_DNS_MAX_BYTES = 64 * 1024;
/** CNAME hops followed past the name asked for (resolvers stop at about this many too). */
const MAX_CNAME_HOPS = 8;

type Outcome<T extends DnsRecordType> = (CachedAnswer<T> & { cached: boolean }) | WireFailure;

const elapsed = (start: number) => Math.round((performance.now() - start) * 100) / 100;

function queryId(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0]!;
}

/**
 * A resolver for one request or task. Make one per request on Workers: identical lookups are shared
 * only within it (a promise of another request's I/O must not be awaited), while the cache is the isolate's.
 */
export function createResolver(options: ResolverOptions): DnsResolver {
  const {
    url,
    timeoutMs = DEFAULT_DNS_TIMEOUT_MS,
    maxBytes = DEFAULT_DNS_MAX_BYTES,
    cache = isolateDnsCache,
  } = options;
  const stats: ResolverStats = { queries: 0, cacheHits: 0, shared: 0 };
  const inFlight = new Map<string, Promise<Outcome<DnsRecordType>>>();

  function fromCache<T extends DnsRecordType>(name: string, type: T): Outcome<T> | undefined {
    const cached = cache.get(name, type);
    if (!cached) return undefined;
    stats.cacheHits++;
    return { ...cached, cached: true };
  }

  /** One query for exactly this name and type, and the CNAME hop after it when the answer ends in one; `hops`: the names asked for so far. */
  async function ask<T extends DnsRecordType>(
    name: string,
    type: T,
    signal: AbortSignal,
    hops: string[],
  ): Promise<Outcome<T>> {
    stats.queries++;
    const id = queryId();
    const bytes = await exchange(url, encodeQuery(id, name, type), signal, maxBytes);
    if ('reason' in bytes) return bytes;
    const reply = readReply(bytes, id, name, type);
    if ('reason' in reply) return reply;
    const chain = chainRecords(reply.answers, name, type);
    if (chain.loop) return { reason: 'cname_loop', detail: `the CNAME chain of ${name} loops` };
    if (chain.next && !reply.nxdomain) {
      if (hops.includes(chain.next) || hops.length > MAX_CNAME_HOPS) {
        return { reason: 'cname_loop', detail: `CNAME chain ${[...hops, chain.next].join(' → ')}` };
      }
      // Past the cache, not through lookups in flight: two chains pointing at each other would wait forever.
      const rest = fromCache(chain.next, type) ?? (await ask(chain.next, type, signal, [...hops, chain.next]));
      return 'reason' in rest ? rest : { ...rest, ttl: Math.min(rest.ttl, chain.ttl ?? Infinity), cached: false };
    }
    const negative = chain.records.length === 0;
    const ttl = negative ? Math.min(chain.ttl ?? Infinity, reply.negativeTtl ?? Infinity) : (chain.ttl ?? 0);
    const answer = { records: chain.records, nxdomain: reply.nxdomain };
    return { ...answer, ttl: cache.set(name, type, answer, ttl), cached: false };
  }

  /** From the cache, from an identical lookup in flight, or asked. */
  function resolve<T extends DnsRecordType>(name: string, type: T, signal: AbortSignal): Promise<Outcome<T>> {
    const cached = fromCache(name, type);
    if (cached) return Promise.resolve(cached);
    const key = `${type} ${name}`;
    const pending = inFlight.get(key) as Promise<Outcome<T>> | undefined;
    if (pending) {
      stats.shared++;
      return pending;
    }
    const asked = ask(name, type, signal, [name]).finally(() => inFlight.delete(key));
    inFlight.set(key, asked);
    return asked;
  }

  async function lookup<T extends DnsRecordType>(
    name: string,
    type: T,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<DnsLookup<T>> {
    const start = performance.now();
    const normalized = normalizeName(name);
    if (!normalized) return failure(name, type, { reason: 'invalid_name', detail: `not a host name: ${name}` }, start);
    const deadline = AbortSignal.timeout(timeoutMs);
    const bound = signal ? AbortSignal.any([deadline, signal]) : deadline;
    const outcome = await Promise.race([resolve(normalized, type, bound), whenAborted(bound)]);
    if ('reason' in outcome) return failure(normalized, type, outcome, start);
    return { ok: true, name: normalized, type, ...outcome, ms: elapsed(start) } satisfies DnsAnswer<T>;
  }

  return { lookup, stats: () => ({ ...stats }) };
}

/** Settles with a timeout once the signal aborts: the bound holds whatever a lookup waits for. */
function whenAborted(signal: AbortSignal): Promise<WireFailure> {
  if (signal.aborted) return Promise.resolve(TIMEOUT);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(TIMEOUT), { once: true }));
}

function failure<T extends DnsRecordType>(name: string, type: T, why: WireFailure, start: number): DnsFailure<T> {
  return { ok: false, name, type, ...why, ms: elapsed(start) };
}
