import { isIPv4, isIPv6 } from '../../contract/rules/host.ts';
import { asciiDomain } from '../smtp/address.ts';
import type { SmtpSettings } from '../smtp/types.ts';
import { leaseMs, retryDelays } from './outbox-timing.ts';
import type { Bindings } from './bindings.ts';
import { isHttpsOrLoopback, type OAuthConfig, parseOAuthConfig } from './oauth.ts';
import { SystemRelayConfigError, systemRelaySettings } from './system-relay.ts';
import { parseWebhookConfig, type WebhookConfig } from './webhooks.ts';

/** The system relay's sender address when SYSTEM_FROM is not set. */
export const DEFAULT_SYSTEM_FROM = 'no-reply@localhost.localdomain';

/** The DNS-over-HTTPS resolver when DNS_RESOLVER_URL is not set. */
export const DEFAULT_DNS_RESOLVER_URL = 'https://cloudflare-dns.com/dns-query';

export class DnsResolverConfigError extends Error {}

/**
 * The deployment's configuration, parsed once from the bindings at the edge: nothing below the
 * entries and the HTTP edge reads `env.X` strings. Secrets stay strings here; the values are never
 * logged or shown (`/healthz` names what is missing, not what is set).
 */
export interface Config {
  /** ENVIRONMENT=development: the development routes, the demo page, `*` origins, short leases. */
  development: boolean;
  /** ALLOWED_ORIGINS, comma-separated. */
  allowedOrigins: string[];
  /** ALLOW_PRIVATE_HOSTS=true: tenant servers may be private or loopback addresses (Node, tests). */
  allowPrivateHosts: boolean;
  database: { url: string; authToken: string | undefined } | null;
  tenantTokenSecret: string | null;
  /** What a tenant token must carry besides a valid signature and expiry. */
  tenantTokens: TenantTokenPolicy;
  operatorApiKey: string | null;
  /** SETTINGS_ENCRYPTION_KEY; opened (and checked) where a secret is sealed or read. */
  settingsEncryptionKey: string | null;
  /** SYSTEM_FROM, else DEFAULT_SYSTEM_FROM. */
  systemFrom: string;
  /** SYSTEM_SMTP_URL as engine settings, or why it cannot be used (null: not set). */
  systemRelay: SmtpSettings | SystemRelayConfigError | null;
  /** SYSTEM_SPF_IP, SYSTEM_SPF_INCLUDE (null: not set or unusable, then named in `invalid`): how the system relay sends, for SPF. */
  systemSpf: { ip: string | null; include: string | null; invalid: string[] };
  /** MAIL_SINK_URL: the local mail sink's page, shown by the demo (development). */
  mailSinkUrl: string | null;
  outbox: { retryDelays: number[]; leaseMs: number };
  /** DNS_RESOLVER_URL, else DEFAULT_DNS_RESOLVER_URL, or why it cannot be used. */
  dnsResolverUrl: string | DnsResolverConfigError;
  /** DISCOVER_CONNECT_TO, honoured only with ALLOW_PRIVATE_HOSTS: `host:port` discovery asks → `host:port` it reaches. */
  discoverConnectTo: Readonly<Record<string, string>>;
  /** Sign-in with Microsoft or Google: the providers the operator registered. */
  oauth: OAuthConfig;
  /** WEBHOOK_*: where events go and how they are signed; null: no events are stored. */
  webhooks: WebhookConfig | null;
  /** Required names that are not set (`/healthz`, the Node server's start banner). */
  missing: string[];
}

/** TENANT_TOKEN_AUDIENCE, TENANT_TOKEN_ISSUER (null: not checked), TENANT_TOKEN_MAX_LIFETIME. */
export interface TenantTokenPolicy {
  audience: string | null;
  issuer: string | null;
  maxLifetimeSeconds: number;
}

/** A portal mints a token per page load: an hour is ample, and a leaked one is useless soon. */
export const DEFAULT_TENANT_TOKEN_MAX_LIFETIME = 3600;

function tenantTokenPolicy(env: Bindings): TenantTokenPolicy {
  const seconds = Number(env.TENANT_TOKEN_MAX_LIFETIME);
  return {
    audience: env.TENANT_TOKEN_AUDIENCE?.trim() || null,
    issuer: env.TENANT_TOKEN_ISSUER?.trim() || null,
    // Not a positive whole number of seconds (at most a day): the default, never "unlimited".
    maxLifetimeSeconds:
      Number.isInteger(seconds) && seconds > 0 && seconds <= 86_400 ? seconds : DEFAULT_TENANT_TOKEN_MAX_LIFETIME,
  };
}

