// The local authorization servers (scripts/lib/oauth-server.ts) against a standard client
// (oauth4webapi), and the mail sink that accepts their access tokens over XOAUTH2 (Nodemailer).
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { createTransport } from 'nodemailer';
import * as oauth from 'oauth4webapi';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { OAuthProvider } from '../../contract/index.ts';
import { type MailSink, startMailSink } from '../../scripts/lib/mail-sink.ts';
import { DEFAULT_ACCOUNT, type LocalAuthServer, MICROSOFT_TENANT_ID } from '../../scripts/lib/oauth-server.ts';
import { type OAuthServers, startOAuthServers } from '../support/node-env.ts';
import { oauthControl } from '../support/oauth-control.ts';
import { TEST_CA_FILE } from '../support/smtp-servers.ts';

const REDIRECT_URI = 'https://api.test.example/v1/oauth/callback';
const insecure = { [oauth.allowInsecureRequests]: true };

let servers: OAuthServers;
let sink: MailSink;
beforeAll(async () => {
  servers = await startOAuthServers([REDIRECT_URI]);
  sink = await startMailSink({ verifiers: servers.verifiers });
});
afterAll(async () => {
  await sink?.stop();
  await servers?.stop();
});
beforeEach(async () => {
  await Promise.all([oauthControl(servers.microsoft.url).reset(), oauthControl(servers.google.url).reset()]);
});

/** What a client knows of a server: the operator variables. */
type ServerView = Pick<LocalAuthServer, 'provider' | 'env'>;

/** The client's view of a server, as the API builds it from the operator variables. */
function clientOf(server: ServerView, auth: 'post' | 'basic' = 'post') {
  const e = server.env;
  const as: oauth.AuthorizationServer =
    server.provider === 'microsoft'
      ? {
          issuer: `${new URL(e.OAUTH_MICROSOFT_AUTHORITY!).origin}/${MICROSOFT_TENANT_ID}/v2.0`,
          authorization_endpoint: `${e.OAUTH_MICROSOFT_AUTHORITY}/oauth2/v2.0/authorize`,
          token_endpoint: `${e.OAUTH_MICROSOFT_AUTHORITY}/oauth2/v2.0/token`,
        }
      : {
          issuer: new URL(e.OAUTH_GOOGLE_AUTH_URL!).origin,
          authorization_endpoint: e.OAUTH_GOOGLE_AUTH_URL!,
          token_endpoint: e.OAUTH_GOOGLE_TOKEN_URL!,
          revocation_endpoint: e.OAUTH_GOOGLE_REVOKE_URL!,
        };
  const id = e.OAUTH_MICROSOFT_CLIENT_ID ?? e.OAUTH_GOOGLE_CLIENT_ID!;
  const secret = e.OAUTH_MICROSOFT_CLIENT_SECRET ?? e.OAUTH_GOOGLE_CLIENT_SECRET!;
  const clientAuth = auth === 'basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
  return { as, client: { client_id: id } as oauth.Client, clientAuth, secret };
}

const SCOPES: Record<OAuthProvider, string> = {
  microsoft: 'openid email offline_access https://outlook.office.com/SMTP.Send',
  google: 'openid email https://mail.google.com/',
};

/** The browser's part: the authorize request and the redirect it answers. */
async function authorize(server: ServerView, params: Record<string, string>): Promise<Response> {
  const { as, client } = clientOf(server);
  const url = new URL(as.authorization_endpoint!);
  const extra: Record<string, string> =
    server.provider === 'google' ? { access_type: 'offline', prompt: 'consent' } : {};
  const all = {
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: SCOPES[server.provider],
    ...extra,
    ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value !== '') url.searchParams.set(key, value);
  return fetch(url, { redirect: 'manual' });
}

/** The authorize request with PKCE; `redeem` makes the code request (with the right verifier unless given). */
async function authorizeWithPkce(server: ServerView, options: { loginHint?: string; auth?: 'post' | 'basic' } = {}) {
  const { as, client, clientAuth } = clientOf(server, options.auth);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const res = await authorize(server, {
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    login_hint: options.loginHint ?? '',
  });
  expect(res.status).toBe(302);
  const params = oauth.validateAuthResponse(as, client, new URL(res.headers.get('location')!), state);
  const redeem = (codeVerifier = verifier) =>
    oauth
      .authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT_URI, codeVerifier, insecure)
      .then((answer) => oauth.processAuthorizationCodeResponse(as, client, answer));
  return { verifier, redeem };
}

async function signIn(server: ServerView, options: { loginHint?: string; auth?: 'post' | 'basic' } = {}) {
  const { redeem } = await authorizeWithPkce(server, options);
  return { tokens: await redeem(), redeem };
}

function refresh(server: ServerView, refreshToken: string) {
  const { as, client, clientAuth } = clientOf(server);
  return oauth
    .refreshTokenGrantRequest(as, client, clientAuth, refreshToken, insecure)
    .then((answer) => oauth.processRefreshTokenResponse(as, client, answer));
}

