// A domain's own autoconfig (Thunderbird's two URLs, over HTTPS only): fetched with a time limit
// and a byte cap, redirects followed only to https and only through the same host guard as test
// sends, and the text read by the clientConfig parser. Every failure is a reason, never a throw.
import type { DiscoverCandidate } from '../../contract/index.ts';
import { toAsciiDomain } from '../../contract/rules/host.ts';
import { isPrivateHost } from '../smtp/target.ts';
import { readAtMost } from '../util/read-at-most.ts';
import { toCandidates } from './candidates.ts';
import { parseClientConfig } from './client-config.ts';

export type AutoconfigFailure =
  | 'not_a_domain'
  | 'private_host'
  | 'unreachable'
  | 'timeout'
  | 'http_status'
  | 'redirect_refused'
  | 'too_many_redirects'
  | 'too_large'
  | 'not_xml'
  | 'doctype'
  | 'not_client_config'
  | 'no_servers';

export interface AutoconfigOptions {
  /** `ALLOW_PRIVATE_HOSTS=true` (development, tests): loopback and private names may be fetched. */
  allowPrivateHosts: boolean;
  /** Per URL, redirects and body included. */
  timeoutMs?: number;
  maxBytes?: number;
  /**
   * Tests only (like curl's --connect-to): host name → `host:port` the request really goes to, as
   * workerd resolves no made-up names. The URLs, redirects and guard still see the real names.
   */
  connectTo?: Readonly<Record<string, string>>;
}

export type AutoconfigFound = {
  ok: true;
  url: string;
  provider: { id: string; name: string } | null;
  candidates: DiscoverCandidate[];
};
export type AutoconfigMiss = { ok: false; reason: AutoconfigFailure };
export type AutoconfigResult =
  | AutoconfigFound
  | (AutoconfigMiss & { attempts: { url: string; reason: AutoconfigFailure }[] });

const TIMEOUT_MS = 2_000;
const MAX_BYTES = 100 * 1024;
const MAX_REDIRECTS = 3;

/** Thunderbird's order: the `autoconfig.` host (told the address), then the domain's well-known path. */
export function autoconfigUrls(domain: string, address: string): string[] {
  const ascii = toAsciiDomain(domain);
  if (!ascii) return [];
  return [
    `https://autoconfig.${ascii}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`,
    `https://${ascii}/.well-known/autoconfig/mail/config-v1.1.xml`,
  ];
}

/** Both URLs at once (each within its own time limit); the first one's answer wins when it has servers. */
export async function fetchAutoconfig(
  domain: string,
  address: string,
  options: AutoconfigOptions,
): Promise<AutoconfigResult> {
  const urls = autoconfigUrls(domain, address);
  if (urls.length === 0) return { ok: false, reason: 'not_a_domain', attempts: [] };
  const rest = new AbortController();
  const pending = urls.map((url) => fetchAutoconfigAt(url, address, options, rest.signal));
  const attempts: { url: string; reason: AutoconfigFailure }[] = [];
  for (const [i, attempt] of pending.entries()) {
    const result = await attempt;
    if (result.ok) {
      rest.abort();
      return result;
    }
    attempts.push({ url: urls[i]!, reason: result.reason });
  }
  return { ok: false, reason: attempts.at(-1)!.reason, attempts };
}

/** One URL: its candidates, or why there are none. */
async function fetchAutoconfigAt(
  url: string,
  address: string,
  options: AutoconfigOptions,
  cancel?: AbortSignal,
): Promise<AutoconfigFound | AutoconfigMiss> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  cancel?.addEventListener('abort', stop);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The race, not only the signal, holds the limit: it cannot depend on how the runtime aborts a body.
  const timedOut = new Promise<AutoconfigMiss>((resolve) => {
    timer = setTimeout(() => {
      stop();
      resolve({ ok: false, reason: 'timeout' });
    }, options.timeoutMs ?? TIMEOUT_MS);
  });
  try {
    const body = await Promise.race([download(new URL(url), options, controller.signal), timedOut]);
    return body.ok ? readConfig(url, body.text, address) : body;
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', stop);
  }
}

type Download = { ok: true; text: string } | AutoconfigMiss;

async function download(start: URL, options: AutoconfigOptions, signal: AbortSignal): Promise<Download> {
  let url = start;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'https:') return { ok: false, reason: 'redirect_refused' };
    if (!options.allowPrivateHosts && isPrivateHost(url.hostname)) return { ok: false, reason: 'private_host' };
    let response: Response;
    try {
      response = await fetch(connectUrl(url, options.connectTo), {
        redirect: 'manual',
        signal,
        headers: { accept: 'application/xml, text/xml' },
      });
    } catch {
      return { ok: false, reason: 'unreachable' };
    }
    const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    if (location === null) return readBody(response, options.maxBytes ?? MAX_BYTES);
    response.body?.cancel().catch(() => {});
    if (hop === MAX_REDIRECTS) return { ok: false, reason: 'too_many_redirects' };
    if (!URL.canParse(location, url)) return { ok: false, reason: 'redirect_refused' };
    url = new URL(location, url);
  }
}

function connectUrl(url: URL, connectTo: AutoconfigOptions['connectTo']): URL {
  const target = connectTo && Object.hasOwn(connectTo, url.hostname) ? connectTo[url.hostname] : undefined;
  if (!target) return url;
  const moved = new URL(url);
  moved.host = target;
  return moved;
}

async function readBody(response: Response, maxBytes: number): Promise<Download> {
  if (!response.ok || !response.body) {
    response.body?.cancel().catch(() => {});
    return { ok: false, reason: 'http_status' };
  }
  if (Number(response.headers.get('content-length')) > maxBytes) {
    response.body.cancel().catch(() => {});
    return { ok: false, reason: 'too_large' };
  }
  const bytes = await readAtMost(response.body, maxBytes);
  if (bytes === 'broken') return { ok: false, reason: 'unreachable' };
  if (bytes === 'too_large') return { ok: false, reason: 'too_large' };
  return { ok: true, text: new TextDecoder().decode(bytes) };
}

function readConfig(url: string, xml: string, address: string): AutoconfigFound | AutoconfigMiss {
  const parsed = parseClientConfig(xml);
  if (!parsed.ok) return parsed;
  for (const { id, name, servers } of parsed.providers) {
    const candidates = toCandidates(servers, address, 'autoconfig');
    if (candidates.length > 0) return { ok: true, url, provider: id ? { id, name } : null, candidates };
  }
  return { ok: false, reason: 'no_servers' };
}
