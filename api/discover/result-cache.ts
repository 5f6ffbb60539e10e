// Discovery results per domain, per isolate: bounded, each kept at most 10 minutes, the oldest
// dropped first. Usernames are stored as templates, so one entry serves every address of the domain.
import type { DiscoverCandidate } from '../../contract/index.ts';

export interface CachedDiscovery {
  provider: { id: string; name: string } | null;
  /** `username` holds %EMAILADDRESS% / %EMAILLOCALPART% where it was the address or its local part. */
  candidates: DiscoverCandidate[];
}

export const DISCOVERY_TTL_MS = 10 * 60_000;
export const DISCOVERY_CACHE_SIZE = 1000;

interface Entry {
  value: CachedDiscovery;
  expires: number;
}

export class DiscoveryCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = DISCOVERY_CACHE_SIZE,
    private readonly ttlMs = DISCOVERY_TTL_MS,
  ) {}

  get(domain: string, address: string, now = Date.now()): CachedDiscovery | undefined {
    const entry = this.#entries.get(domain);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.#entries.delete(domain);
      return undefined;
    }
    const local = address.slice(0, address.lastIndexOf('@'));
    const fill = (username: string) =>
      username.replaceAll('%EMAILADDRESS%', address).replaceAll('%EMAILLOCALPART%', local);
    return { ...entry.value, candidates: entry.value.candidates.map((c) => ({ ...c, username: fill(c.username) })) };
  }

  set(domain: string, address: string, value: CachedDiscovery, now = Date.now()): void {
    const local = address.slice(0, address.lastIndexOf('@'));
    const template = (username: string) =>
      username === address ? '%EMAILADDRESS%' : username === local ? '%EMAILLOCALPART%' : username;
    this.#entries.delete(domain);
    // A Map iterates in insertion order: the first key is the oldest entry.
    while (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    const candidates = value.candidates.map((c) => ({ ...c, username: template(c.username) }));
    this.#entries.set(domain, { value: { ...value, candidates }, expires: now + this.ttlMs });
  }
}

/** The isolate's one cache (Workers reuse an isolate for many requests; Node has one process). */
export const isolateDiscoveryCache = new DiscoveryCache();
