// Answers kept per TTL, per isolate (a Worker's isolate or the Node process), bounded in entries.
import type { DnsRecords, DnsRecordType } from './types.ts';

export interface DnsCacheOptions {
  /** The oldest entry goes when more would be kept. */
  maxEntries?: number;
  /** Answers are kept at least this long (a TTL of 0 would ask again for every check)… */
  minTtlSeconds?: number;
  /** …and at most this long, whatever their TTL says. */
  maxTtlSeconds?: number;
  /** NXDOMAIN and NODATA: the SOA's negative TTL, at most this. */
  maxNegativeTtlSeconds?: number;
  now?: () => number;
}

interface Entry {
  records: unknown[];
  nxdomain: boolean;
  expiresAt: number;
}

export interface CachedAnswer<T extends DnsRecordType> {
  records: DnsRecords[T][];
  nxdomain: boolean;
  /** Seconds left. */
  ttl: number;
}

export class DnsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: Required<DnsCacheOptions>;

  constructor(options: DnsCacheOptions = {}) {
    this.#options = {
      maxEntries: 2000,
      minTtlSeconds: 30,
      maxTtlSeconds: 3600,
      maxNegativeTtlSeconds: 60,
      now: Date.now,
      ...options,
    };
  }

  get size(): number {
    return this.#entries.size;
  }

  get<T extends DnsRecordType>(name: string, type: T): CachedAnswer<T> | undefined {
    const key = `${type} ${name}`;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const left = entry.expiresAt - this.#options.now();
    if (left <= 0) {
      this.#entries.delete(key);
      return undefined;
    }
    // Most recently used last: eviction takes the first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return { records: entry.records as DnsRecords[T][], nxdomain: entry.nxdomain, ttl: Math.ceil(left / 1000) };
  }

  /** Keeps an answer for its TTL after the clamps; returns that TTL (0: not kept). */
  set<T extends DnsRecordType>(
    name: string,
    type: T,
    answer: { records: DnsRecords[T][]; nxdomain: boolean },
    ttl: number,
  ): number {
    const { minTtlSeconds, maxTtlSeconds, maxNegativeTtlSeconds, maxEntries } = this.#options;
    const kept =
      answer.records.length > 0
        ? Math.min(Math.max(ttl, minTtlSeconds), maxTtlSeconds)
        : Math.max(0, Math.min(ttl, maxNegativeTtlSeconds));
    if (kept === 0) return 0;
    const key = `${type} ${name}`;
    this.#entries.delete(key);
    this.#entries.set(key, { ...answer, expiresAt: this.#options.now() + kept * 1000 });
    while (this.#entries.size > maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    return kept;
  }
}

/** The isolate's cache: resolvers made per request share it unless given another. */
export const isolateDnsCache = new DnsCache();