/** The relay's address (IPv4/IPv6) and SPF include (a DNS name, underscores allowed: `_spf.example.com`). */
function systemSpf(env: Bindings): Config['systemSpf'] {
  const ipText = env.SYSTEM_SPF_IP?.trim();
  const ip = ipText && (isIPv4(ipText) || isIPv6(ipText)) ? ipText : null;
  const includeText = env.SYSTEM_SPF_INCLUDE?.trim();
  const name = includeText ? asciiDomain(includeText) : null;
  const include = name?.includes('.') ? name : null;
  const invalid = [
    ...(ipText && !ip ? ['SYSTEM_SPF_IP (invalid)'] : []),
    ...(includeText && !include ? ['SYSTEM_SPF_INCLUDE (invalid)'] : []),
  ];
  return { ip, include, invalid };
}

/**
 * The secrets and vars a deployment needs. Without OPERATOR_API_KEY the host application cannot
 * send invoices; without SYSTEM_SMTP_URL tenants without their own server (and every fallback) cannot send.
 */
export const REQUIRED_CONFIG = [
  'DATABASE_URL',
  'TENANT_TOKEN_SECRET',
  'SETTINGS_ENCRYPTION_KEY',
  'OPERATOR_API_KEY',
  'SYSTEM_SMTP_URL',
] as const;

function dnsResolverUrl(value: string | undefined): Config['dnsResolverUrl'] {
  if (!value) return DEFAULT_DNS_RESOLVER_URL;
  if (isHttpsOrLoopback(value)) return value;
  return new DnsResolverConfigError(
    'DNS_RESOLVER_URL must be an https URL (plain http only to 127.0.0.1 or localhost)',
  );
}

/** Tests map made-up names onto local servers; without ALLOW_PRIVATE_HOSTS nothing is mapped. */
function discoverConnectTo(value: string | undefined, allowPrivateHosts: boolean): Config['discoverConnectTo'] {
  if (!value || !allowPrivateHosts) return {};
  const pairs = value.split(',').map((pair) => pair.trim().split('=', 2) as [string, string | undefined]);
  return Object.fromEntries(pairs.filter((p): p is [string, string] => Boolean(p[0] && p[1])));
}

export function parseConfig(env: Bindings): Config {
  const development = env.ENVIRONMENT === 'development';
  let systemRelay: Config['systemRelay'] = null;
  if (env.SYSTEM_SMTP_URL) {
    try {
      systemRelay = systemRelaySettings(env.SYSTEM_SMTP_URL);
    } catch (error) {
      if (!(error instanceof SystemRelayConfigError)) throw error;
      systemRelay = error;
    }
  }
  const oauth = parseOAuthConfig(env);
  return {
    development,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    allowPrivateHosts: env.ALLOW_PRIVATE_HOSTS === 'true',
    database: env.DATABASE_URL ? { url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN } : null,
    tenantTokenSecret: env.TENANT_TOKEN_SECRET || null,
    tenantTokens: tenantTokenPolicy(env),
    operatorApiKey: env.OPERATOR_API_KEY || null,
    settingsEncryptionKey: env.SETTINGS_ENCRYPTION_KEY || null,
    systemFrom: env.SYSTEM_FROM || DEFAULT_SYSTEM_FROM,
    systemRelay,
    systemSpf: systemSpf(env),
    mailSinkUrl: env.MAIL_SINK_URL ?? null,
    outbox: {
      retryDelays: retryDelays(env.OUTBOX_RETRY_DELAYS),
      leaseMs: leaseMs(env.OUTBOX_LEASE_SECONDS, env.ENVIRONMENT),
    },
    dnsResolverUrl: dnsResolverUrl(env.DNS_RESOLVER_URL),
    discoverConnectTo: discoverConnectTo(env.DISCOVER_CONNECT_TO, env.ALLOW_PRIVATE_HOSTS === 'true'),
    oauth,
    webhooks: parseWebhookConfig(env, development || env.ALLOW_PRIVATE_HOSTS === 'true'),
    missing: REQUIRED_CONFIG.filter((name) => !env[name]),
  };
}

// Workers hand the same env object to every request of an isolate: parse it once per object.
const parsed = new WeakMap<Bindings, Config>();

export function configOf(env: Bindings): Config {
  let config = parsed.get(env);
  if (!config) parsed.set(env, (config = parseConfig(env)));
  return config;
}
