// Settings from an address in Thunderbird's order: the ISPDB, the domain's autoconfig, the MX host
// (its provider, then its domain's autoconfig), the submission SRV records, last a guarded probe.
// The network steps start together, so an MX-based hit costs one parallel round; the first step
// in that order with candidates wins once every step before it has missed.
import type { DnsResolver } from '../dns/resolver.ts';
import type { AutoconfigOptions, AutoconfigResult } from './autoconfig.ts';
import { fetchAutoconfig } from './autoconfig.ts';
import {
  type Found,
  mxAutoconfig,
  mxDomain,
  mxProvider,
  preferredMx,
  SRV_SERVICES,
  srvCandidates,
  srvLookup,
} from './dns-steps.ts';
import { ispdbByDomain } from './ispdb.ts';
import { type ProbeStep, probeGuessedHosts } from './probe-step.ts';

export interface Lookup {
  step: string;
  /** The step got an answer (a hit or a clear miss); false: it failed or ran out of time. */
  ok: boolean;
  ms: number;
}

export interface Discovery extends Found {
  lookups: Lookup[];
  /** Every step asked answered: a result without candidates may be kept too. */
  complete: boolean;
}

export interface DiscoverOptions {
  resolver: DnsResolver;
  autoconfig: AutoconfigOptions;
  /** The last step; absent: no probe. */
  probe?: ProbeStep;
}

/** A step under way: settles with its candidates (or null) and its lookup entries. */
type Step = Promise<{ found: Found | null; lookups: Lookup[] }>;

const since = (start: number) => Math.round((performance.now() - start) * 100) / 100;

/** Reasons that are no answer at all; the others (404, no SMTP servers, …) say "nothing here". */
const autoconfigOk = (r: AutoconfigResult) => r.ok || (r.reason !== 'timeout' && r.reason !== 'unreachable');

function autoconfigStep(step: string, run: () => Promise<AutoconfigResult>): Step {
  const start = performance.now();
  return run().then((r) => ({
    found: r.ok ? { provider: r.provider, candidates: r.candidates } : null,
    lookups: [{ step, ok: autoconfigOk(r), ms: since(start) }],
  }));
}

/** MX, then its provider (no network) or, failing that, the MX domain's autoconfig. */
function mxStep(domain: string, address: string, options: DiscoverOptions): Step[] {
  const mx = options.resolver.lookup(domain, 'MX');
  const host = mx.then((answer) => (answer.ok ? preferredMx(answer.records) : null));
  const provider: Step = mx.then(async (answer) => {
    const mxHost = await host;
    return {
      found: mxHost ? mxProvider(mxHost, address) : null,
      lookups: [{ step: 'mx', ok: answer.ok, ms: answer.ms }],
    };
  });
  const autoconfig: Step = host.then((mxHost) => {
    const base = mxHost && !mxProvider(mxHost, address) ? mxDomain(mxHost, domain) : null;
    if (!base) return { found: null, lookups: [] };
    return autoconfigStep('mx-autoconfig', () => mxAutoconfig(base, address, options.autoconfig));
  });
  return [provider, autoconfig];
}

function srvStep(domain: string, address: string, options: DiscoverOptions): Step {
  return Promise.all(SRV_SERVICES.map(({ name }) => srvLookup(options.resolver, name, domain))).then((answers) => {
    const candidates = answers.flatMap((a, i) =>
      a.ok ? srvCandidates(a.records, SRV_SERVICES[i]!.security, address) : [],
    );
    return {
      found: candidates.length > 0 ? { provider: null, candidates } : null,
      lookups: answers.map((a, i) => ({ step: `srv ${SRV_SERVICES[i]!.name}`, ok: a.ok, ms: a.ms })),
    };
  });
}

/** The first step (in order) with candidates, once all before it have settled; the lookups of every settled step. */
async function firstHit(steps: Step[]): Promise<Discovery> {
  const settled: ({ found: Found | null; lookups: Lookup[] } | undefined)[] = steps.map(() => undefined);
  for (const [i, step] of steps.entries()) {
    step.then((s) => {
      settled[i] = s;
    });
  }
  const lookups = () => settled.flatMap((s) => s?.lookups ?? []);
  for (const step of steps) {
    const { found } = await step;
    if (found) return { ...found, lookups: lookups(), complete: true };
  }
  const all = lookups();
  return { provider: null, candidates: [], lookups: all, complete: all.every((l) => l.ok) };
}

/** Never throws for a lookup that fails (an `ok: false` entry); the probe step may (e.g. the rate limit). */
export async function discoverSettings(domain: string, address: string, options: DiscoverOptions): Promise<Discovery> {
  const start = performance.now();
  const ispdb = ispdbByDomain(domain, address);
  const ispdbLookup = { step: 'ispdb', ok: true, ms: since(start) };
  if (ispdb) return { ...ispdb, lookups: [ispdbLookup], complete: true };

  const steps = [
    autoconfigStep('autoconfig', () => fetchAutoconfig(domain, address, options.autoconfig)),
    ...mxStep(domain, address, options),
    srvStep(domain, address, options),
  ];
  const network = await firstHit(steps);
  const lookups = [ispdbLookup, ...network.lookups];
  if (network.candidates.length > 0 || !options.probe) return { ...network, lookups };

  const probed = await probeGuessedHosts(domain, address, options.resolver, options.probe);
  return {
    provider: null,
    candidates: probed.candidates,
    lookups: [...lookups, ...probed.lookups],
    // A server that did not answer is an answer too: the probe is not repeated within the cache's time.
    complete: network.complete && probed.lookups[0]!.ok,
  };
}
