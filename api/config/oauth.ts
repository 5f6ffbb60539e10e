import type { OAuthProvider } from '../../contract/index.ts';
import { OAUTH_SMTP_HOSTS } from '../../contract/values.ts';
import type { Bindings } from './bindings.ts';

/** One identity provider as the operator registered it: where its endpoints are and what to ask for. */
export interface OAuthProviderConfig {
  id: OAuthProvider;
  clientId: string;
  clientSecret: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Google has one; Microsoft's identity platform offers none for delegated grants. */
  revocationEndpoint: string | null;
  scopes: string;
  /** Added to the authorization request (Google: a refresh token only with offline access and consent). */
  authorizationParams: Record<string, string>;
  /** The ID token's expected `iss`, which for Microsoft's multi-tenant authorities names the tenant signed in to. */
  expectedIssuer(claims: { iss?: unknown; tid?: unknown }): string;
  /** Plain http is refused except to this machine (the local authorization servers of `npm run dev` and the tests). */
  allowsInsecureRequests: boolean;
  /** The submission servers its access tokens may go to, lower case. */
  smtpHosts: readonly string[];
}

export interface OAuthConfig {
  /** `${PUBLIC_URL}/v1/oauth/callback`, or null without PUBLIC_URL (then no provider is offered). */
  redirectUri: string | null;
  providers: Partial<Record<OAuthProvider, OAuthProviderConfig>>;
  /** Names a half-configured provider still lacks (`/healthz`). */
  missing: string[];
}

/** A provider's registration without the servers its tokens go to (those come from one list for both). */
type Endpoints = Omit<OAuthProviderConfig, 'smtpHosts'>;

const MICROSOFT_AUTHORITY = 'https://login.microsoftonline.com/common';
const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const GOOGLE_REVOKE_URL = 'https://oauth2.googleapis.com/revoke';
/** Authorities that sign in to any tenant: the ID token's issuer then names the tenant (`tid`). */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

export const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/** An https URL, or plain http to this machine (the local servers of `npm run dev` and the tests). */
export function isHttpsOrLoopback(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || (protocol === 'http:' && isLoopback(value));
  } catch {
    return false;
  }
}

function microsoft(clientId: string, clientSecret: string, authorityUrl: string): Endpoints {
  const authority = authorityUrl.replace(/\/+$/, '');
  const parsed = new URL(authority);
  const tenantSegment = parsed.pathname.split('/').filter(Boolean).at(-1) ?? '';
  return {
    id: 'microsoft',
    clientId,
    clientSecret,
    authorizationEndpoint: `${authority}/oauth2/v2.0/authorize`,
    tokenEndpoint: `${authority}/oauth2/v2.0/token`,
    revocationEndpoint: null,
    scopes: 'openid email offline_access https://outlook.office.com/SMTP.Send',
    authorizationParams: {},
    expectedIssuer: (claims) =>
      MULTI_TENANT.has(tenantSegment.toLowerCase()) && typeof claims.tid === 'string'
        ? `${parsed.origin}/${claims.tid}/v2.0`
        : `${authority}/v2.0`,
    allowsInsecureRequests: isLoopback(authority),
  };
}

function google(clientId: string, clientSecret: string, env: Bindings): Endpoints {
  const authUrl = env.OAUTH_GOOGLE_AUTH_URL || GOOGLE_AUTH_URL;
  const tokenUrl = env.OAUTH_GOOGLE_TOKEN_URL || GOOGLE_TOKEN_URL;
  const origin = new URL(authUrl).origin;
  const host = new URL(authUrl).host;
  return {
    id: 'google',
    clientId,
    clientSecret,
    authorizationEndpoint: authUrl,
    tokenEndpoint: tokenUrl,
    revocationEndpoint: env.OAUTH_GOOGLE_REVOKE_URL || GOOGLE_REVOKE_URL,
    scopes: 'openid email https://mail.google.com/',
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    // Google's ID tokens name their issuer with or without the scheme.
    expectedIssuer: (claims) => (claims.iss === host ? host : origin),
    allowsInsecureRequests: isLoopback(authUrl) && isLoopback(tokenUrl),
  };
}

export class OAuthConfigError extends Error {}

const SMTP_HOSTS_VARS = {
  microsoft: 'OAUTH_MICROSOFT_SMTP_HOSTS',
  google: 'OAUTH_GOOGLE_SMTP_HOSTS',
} as const satisfies Record<OAuthProvider, keyof Bindings>;

function validUrl(name: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (isHttpsOrLoopback(value)) return value;
  throw new OAuthConfigError(`${name} must be an https URL`);
}

/**
 * The providers the operator registered: a provider is offered with its client id and secret and
 * PUBLIC_URL; one with a client id but something missing is named in `missing`, not offered.
 */
export function parseOAuthConfig(env: Bindings): OAuthConfig {
  const missing: string[] = [];
  let publicUrl: string | undefined;
  try {
    publicUrl = validUrl('PUBLIC_URL', env.PUBLIC_URL)?.replace(/\/+$/, '');
  } catch {
    missing.push('PUBLIC_URL');
  }
  const providers: OAuthConfig['providers'] = {};
  const candidates: [OAuthProvider, string | undefined, string | undefined, () => Endpoints][] = [
    [
      'microsoft',
      env.OAUTH_MICROSOFT_CLIENT_ID,
      env.OAUTH_MICROSOFT_CLIENT_SECRET,
      () =>
        microsoft(
          env.OAUTH_MICROSOFT_CLIENT_ID!,
          env.OAUTH_MICROSOFT_CLIENT_SECRET!,
          validUrl('OAUTH_MICROSOFT_AUTHORITY', env.OAUTH_MICROSOFT_AUTHORITY) ?? MICROSOFT_AUTHORITY,
        ),
    ],
    [
      'google',
      env.OAUTH_GOOGLE_CLIENT_ID,
      env.OAUTH_GOOGLE_CLIENT_SECRET,
      () => {
        for (const name of ['OAUTH_GOOGLE_AUTH_URL', 'OAUTH_GOOGLE_TOKEN_URL', 'OAUTH_GOOGLE_REVOKE_URL'] as const) {
          validUrl(name, env[name]);
        }
        return google(env.OAUTH_GOOGLE_CLIENT_ID!, env.OAUTH_GOOGLE_CLIENT_SECRET!, env);
      },
    ],
  ];
  for (const [id, clientId, clientSecret, build] of candidates) {
    if (!clientId) continue;
    const prefix = `OAUTH_${id.toUpperCase()}`;
    if (!clientSecret) missing.push(`${prefix}_CLIENT_SECRET`);
    if (!env.PUBLIC_URL) missing.push('PUBLIC_URL');
    if (!clientSecret || !publicUrl) continue;
    try {
      const named = (env[SMTP_HOSTS_VARS[id]] ?? '').split(',').map((h) => h.trim().toLowerCase());
      providers[id] = { ...build(), smtpHosts: [...OAUTH_SMTP_HOSTS[id], ...named.filter(Boolean)] };
    } catch (error) {
      if (!(error instanceof OAuthConfigError)) throw error;
      missing.push(error.message.split(' ')[0]!);
    }
  }
  return {
    redirectUri: publicUrl ? `${publicUrl}/v1/oauth/callback` : null,
    providers,
    missing: [...new Set(missing)],
  };
}
