// The rules of the local authorization servers and the grants they gave (see oauth-server.ts):
// what Microsoft's and Google's endpoints check and answer, in front of oauth2-mock-server, which signs.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { decodeJwt } from 'jose';
import {
  Events,
  type OAuth2Issuer,
  OAuth2Service,
  type MutableRedirectUri,
  type MutableToken,
} from 'oauth2-mock-server';
import type { OAuthProvider } from '../../contract/index.ts';
import type { AuthServerStats, TokenFailures } from './oauth-server.ts';

/** Who signs in when the authorize request has no `login_hint`. */
export const DEFAULT_ACCOUNT = 'anna@firma.example';
/** The one tenant the local Microsoft server knows: its `tid` claim and issuer segment. */
export const MICROSOFT_TENANT_ID = '4b1f6c3e-9a27-4d58-8e0b-2c7d9f31a6e4';

export const PATHS = {
  microsoft: {
    authorize: '/common/oauth2/v2.0/authorize',
    token: '/common/oauth2/v2.0/token',
    jwks: '/common/discovery/v2.0/keys',
    wellKnownDocument: '/common/v2.0/.well-known/openid-configuration',
  },
  google: { authorize: '/o/oauth2/v2/auth', token: '/token', jwks: '/oauth2/v3/certs', revoke: '/revoke' },
} as const;

/** Where each provider puts the signed-in address (here also into the access token). */
export const ACCOUNT_CLAIM = { microsoft: 'preferred_username', google: 'email' } as const;

interface Grant {
  account: string;
  scope: string;
  alive: boolean;
}
/** What an authorize request granted, until its code is redeemed once. */
interface Authorization {
  account: string;
  scope: string;
  redirectUri: string;
  /** Microsoft: `offline_access` in the scope; Google: `access_type=offline`. */
  offline: boolean;
  used: boolean;
}
/** What the mock's hooks need to know about the request they run for. */
interface RequestContext {
  account: string;
  scope: string;
  jti: string;
  authorization?: Authorization;
}
interface MockAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }).end(text);
}

const oauthError = (res: ServerResponse, status: number, error: string, description: string) =>
  send(res, status, { error, error_description: description });

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** client_secret_basic (RFC 6749 2.3.1: form-encoded, then Basic) or client_secret_post. */
function clientOf(req: IncomingMessage, form: URLSearchParams): { id: string | null; secret: string | null } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!basic) return { id: form.get('client_id'), secret: form.get('client_secret') };
  const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(/:(.*)/s, 2);
  const decode = (s: string | undefined) => (s === undefined ? null : decodeURIComponent(s.replace(/\+/g, ' ')));
  return { id: decode(id), secret: decode(secret) };
}

/** A provider shows its own page, never a redirect, for an unknown client or redirect URI. */
function refusePage(res: ServerResponse, reason: string) {
  send(res, 400, `<!doctype html><html lang="en"><title>Sign-in refused</title><p>${reason}</p></html>`, 'text/html');
}

function redirectError(res: ServerResponse, redirectUri: string, query: URLSearchParams, description: string) {
  const back = new URL(redirectUri);
  back.searchParams.set('error', 'invalid_request');
  back.searchParams.set('error_description', description);
  const state = query.get('state');
  if (state) back.searchParams.set('state', state);
  res.writeHead(302, { location: back.href }).end();
}

/** The provider's rules and the grants it gave; the mock behind it signs. */
export class AuthServerState {
  private readonly service: OAuth2Service;
  private readonly contexts = new WeakMap<object, RequestContext>();
  readonly client = { id: '', secret: randomBytes(24).toString('base64url') };
  stats: AuthServerStats = { authorizations: 0, codeExchanges: 0, refreshes: 0, revocations: 0 };
  accessTtl: number;
  failures: TokenFailures = { count: 0, status: 503, hang: false };
  /** Token requests kept open on purpose (a `hang` failure); closed on reset. */
  readonly hanging = new Set<ServerResponse>();
  tokenIssuer = '';
  readonly authorizations = new Map<string, Authorization>();
  readonly refreshTokens = new Map<string, Grant>();
  readonly accessTokens = new Map<string, Grant>();
  readonly grants = new Set<Grant>();
  readonly provider: OAuthProvider;
  readonly redirectUris: () => string[];
  readonly initialTtl: number;

