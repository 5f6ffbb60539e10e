import { isPrivateHost } from '../smtp/target.ts';
import { isLoopback } from './oauth.ts';
import { retryDelays } from './outbox-timing.ts';

/** WEBHOOK_URL, WEBHOOK_SECRET and WEBHOOK_RETRY_DELAYS: where the portal's backend hears about events. */
export interface WebhookConfig {
  url: string;
  /** The Standard Webhooks form `whsec_<base64>`, as the `standardwebhooks` package takes it. */
  secret: string;
  /** Seconds before each retry of one event. */
  retryDelays: number[];
  /** The variables that are malformed (`WEBHOOK_URL (invalid)`): events are stored and wait, `/healthz` is a 503. */
  invalid: string[];
}

/** Standard Webhooks' suggested schedule, about 28 h in all (a Queue delay is at most 12 h). */
export const DEFAULT_WEBHOOK_DELAYS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/** The specification asks for 24 to 64 random bytes. */
function validSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return false;
  try {
    const bytes = atob(match[1]!).length;
    return bytes >= 24 && bytes <= 64;
  } catch {
    return false;
  }
}

/** An https URL; plain http, and hosts on this machine or network, only in development or with private hosts allowed. */
function validUrl(value: string, local: boolean): boolean {
  try {
    const url = new URL(value);
    if (url.username || url.password) return false;
    if (url.protocol === 'http:') return local && isLoopback(value);
    return url.protocol === 'https:' && (local || !isPrivateHost(url.hostname));
  } catch {
    return false;
  }
}

/**
 * Null without WEBHOOK_URL (no events are stored then). A malformed URL or secret is named in
 * `invalid` rather than thrown: every request and send goes on, the events wait for the fix.
 */
export function parseWebhookConfig(
  env: { WEBHOOK_URL?: string; WEBHOOK_SECRET?: string; WEBHOOK_RETRY_DELAYS?: string },
  local: boolean,
): WebhookConfig | null {
  const url = env.WEBHOOK_URL?.trim();
  if (!url) return null;
  const secret = env.WEBHOOK_SECRET?.trim() ?? '';
  const invalid = [
    ...(validUrl(url, local) ? [] : ['WEBHOOK_URL (invalid)']),
    ...(validSecret(secret) ? [] : ['WEBHOOK_SECRET (invalid)']),
  ];
  return { url, secret, retryDelays: retryDelays(env.WEBHOOK_RETRY_DELAYS, DEFAULT_WEBHOOK_DELAYS), invalid };
}

/** The configuration events are sent with: none while a variable is malformed (they stay stored). */
export const sendableWebhooks = (webhooks: WebhookConfig | null): WebhookConfig | null =>
  webhooks && webhooks.invalid.length === 0 ? webhooks : null;
