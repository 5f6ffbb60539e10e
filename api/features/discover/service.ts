import type { DiscoverCandidate, DiscoverResult, OAuthProvider } from '../../../contract/index.ts';
import { toAsciiDomain } from '../../../contract/rules/host.ts';
import type { TenantIdentity } from '../../db/schema.ts';
import { discoverSettings } from '../../discover/discover.ts';
import type { ProbeStep } from '../../discover/probe-step.ts';
import { type DiscoveryCache, isolateDiscoveryCache } from '../../discover/result-cache.ts';
import { DnsResolverConfigError } from '../../config/config.ts';
import { createResolver } from '../../dns/resolver.ts';
import type { Deps } from '../../http/context.ts';
import { ApiError } from '../../http/problem.ts';
import { discoverNote, noSignInNote, probeSubject } from '../../i18n/discover-texts.ts';
import type { Lang } from '../../i18n/lang.ts';
import { type ProbeResult, type ProbeTarget, probeSmtp } from '../../smtp/probe.ts';
import { reserveAndRead, retryAfterSeconds } from '../test-send/store.ts';
import { recordProbe } from './store.ts';

/** All probe connections run at once, each within this: the probe stays within 5 s in all. */
export const PROBE_TIMEOUT_MS = 4_500;

/**
 * What this deployment can use: never port 25 (Workers block it, the API refuses it). `auth` stays
 * as the source says; `oauthProvider` only where this deployment signs in with that provider, and a
 * server that takes OAuth2 which cannot be used here says so in its note.
 */
function usable(candidate: DiscoverCandidate, providers: readonly OAuthProvider[], lang: Lang): DiscoverCandidate[] {
  if (candidate.port === 25) return [];
  const { oauthProvider, ...rest } = candidate;
  const signIn = oauthProvider && providers.includes(oauthProvider) ? { oauthProvider } : {};
  const withoutSignIn = candidate.auth.includes('oauth2') && !('oauthProvider' in signIn);
  const note = discoverNote(candidate.source, lang) + (withoutSignIn ? ` ${noSignInNote(lang)}` : '');
  return [{ ...rest, ...signIn, note }];
}

const hostPort = (target: string | undefined) => {
  const at = target?.lastIndexOf(':') ?? -1;
  return target && at > 0 ? { host: target.slice(0, at), port: Number(target.slice(at + 1)) } : undefined;
};

/** Test-only mappings (DISCOVER_CONNECT_TO): `host:443` for the autoconfig fetches, `host:port` for the probe. */
function autoconfigConnectTo(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map).flatMap(([from, to]) => (from.endsWith(':443') ? [[from.slice(0, -4), to]] : [])),
  );
}

/** The probe, counted against the tenant's test limit (429 when it is used up), its row ended afterwards. */
function probeStep(
  deps: Deps,
  tenant: TenantIdentity,
  results: ProbeResult[],
  reservation: { id?: string },
): ProbeStep {
  const { config, capabilities } = deps;
  return {
    async reserve() {
      const id = crypto.randomUUID();
      const now = deps.now();
      const { reserved } = await reserveAndRead(deps.db, tenant, id, now, false);
      if (!reserved) {
        const retryAfter = await retryAfterSeconds(deps.db, tenant, now);
        throw new ApiError(429, 'rate_limited', [], { 'retry-after': String(retryAfter) });
      }
      reservation.id = id;
    },
    async connect(target: ProbeTarget) {
      const connectTo = hostPort(config.discoverConnectTo[`${target.host}:${target.port}`]);
      const options = {
        runtime: capabilities.runtime,
        allowPrivateHosts: config.allowPrivateHosts,
        timeoutMs: PROBE_TIMEOUT_MS,
        ...(connectTo ? { connectTo } : {}),
      };
      const result = await probeSmtp(target, options);
      results.push(result);
      return result;
    },
  };
}

async function endProbe(
  deps: Deps,
  tenant: TenantIdentity,
  lang: Lang,
  domain: string,
  id: string,
  results: ProbeResult[],
  found: DiscoverCandidate[],
) {
  const failed = results.find((r) => !r.ok);
  await recordProbe(deps.db, tenant, id, probeSubject(domain, lang), {
    answered: found.length > 0 ? found.map((c) => `${c.host}:${c.port}`).join(', ') : null,
    error: failed && !failed.ok ? { stage: failed.stage, code: failed.code, responseCode: null, response: null } : null,
  });
}

/**
 * `GET /v1/mail-server/discover`: candidates for the address, from the isolate's cache when the
 * domain was asked for lately. A lookup that fails is an `ok: false` entry, never an error.
 */
export async function discoverForAddress(
  deps: Deps,
  tenant: TenantIdentity,
  lang: Lang,
  address: string,
  cache: DiscoveryCache = isolateDiscoveryCache,
): Promise<DiscoverResult> {
  const start = performance.now();
  const domain = toAsciiDomain(address.slice(address.lastIndexOf('@') + 1))!;
  const respond = (
    found: { provider: DiscoverResult['provider']; candidates: DiscoverCandidate[] },
    lookups: DiscoverResult['lookups'],
  ) => ({
    domain,
    provider: found.provider,
    candidates: found.candidates.flatMap((c) => usable(c, deps.capabilities.oauthProviders, lang)),
    lookups,
  });
  const cached = cache.get(domain, address);
  if (cached)
    return respond(cached, [{ step: 'cache', ok: true, ms: Math.round((performance.now() - start) * 100) / 100 }]);

  const url = deps.config.dnsResolverUrl;
  if (url instanceof DnsResolverConfigError) throw new ApiError(503, 'service_unavailable');
  const results: ProbeResult[] = [];
  const reservation: { id?: string } = {};
  const discovery = await discoverSettings(domain, address, {
    resolver: createResolver({ url }),
    autoconfig: {
      allowPrivateHosts: deps.config.allowPrivateHosts,
      connectTo: autoconfigConnectTo(deps.config.discoverConnectTo),
    },
    probe: probeStep(deps, tenant, results, reservation),
  });
  if (reservation.id) await endProbe(deps, tenant, lang, domain, reservation.id, results, discovery.candidates);
  if (discovery.complete || discovery.candidates.length > 0) cache.set(domain, address, discovery);
  return respond(discovery, discovery.lookups);
}