  constructor(provider: OAuthProvider, issuer: OAuth2Issuer, redirectUris: () => string[], initialTtl: number) {
    this.provider = provider;
    this.redirectUris = redirectUris;
    this.initialTtl = initialTtl;
    this.accessTtl = initialTtl;
    this.client.id =
      provider === 'microsoft'
        ? randomUUID()
        : `${randomBytes(5).readUIntBE(0, 5)}-${randomBytes(16).toString('hex')}.apps.googleusercontent.com`;
    this.service = new OAuth2Service(issuer, PATHS[provider]);
    this.service.on(Events.BeforeAuthorizeRedirect, ({ url }: MutableRedirectUri, req: object) => {
      const authorization = this.contexts.get(req)?.authorization;
      const code = url.searchParams.get('code');
      if (authorization && code) this.authorizations.set(code, authorization);
    });
    this.service.on(Events.BeforeTokenSigning, (token: MutableToken, req: object) => this.shapeToken(token, req));
  }

  /** Runs the mock's request handler in-process on a copy of the request; it only sets status and headers, then ends. */
  private mock(req: IncomingMessage, body: string, context?: RequestContext): Promise<MockAnswer> {
    return new Promise((resolve) => {
      const headers = { ...req.headers, 'content-type': 'application/x-www-form-urlencoded' };
      const copy = Object.assign(Readable.from([Buffer.from(body)]), { method: req.method, url: req.url, headers });
      if (context) this.contexts.set(copy, context);
      const answer: MockAnswer = { status: 200, headers: {}, body: '' };
      const res = {
        writableEnded: false,
        set statusCode(status: number) {
          answer.status = status;
        },
        setHeader(name: string, value: unknown) {
          answer.headers[name.toLowerCase()] = String(value);
        },
        end(chunk?: unknown) {
          res.writableEnded = true;
          answer.body = chunk === undefined ? '' : String(chunk);
          resolve(answer);
        },
      };
      this.service.requestHandler(copy as unknown as IncomingMessage, res as unknown as ServerResponse);
    });
  }

  /** What the mock serves as it is (its keys). */
  async forward(req: IncomingMessage, res: ServerResponse) {
    const answer = await this.mock(req, '');
    res.writeHead(answer.status, answer.headers).end(answer.body);
  }

  /** The provider's claims on the mock's tokens; the mock gives the ID token an `aud` and the access token a `scope`. */
  private shapeToken({ payload }: MutableToken, req: object) {
    const context = this.contexts.get(req);
    if (!context) return;
    const isIdToken = payload.scope === undefined;
    delete payload.amr;
    Object.assign(payload, {
      iss: this.tokenIssuer,
      sub: createHash('sha256').update(context.account.toLowerCase()).digest('base64url').slice(0, 32),
      [ACCOUNT_CLAIM[this.provider]]: context.account,
    });
    if (!isIdToken)
      Object.assign(payload, { jti: context.jti, scope: context.scope, exp: payload.iat + this.accessTtl });
    else if (this.provider === 'microsoft') Object.assign(payload, { aud: this.client.id, tid: MICROSOFT_TENANT_ID });
    else Object.assign(payload, { aud: this.client.id, azp: this.client.id, email_verified: true });
  }