const invalidGrant = { error: 'invalid_grant', status: 400 };

function sendAs(user: string, accessToken: string) {
  const transport = createTransport({
    host: '127.0.0.1',
    port: sink.smtpPort,
    secure: false,
    ignoreTLS: true,
    auth: { type: 'OAuth2', user, accessToken },
  });
  const subject = `xoauth2 ${crypto.randomUUID()}`;
  return transport
    .sendMail({ from: user, to: 'someone@example.com', subject, text: 'hello' })
    .then(() => subject)
    .finally(() => transport.close());
}

describe('sign-in with the code flow and PKCE', () => {
  it('Microsoft: client_secret_basic, the account from login_hint in preferred_username, the tenant in iss and tid', async () => {
    const { tokens } = await signIn(servers.microsoft, { auth: 'basic', loginHint: 'Jonas@Firma.example' });
    const id = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(id).toMatchObject({ preferred_username: 'Jonas@Firma.example', tid: MICROSOFT_TENANT_ID });
    expect(id.iss).toBe(`${servers.microsoft.url}/${MICROSOFT_TENANT_ID}/v2.0`);
    expect(id.aud).toBe(servers.microsoft.env.OAUTH_MICROSOFT_CLIENT_ID);
    expect(id).not.toHaveProperty('email');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope).toBe(SCOPES.microsoft);
    expect(await servers.microsoft.verifyAccessToken(tokens.access_token, 'jonas@firma.example')).toBe(true);
    expect(servers.microsoft.stats()).toMatchObject({ authorizations: 1, codeExchanges: 1 });
  });

  it('Google: client_secret_post, email and email_verified, the origin as issuer; the default account without login_hint', async () => {
    const { tokens } = await signIn(servers.google);
    const id = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(id).toMatchObject({ email: DEFAULT_ACCOUNT, email_verified: true, iss: servers.google.url });
    expect(id.aud).toBe(servers.google.env.OAUTH_GOOGLE_CLIENT_ID);
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('refuses a wrong verifier (invalid_grant), and the code is gone after that', async () => {
    const { verifier, redeem } = await authorizeWithPkce(servers.google);
    const wrong = oauth.generateRandomCodeVerifier();
    await expect(redeem(wrong)).rejects.toMatchObject(invalidGrant);
    await expect(redeem(verifier)).rejects.toMatchObject(invalidGrant);
  });

  it('refuses a code the second time', async () => {
    const { redeem } = await signIn(servers.microsoft);
    await expect(redeem()).rejects.toMatchObject(invalidGrant);
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const { as, client } = clientOf(servers.google);
    const answer = await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretPost('wrong'), 'any', insecure);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('answers an unknown client or redirect URI with a page of its own, never a redirect; PKCE is required', async () => {
    const challenge = { code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' };
    const wrong: Record<string, string>[] = [
      { client_id: 'someone-else' },
      { redirect_uri: 'https://evil.example/cb' },
    ];
    for (const params of wrong) {
      const res = await authorize(servers.microsoft, { ...challenge, ...params });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const plain = await authorize(servers.google, {
      state: 's1',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'plain',
    });
    const back = new URL(plain.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'invalid_request', state: 's1' });
    expect(servers.google.stats().authorizations).toBe(0);
  });
});

describe('refresh tokens', () => {
  it('Microsoft rotates: each refresh answers a new refresh token and the old one is dead at once', async () => {
    const { tokens } = await signIn(servers.microsoft);
    const next = await refresh(servers.microsoft, tokens.refresh_token!);
    expect(next.refresh_token).toEqual(expect.any(String));
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    await expect(refresh(servers.microsoft, tokens.refresh_token!)).rejects.toMatchObject(invalidGrant);
    expect((await refresh(servers.microsoft, next.refresh_token!)).access_token).toEqual(expect.any(String));
    expect(servers.microsoft.stats().refreshes).toBe(3);
  });

  it('Google keeps the refresh token: a refresh answers none and the old one still works', async () => {
    const { tokens } = await signIn(servers.google);
    const next = await refresh(servers.google, tokens.refresh_token!);
    expect(next.refresh_token).toBeUndefined();
    expect(await servers.google.verifyAccessToken(next.access_token, DEFAULT_ACCOUNT)).toBe(true);
    expect((await refresh(servers.google, tokens.refresh_token!)).access_token).toEqual(expect.any(String));
  });

  it('refuses an unknown refresh token', async () => {
    await expect(refresh(servers.google, 'never-issued')).rejects.toMatchObject(invalidGrant);
  });
});

describe('revocation', () => {
  it('Google /revoke ends the grant: its refresh token is refused and the sink refuses its access token', async () => {
    const { tokens } = await signIn(servers.google, { loginHint: 'eva@firma.example' });
    const { as, client, clientAuth } = clientOf(servers.google);
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token!, insecure),
    );
    expect(servers.google.stats().revocations).toBe(1);
    await expect(refresh(servers.google, tokens.refresh_token!)).rejects.toMatchObject(invalidGrant);
    await expect(sendAs('eva@firma.example', tokens.access_token)).rejects.toMatchObject({ responseCode: 535 });
  });

  it('a revoke by account (a password change) ends all its grants at Microsoft', async () => {
    const first = await signIn(servers.microsoft, { loginHint: 'max@firma.example' });
    const second = await signIn(servers.microsoft, { loginHint: 'MAX@firma.example' });
    const other = await signIn(servers.microsoft, { loginHint: 'lea@firma.example' });
    expect(await oauthControl(servers.microsoft.url).revokeAccount('Max@Firma.example')).toBe(2);
    await expect(refresh(servers.microsoft, first.tokens.refresh_token!)).rejects.toMatchObject(invalidGrant);
    await expect(refresh(servers.microsoft, second.tokens.refresh_token!)).rejects.toMatchObject(invalidGrant);
    expect(await servers.microsoft.verifyAccessToken(first.tokens.access_token, 'max@firma.example')).toBe(false);
    expect((await refresh(servers.microsoft, other.tokens.refresh_token!)).access_token).toEqual(expect.any(String));
  });
});

describe('the mail sink over XOAUTH2', () => {
  it('accepts an issued token for its account (any letter case) and records who signed in', async () => {
    const { tokens } = await signIn(servers.microsoft, { loginHint: 'Anna@Firma.example' });
    const subject = await sendAs('anna@firma.example', tokens.access_token);
    const message = await sink.waitFor((m) => m.subject === subject);
    expect(message.authUser).toBe('anna@firma.example');
  });

  it('refuses, like Gmail (535 5.7.8), a token for another user and a forged one signed with another key', async () => {
    const { tokens } = await signIn(servers.google, { loginHint: 'anna@firma.example' });
    const refused = { responseCode: 535, response: expect.stringContaining('5.7.8') };
    await expect(sendAs('ben@firma.example', tokens.access_token)).rejects.toMatchObject(refused);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(decodeJwt(tokens.access_token))
      .setProtectedHeader(decodeProtectedHeader(tokens.access_token) as { alg: string })
      .sign(privateKey);
    await expect(sendAs('anna@firma.example', forged)).rejects.toMatchObject(refused);
  });

  it('refuses a token that expired (the lifetime set through the control endpoint)', async () => {
    await oauthControl(servers.microsoft.url).setAccessTokenTtl(0);
    const { tokens } = await signIn(servers.microsoft);
    expect(tokens.expires_in).toBe(0);
    expect(await servers.microsoft.verifyAccessToken(tokens.access_token, DEFAULT_ACCOUNT)).toBe(false);
  });
});

describe('control endpoints', () => {
  it('count the requests and answer the next token requests with the injected status', async () => {
    const control = oauthControl(servers.google.url);
    const { tokens } = await signIn(servers.google);
    await control.failTokenRequests({ count: 1, status: 503 });
    const failed = await refresh(servers.google, tokens.refresh_token!).catch(
      (error: oauth.OperationProcessingError) => error.cause as Response,
    );
    expect(failed.status).toBe(503);
    expect((await refresh(servers.google, tokens.refresh_token!)).access_token).toEqual(expect.any(String));
    expect(await control.stats()).toEqual({ authorizations: 1, codeExchanges: 1, refreshes: 2, revocations: 0 });
  });

  it('keep a token request unanswered until reset (a timeout at the client)', async () => {
    const control = oauthControl(servers.microsoft.url);
    const { tokens } = await signIn(servers.microsoft);
    await control.failTokenRequests({ count: 1, hang: true });
    const settled = vi.fn();
    const hanging = refresh(servers.microsoft, tokens.refresh_token!).finally(settled);
    await vi.waitFor(async () => expect((await control.stats()).refreshes).toBe(1));
    expect(settled).not.toHaveBeenCalled();
    await control.reset();
    await expect(hanging).rejects.toThrow();
  });
});

describe('the global setup', () => {
  it('the xoauth2 fixture (STARTTLS) takes a token of the global Microsoft server and no mail without signing in', async () => {
    const oauthInfo = inject('oauth');
    const fixtures = inject('smtpFixtures');
    expect(oauthInfo.redirectUri).toBe(REDIRECT_URI);
    const { tokens } = await signIn({ provider: 'microsoft', env: oauthInfo.microsoft.env });
    const transport = (auth?: { type: 'OAuth2'; user: string; accessToken: string }) =>
      createTransport({
        host: 'localhost',
        port: fixtures.ports.xoauth2,
        requireTLS: true,
        tls: { ca: readFileSync(TEST_CA_FILE) },
        auth,
      });
    const mail = { from: DEFAULT_ACCOUNT, to: 'someone@example.com', subject: 'fixture', text: 'hello' };
    const signedIn = transport({ type: 'OAuth2', user: DEFAULT_ACCOUNT, accessToken: tokens.access_token });
    await expect(signedIn.sendMail(mail)).resolves.toMatchObject({ accepted: ['someone@example.com'] });
    await expect(transport().sendMail(mail)).rejects.toMatchObject({ responseCode: 530 });
  });
});
