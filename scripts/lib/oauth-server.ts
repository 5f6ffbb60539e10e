// A local authorization server per provider, for `npm run dev` and the tests. oauth2-mock-server
// signs the tokens; in front of it sit the rules Microsoft's and Google's endpoints apply
// (registered client and redirect URIs, S256 PKCE, single-use codes, refresh tokens per grant,
// rotation, revocation) and JSON control endpoints for tests that run inside workerd.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { OAuth2Issuer } from 'oauth2-mock-server';
import type { OAuthProvider } from '../../contract/index.ts';
import { ACCOUNT_CLAIM, AuthServerState, MICROSOFT_TENANT_ID, PATHS, readBody, send } from './oauth-grants.ts';

export { DEFAULT_ACCOUNT, MICROSOFT_TENANT_ID } from './oauth-grants.ts';

export const OAUTH_ENV_NAMES = {
  microsoft: [
    'OAUTH_MICROSOFT_CLIENT_ID',
    'OAUTH_MICROSOFT_CLIENT_SECRET',
    'OAUTH_MICROSOFT_AUTHORITY',
    'OAUTH_MICROSOFT_SMTP_HOSTS',
  ],
  google: [
    'OAUTH_GOOGLE_CLIENT_ID',
    'OAUTH_GOOGLE_CLIENT_SECRET',
    'OAUTH_GOOGLE_AUTH_URL',
    'OAUTH_GOOGLE_TOKEN_URL',
    'OAUTH_GOOGLE_REVOKE_URL',
    'OAUTH_GOOGLE_SMTP_HOSTS',
  ],
} as const;

/** The local mail sink and test servers stand in for the providers' submission servers. */
const LOCAL_SMTP_HOSTS = 'localhost,127.0.0.1';
export type OAuthEnv = Partial<Record<(typeof OAUTH_ENV_NAMES)[OAuthProvider][number], string>>;

export interface AuthServerStats {
  /** Authorize requests answered with a code. */
  authorizations: number;
  /** Token requests with grant_type=authorization_code, whatever their outcome. */
  codeExchanges: number;
  /** Token requests with grant_type=refresh_token, whatever their outcome. */
  refreshes: number;
  /** Requests to the revocation endpoint (Google). */
  revocations: number;
}

/** Token-endpoint failures a test asked for: the next `count` requests answer `status`, or never answer. */
export interface TokenFailures {
  count: number;
  status: number;
  hang: boolean;
}

export interface LocalAuthServer {
  provider: OAuthProvider;
  /** The server's origin; the control endpoints are under `${url}/__control/`. */
  url: string;
  /** The operator variables that point the API at this server (a random client per start). */
  env: OAuthEnv;
  /** A token this server issued: its signature, unexpired, its grant alive, issued for `user` (any letter case). */
  verifyAccessToken(token: string, user: string): Promise<boolean>;
  stats(): AuthServerStats;
  stop(): Promise<void>;
}

export interface AuthServerOptions {
  port?: number;
  /** The registered redirect URIs; a function when they are known only later (a stack's port). */
  redirectUris: string[] | (() => string[]);
  accessTokenTtlSeconds?: number;
}

function envFor(provider: OAuthProvider, origin: string, client: { id: string; secret: string }): OAuthEnv {
  return provider === 'microsoft'
    ? {
        OAUTH_MICROSOFT_CLIENT_ID: client.id,
        OAUTH_MICROSOFT_CLIENT_SECRET: client.secret,
        OAUTH_MICROSOFT_AUTHORITY: `${origin}/common`,
        OAUTH_MICROSOFT_SMTP_HOSTS: LOCAL_SMTP_HOSTS,
      }
    : {
        OAUTH_GOOGLE_CLIENT_ID: client.id,
        OAUTH_GOOGLE_CLIENT_SECRET: client.secret,
        OAUTH_GOOGLE_AUTH_URL: `${origin}${PATHS.google.authorize}`,
        OAUTH_GOOGLE_TOKEN_URL: `${origin}${PATHS.google.token}`,
        OAUTH_GOOGLE_REVOKE_URL: `${origin}${PATHS.google.revoke}`,
        OAUTH_GOOGLE_SMTP_HOSTS: LOCAL_SMTP_HOSTS,
      };
}

