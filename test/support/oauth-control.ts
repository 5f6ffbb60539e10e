// A typed client for the control endpoints of the local authorization servers
// (scripts/lib/oauth-server.ts). Only `fetch`, so tests inside workerd can use it as well as Node tests.
import type { AuthServerStats, OAuthEnv } from '../../scripts/lib/oauth-server.ts';

export type { AuthServerStats };

/** What the global setup hands to the tests with `provide('oauth', info)`. */
export interface OAuthServersInfo {
  /** The API origin the workers project runs under (its PUBLIC_URL). */
  publicUrl: string;
  /** The one redirect URI both servers accept: `${publicUrl}/v1/oauth/callback`. */
  redirectUri: string;
  microsoft: { url: string; env: OAuthEnv };
  google: { url: string; env: OAuthEnv };
}

/** The next `count` token-endpoint requests answer `status` (e.g. 503), or never answer (`hang`). */
export type TokenFailure = { count: number; status: number } | { count: number; hang: true };

export interface OAuthControl {
  stats(): Promise<AuthServerStats>;
  /** Zero counters, no pending failures (hanging requests are closed), the access-token lifetime of the start; grants stay. */
  reset(): Promise<void>;
  /** Ends every grant of the account, as a password change does; resolves with how many. */
  revokeAccount(account: string): Promise<number>;
  failTokenRequests(failure: TokenFailure): Promise<void>;
  /** Lifetime of the access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): Promise<void>;
}

export function oauthControl(serverUrl: string): OAuthControl {
  const call = async <T>(method: 'GET' | 'POST', action: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${serverUrl}/__control/${action}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`control ${action}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    stats: () => call<AuthServerStats>('GET', 'stats'),
    reset: async () => void (await call('POST', 'reset')),
    revokeAccount: async (account) => (await call<{ revoked: number }>('POST', 'revoke', { account })).revoked,
    failTokenRequests: async (failure) => void (await call('POST', 'fail', failure)),
    setAccessTokenTtl: async (seconds) => void (await call('POST', 'access-ttl', { seconds })),
  };
}