  async authorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    if (query.get('client_id') !== this.client.id) return refusePage(res, 'The application (client_id) is unknown.');
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!this.redirectUris().includes(redirectUri))
      return refusePage(res, 'The redirect_uri is not registered for this application.');
    if (!query.get('code_challenge') || query.get('code_challenge_method') !== 'S256')
      return redirectError(res, redirectUri, query, 'PKCE with code_challenge_method=S256 is required.');
    const scope = query.get('scope') ?? '';
    const offline =
      this.provider === 'microsoft'
        ? scope.split(' ').includes('offline_access')
        : query.get('access_type') === 'offline';
    const account = query.get('login_hint') || DEFAULT_ACCOUNT;
    const authorization: Authorization = { account, scope, redirectUri, offline, used: false };
    const answer = await this.mock(req, '', { account, scope, jti: '', authorization });
    if (new URL(answer.headers.location ?? redirectUri).searchParams.has('code')) this.stats.authorizations++;
    res.writeHead(answer.status, answer.headers).end(answer.body);
  }

  async token(req: IncomingMessage, res: ServerResponse, form: URLSearchParams) {
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') this.stats.codeExchanges++;
    if (grantType === 'refresh_token') this.stats.refreshes++;
    if (this.failures.count > 0) {
      this.failures.count--;
      if (this.failures.hang) return void this.hanging.add(res);
      return oauthError(res, this.failures.status, 'temporarily_unavailable', 'Injected failure.');
    }
    const client = clientOf(req, form);
    if (client.id !== this.client.id || client.secret !== this.client.secret)
      return oauthError(res, 401, 'invalid_client', 'Client authentication failed.');
    if (grantType === 'authorization_code') return this.exchangeCode(req, res, form);
    if (grantType === 'refresh_token') return this.refresh(req, res, form);
    oauthError(res, 400, 'unsupported_grant_type', `The grant type ${grantType} is not supported.`);
  }

  private async exchangeCode(req: IncomingMessage, res: ServerResponse, form: URLSearchParams) {
    const authorization = this.authorizations.get(form.get('code') ?? '');
    if (!authorization || authorization.used || authorization.redirectUri !== form.get('redirect_uri'))
      return oauthError(res, 400, 'invalid_grant', 'The code is unknown, used or for another redirect_uri.');
    authorization.used = true;
    // The mock checks PKCE only when a verifier comes, so a missing one is refused here.
    if (!form.get('code_verifier')) return oauthError(res, 400, 'invalid_grant', 'The code_verifier is missing.');
    const grant: Grant = { account: authorization.account, scope: authorization.scope, alive: true };
    const body = await this.issue(req, res, form, grant);
    if (!body) return;
    this.grants.add(grant);
    if (authorization.offline) body.refresh_token = this.newRefreshToken(grant);
    send(res, 200, body);
  }

  private async refresh(req: IncomingMessage, res: ServerResponse, form: URLSearchParams) {
    const old = form.get('refresh_token') ?? '';
    const grant = this.refreshTokens.get(old);
    if (!grant?.alive)
      return oauthError(res, 400, 'invalid_grant', 'The refresh token is unknown, expired or revoked.');
    const body = await this.issue(req, res, form, grant);
    if (!body) return;
    // Microsoft rotates: the old refresh token is dead at once; Google keeps it and sends none.
    if (this.provider === 'microsoft') {
      this.refreshTokens.delete(old);
      body.refresh_token = this.newRefreshToken(grant);
    }
    send(res, 200, body);
  }

  /** The mock signs an access and an ID token for the grant; null when it refused (answered as OAuth error). */
  private async issue(req: IncomingMessage, res: ServerResponse, form: URLSearchParams, grant: Grant) {
    const jti = randomUUID();
    const answer = await this.mock(req, form.toString(), { ...grant, jti });
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    if (answer.status !== 200) {
      // The mock refuses (a PKCE mismatch) with problem+json, 400 and a `detail`; providers say invalid_grant.
      oauthError(res, 400, 'invalid_grant', typeof body.detail === 'string' ? body.detail : 'The grant was refused.');
      return null;
    }
    this.accessTokens.set(jti, grant);
    delete body.refresh_token;
    return { ...body, scope: grant.scope, expires_in: this.accessTtl } as Record<string, unknown>;
  }

  private newRefreshToken(grant: Grant): string {
    const token = randomBytes(32).toString('base64url');
    this.refreshTokens.set(token, grant);
    return token;
  }

  /** Google's revocation: a refresh or access token ends its whole grant; an unknown one is a 400. */
  revoke(res: ServerResponse, form: URLSearchParams) {
    this.stats.revocations++;
    const token = form.get('token') ?? '';
    let jti: unknown;
    try {
      jti = decodeJwt(token).jti;
    } catch {
      // not a JWT: a refresh token
    }
    const grant = this.refreshTokens.get(token) ?? this.accessTokens.get(String(jti));
    if (!grant?.alive) return oauthError(res, 400, 'invalid_token', 'Token expired or revoked');
    grant.alive = false;
    send(res, 200, {});
  }

  /** Ends every grant of an account, as a password change does; answers how many. */
  revokeAccount(account: string): number {
    const ended = [...this.grants].filter((g) => g.alive && g.account.toLowerCase() === account.toLowerCase());
    for (const grant of ended) grant.alive = false;
    return ended.length;
  }

  reset() {
    this.stats = { authorizations: 0, codeExchanges: 0, refreshes: 0, revocations: 0 };
    this.failures = { count: 0, status: 503, hang: false };
    this.accessTtl = this.initialTtl;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }
}