/** The JSON control endpoints, `/__control/<action>`, for tests that cannot call into Node. */
async function control(state: AuthServerState, req: IncomingMessage, res: ServerResponse, action: string) {
  let input: Record<string, unknown> = {};
  try {
    if (req.method === 'POST') input = (JSON.parse((await readBody(req)) || '{}') ?? {}) as Record<string, unknown>;
  } catch {
    return send(res, 400, { error: 'the body is not JSON' });
  }
  const count = (value: unknown) => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : null);
  const ok = () => send(res, 200, { ok: true });
  switch (`${req.method} ${action}`) {
    case 'GET stats':
      return send(res, 200, state.stats);
    case 'POST reset':
      state.reset();
      return ok();
    case 'POST revoke':
      if (typeof input.account !== 'string') break;
      return send(res, 200, { revoked: state.revokeAccount(input.account) });
    case 'POST fail': {
      const times = count(input.count);
      const status = count(input.status);
      if (times === null || (input.hang !== true && (status === null || status < 400 || status > 599))) break;
      state.failures = { count: times, status: status ?? 503, hang: input.hang === true };
      return ok();
    }
    case 'POST access-ttl': {
      const seconds = count(input.seconds);
      if (seconds === null) break;
      state.accessTtl = seconds;
      return ok();
    }
    default:
      return send(res, 404, { error: `no control action ${req.method} ${action}` });
  }
  send(res, 400, { error: `invalid input for ${action}` });
}

async function route(state: AuthServerState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const paths: Record<string, string> = PATHS[state.provider];
  if (url.pathname.startsWith('/__control/')) return control(state, req, res, url.pathname.slice('/__control/'.length));
  if (req.method === 'GET' && url.pathname === paths.authorize) return state.authorize(req, res, url.searchParams);
  if (req.method === 'POST' && url.pathname === paths.token)
    return state.token(req, res, new URLSearchParams(await readBody(req)));
  if (req.method === 'POST' && url.pathname === paths.revoke)
    return state.revoke(res, new URLSearchParams(await readBody(req)));
  if (req.method === 'GET' && (url.pathname === paths.jwks || url.pathname === paths.wellKnownDocument)) {
    return state.forward(req, res);
  }
  send(res, 404, { error: 'not_found' });
}

async function verifyAccessToken(
  state: AuthServerState,
  keys: ReturnType<typeof createLocalJWKSet>,
  token: string,
  user: string,
): Promise<boolean> {
  try {
    const { payload } = await jwtVerify(token, keys, { issuer: state.tokenIssuer });
    const account = payload[ACCOUNT_CLAIM[state.provider]];
    return (
      Boolean(state.accessTokens.get(String(payload.jti))?.alive) &&
      typeof account === 'string' &&
      account.toLowerCase() === user.toLowerCase()
    );
  } catch {
    return false; // a bad signature, another issuer, expired, or no JWT at all
  }
}

export async function startAuthServer(provider: OAuthProvider, options: AuthServerOptions): Promise<LocalAuthServer> {
  const issuer = new OAuth2Issuer();
  await issuer.keys.generate('RS256');
  const { redirectUris } = options;
  const state = new AuthServerState(
    provider,
    issuer,
    typeof redirectUris === 'function' ? redirectUris : () => redirectUris,
    options.accessTokenTtlSeconds ?? 3600,
  );
  const http = createServer((req, res) => {
    route(state, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  issuer.url = origin;
  state.tokenIssuer = provider === 'microsoft' ? `${origin}/${MICROSOFT_TENANT_ID}/v2.0` : origin;
  const keys = createLocalJWKSet({ keys: issuer.keys.toJSON() });
  return {
    provider,
    url: origin,
    env: envFor(provider, origin, state.client),
    verifyAccessToken: (token, user) => verifyAccessToken(state, keys, token, user),
    stats: () => ({ ...state.stats }),
    async stop() {
      state.reset();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
