import { describe, expect, it } from 'vitest';
import type { MailServerResponse, TestResult } from '../../contract/index.ts';
import { clientFor, newTenant } from './helpers.ts';
import {
  authorize,
  callback,
  complete,
  completionOf,
  expireAccessToken,
  grantOf,
  JWT,
  PORTAL,
  signIn,
  startSignIn,
  stats,
} from './oauth-helpers.ts';
import { fixtures } from './smtp-helpers.ts';

const ACCOUNT = 'anna@firma.example';

const xoauth2Draft = (provider: 'microsoft' | 'google', extra: Record<string, unknown> = {}) => ({
  host: 'localhost',
  port: fixtures().ports.xoauth2,
  security: 'starttls',
  auth: { method: 'xoauth2', provider },
  ...extra,
});

describe('sign-in with the provider: start and callback', () => {
  it('offers both configured providers', async () => {
    const api = await clientFor();
    const body = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(body.capabilities.oauthProviders).toEqual(['microsoft', 'google']);
    expect(body.oauthConnections).toEqual([]);
  });

  it('asks Microsoft for SMTP.Send with PKCE S256, a fresh state and the tenant address as login hint', async () => {
    const api = await clientFor();
    const { url, binding } = await startSignIn(api, 'microsoft');
    expect(binding).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.has('binding') || url.toString().includes(binding)).toBe(false);
    expect(url.pathname).toMatch(/\/oauth2\/v2\.0\/authorize$/);
    const q = url.searchParams;
    expect(q.get('scope')).toBe('openid email offline_access https://outlook.office.com/SMTP.Send');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toMatch(/^[\w-]{43}$/); // 32 random bytes
    expect(q.get('login_hint')).toBe(api.tenant.email);
    expect(q.get('redirect_uri')).toBe('https://api.test.example/v1/oauth/callback');
    const again = (await startSignIn(api, 'microsoft')).url;
    expect(again.searchParams.get('state')).not.toBe(q.get('state'));
    const google = (await startSignIn(api, 'google', { loginHint: ACCOUNT })).url;
    expect(google.searchParams.get('scope')).toBe('openid email https://mail.google.com/');
    expect(google.searchParams.get('access_type')).toBe('offline');
    expect(google.searchParams.get('prompt')).toBe('consent');
    expect(google.searchParams.get('login_hint')).toBe(ACCOUNT);
  });

  it('refuses an unknown provider, a start without an allowed origin, and a redirect to another origin', async () => {
    const api = await clientFor();
    const bad = await api.post('/v1/mail-server/oauth/start', { provider: 'yahoo' }, { headers: { origin: PORTAL } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { path: string; code: string }[] }).errors).toEqual([
      expect.objectContaining({ path: 'provider', code: 'oauth_provider_invalid' }),
    ]);
    for (const headers of [{}, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const res = await api.post('/v1/mail-server/oauth/start', { provider: 'google' }, { headers });
      expect(res.status).toBe(422);
      expect(JSON.stringify(await res.json())).toContain('origin_required');
    }
    const redirect = await api.post(
      '/v1/mail-server/oauth/start',
      { provider: 'google', mode: 'redirect', returnTo: 'https://evil.example/settings' },
      { headers: { origin: PORTAL } },
    );
    expect(redirect.status).toBe(422);
    expect(JSON.stringify(await redirect.json())).toContain('return_to_invalid');
  });

  it('stores the grant and posts the account to the starting origin only; tokens stay sealed', async () => {
    const api = await clientFor();
    const res = await signIn(api, 'microsoft', { loginHint: ACCOUNT });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain(`"account":"${ACCOUNT}"`);
    expect(html).toContain(`postMessage(message, "${PORTAL}")`);
    expect(html).toContain('Bei Microsoft angemeldet');
    expect(html).not.toMatch(JWT);
    const body = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(body.oauthConnections).toEqual([
      { provider: 'microsoft', account: ACCOUNT, connected: true, connectedAt: expect.any(String) },
    ]);
    const grant = (await grantOf(api.tenant.id, 'microsoft'))!;
    expect(JSON.stringify(grant)).not.toMatch(JWT);
    expect(grant.account).toBe(ACCOUNT);
  });

  it('refuses a replayed, forged or expired state with a page and stores nothing', async () => {
    const api = await clientFor();
    const started = await startSignIn(api, 'google', { loginHint: ACCOUNT });
    const url = await authorize(started.url);
    const page = await callback(url);
    expect(page.status).toBe(200);
    const replay = await callback(url);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/abgelaufen|schon verwendet/);
    expect((await complete(api, started.binding, (await completionOf(page))!)).status).toBe(200);
    const first = (await grantOf(api.tenant.id, 'google'))!;
    expect((await callback(url)).status).toBe(400);
    expect((await grantOf(api.tenant.id, 'google'))!.revision).toBe(first.revision);

    const other = await clientFor();
    const forged = new URL(await authorize((await startSignIn(other, 'google')).url));
    forged.searchParams.set('state', 'A'.repeat(43));
    expect((await callback(forged)).status).toBe(400);
    expect(await grantOf(other.tenant.id, 'google')).toBeUndefined();
  });

  it('fails when the code is redeemed with another sign-in’s verifier (the server checks PKCE)', async () => {
    const api = await clientFor();
    const a = await authorize((await startSignIn(api, 'microsoft')).url);
    const b = await authorize((await startSignIn(api, 'microsoft')).url);
    const mixed = new URL(a);
    mixed.searchParams.set('state', b.searchParams.get('state')!);
    const before = (await stats('microsoft')).codeExchanges!;
    const res = await callback(mixed);
    expect(res.status).toBe(400);
    expect((await stats('microsoft')).codeExchanges).toBeGreaterThan(before);
    expect(await grantOf(api.tenant.id, 'microsoft')).toBeUndefined();
  });

  it('tells the starting page when the tenant cancelled, in the language it started in', async () => {
    const api = await clientFor();
    const res = await api.post(
      '/v1/mail-server/oauth/start',
      { provider: 'google' },
      {
        headers: { origin: PORTAL, 'accept-language': 'en' },
      },
    );
    const state = new URL(((await res.json()) as { authorizationUrl: string }).authorizationUrl).searchParams.get(
      'state',
    )!;
    const page = await callback(`https://api.test.example/v1/oauth/callback?error=access_denied&state=${state}`);
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('"error":"access_denied"');
    expect(html).toContain('cancelled');
    expect(await grantOf(api.tenant.id, 'google')).toBeUndefined();
  });

  it('redirect mode sends the browser back to the portal page with the result', async () => {
    const api = await clientFor();
    const res = await signIn(api, 'google', { mode: 'redirect', returnTo: `${PORTAL}/settings?tab=mail` });
    expect(res.status, await res.clone().text()).toBe(303);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(`${PORTAL}/settings`);
    expect(back.searchParams.get('tab')).toBe('mail');
    expect(back.searchParams.get('mailServerOAuth')).toBe('ok');
    expect(back.searchParams.get('provider')).toBe('google');
    expect(back.searchParams.get('completion')).toMatch(/^[\w-]{43}$/);
  });

  it('a forwarded sign-in link connects nobody: only the starting page completes, once, for its own tenant', async () => {
    const starter = await clientFor();
    const started = await startSignIn(starter, 'microsoft', { loginHint: ACCOUNT });
    // Someone else's browser signs in through the link; the callback holds the result, stores no grant.
    const page = await callback(await authorize(started.url));
    expect(page.status).toBe(200);
    expect(await grantOf(starter.tenant.id, 'microsoft')).toBeUndefined();
    const body = (await (await starter.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(body.oauthConnections).toEqual([]);
    const completion = (await completionOf(page))!;
    const refused = async (res: Response) => {
      expect(res.status, await res.clone().text()).toBe(422);
      expect(JSON.stringify(await res.json())).toContain('oauth_completion_invalid');
    };
    // The binding without the code the signing-in browser received, that code with another binding or tenant.
    await refused(await complete(starter, started.binding, 'B'.repeat(43)));
    await refused(await complete(starter, (await startSignIn(starter, 'microsoft')).binding, completion));
    const intruder = await clientFor();
    await refused(await complete(intruder, started.binding, completion));
    await refused(await complete(starter, 'short', completion));
    expect(await grantOf(starter.tenant.id, 'microsoft')).toBeUndefined();
    expect(await grantOf(intruder.tenant.id, 'microsoft')).toBeUndefined();
    // The starting page has both: the grant is stored once.
    const done = await complete(starter, started.binding, completion);
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({
      provider: 'microsoft',
      account: ACCOUNT,
      connected: true,
      connectedAt: expect.any(String),
    });
    expect((await grantOf(starter.tenant.id, 'microsoft'))?.account).toBe(ACCOUNT);
    await refused(await complete(starter, started.binding, completion));
  });
});

describe('sign-in with the provider: settings, test and disconnect', () => {
  it('warns about Microsoft 365 with a password in GET and offers the switch to sign-in', async () => {
    const api = await clientFor();
    const put = await api.put('/v1/mail-server', {
      host: 'smtp.office365.com',
      security: 'starttls',
      auth: { method: 'login', username: 'anna@firma.example', password: 'Kennwort-1' },
    });
    expect(put.status).toBe(200);
    const de = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(de.warnings.map((w) => w.code)).toContain('microsoft_basic_auth_retiring');
    const warning = de.warnings.find((w) => w.code === 'microsoft_basic_auth_retiring')!;
    expect(warning.message).toMatch(/Dezember 2026/);
    expect(warning.message).toContain('Mit Microsoft anmelden');
    // Signed in instead: no warning.
    await signIn(api, 'microsoft', { loginHint: ACCOUNT });
    await api.put('/v1/mail-server', {
      host: 'smtp.office365.com',
      security: 'starttls',
      auth: { method: 'xoauth2', provider: 'microsoft' },
    });
    const after = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(after.warnings.map((w) => w.code)).not.toContain('microsoft_basic_auth_retiring');
  });

  it('save then sign in: GET shows the settings connected as the signed-in account', async () => {
    const api = await clientFor(newTenant());
    const put = await api.put('/v1/mail-server', xoauth2Draft('microsoft'));
    expect(put.status, await put.clone().text()).toBe(200);
    const saved = (await put.json()) as MailServerResponse;
    expect(saved.settings!.auth).toEqual({
      method: 'xoauth2',
      provider: 'microsoft',
      username: null,
      connected: false,
      account: null,
      connectedAt: null,
    });
    await signIn(api, 'microsoft', { loginHint: ACCOUNT });
    const body = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(body.settings!.auth).toMatchObject({
      method: 'xoauth2',
      username: ACCOUNT,
      connected: true,
      account: ACCOUNT,
    });
    // The settings as GET returns them can be sent back unchanged.
    expect((await api.put('/v1/mail-server', body.settings)).status).toBe(200);
  });

  it('tests a draft through XOAUTH2 with the stored access token; the transcript shows no token', async () => {
    const api = await clientFor();
    await signIn(api, 'google', { loginHint: ACCOUNT });
    const before = (await stats('google')).refreshes!;
    const res = await api.post('/v1/mail-server/test', xoauth2Draft('google'));
    const result = (await res.json()) as TestResult;
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const lines = result.transcript.map((l) => l.line);
    expect(lines).toContain('AUTH XOAUTH2 [redacted]');
    expect(JSON.stringify(result)).not.toMatch(JWT);
    expect((await stats('google')).refreshes).toBe(before);
  });

  it('sends an access token to no server but the provider’s own, and never with “trust any certificate”', async () => {
    const api = await clientFor();
    await signIn(api, 'microsoft', { loginHint: ACCOUNT });
    const before = await stats('microsoft');
    const elsewhere = xoauth2Draft('microsoft', { host: 'smtp.mailhoster.example' });
    const fieldCodes = async (res: Response) => {
      expect(res.status).toBe(422);
      return ((await res.json()) as { errors: { path: string; code: string }[] }).errors;
    };
    for (const res of [
      await api.put('/v1/mail-server', elsewhere),
      await api.post('/v1/mail-server/test', elsewhere),
    ]) {
      expect(await fieldCodes(res)).toEqual([expect.objectContaining({ path: 'host', code: 'oauth_host_mismatch' })]);
    }
    const trusting = xoauth2Draft('microsoft', { host: 'SMTP.office365.com', allowUntrustedCertificate: true });
    expect(await fieldCodes(await api.post('/v1/mail-server/test', trusting))).toContainEqual(
      expect.objectContaining({ path: 'allowUntrustedCertificate', code: 'oauth_untrusted_certificate' }),
    );
    expect((await (await api.get('/v1/mail-server')).json()) as MailServerResponse).toMatchObject({ settings: null });
    expect(await stats('microsoft')).toEqual(before);
  });

  it('a test without a sign-in fails at stage auth and says to sign in', async () => {
    const api = await clientFor();
    const result = (await (
      await api.post('/v1/mail-server/test', xoauth2Draft('microsoft'), {
        headers: { 'accept-language': 'en' },
      })
    ).json()) as TestResult;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ stage: 'auth', code: 'oauth_not_connected' });
    expect(result.error.message + result.error.hint).toMatch(/sign in/i);
    expect(result.transcript).toEqual([]);
  });

  it('refreshes an access token that expires within two minutes and stores the rotated refresh token', async () => {
    const api = await clientFor();
    await signIn(api, 'microsoft', { loginHint: ACCOUNT });
    const first = (await grantOf(api.tenant.id, 'microsoft'))!;
    for (let round = 1; round <= 2; round++) {
      await expireAccessToken(api.tenant.id, 'microsoft');
      const before = (await stats('microsoft')).refreshes!;
      const result = (await (await api.post('/v1/mail-server/test', xoauth2Draft('microsoft'))).json()) as TestResult;
      expect(result.ok, JSON.stringify(result)).toBe(true);
      expect((await stats('microsoft')).refreshes).toBe(before + 1);
    }
    // Microsoft's old refresh token died with each rotation: the second refresh worked only with the stored new one.
    const now = (await grantOf(api.tenant.id, 'microsoft'))!;
    expect(now.refreshCiphertext).not.toBe(first.refreshCiphertext);
    expect(now.revision).toBe(first.revision + 2);
  });

  it('a reset refused by If-Match keeps the sign-ins, also with nothing saved', async () => {
    const api = await clientFor();
    await signIn(api, 'google', { loginHint: ACCOUNT });
    const revocations = (await stats('google')).revocations!;
    for (const ifMatch of ['*', '"3"', '"3", "4"']) {
      const res = await api.delete('/v1/mail-server', { headers: { 'if-match': ifMatch } });
      expect(res.status, ifMatch).toBe(412);
      expect(await grantOf(api.tenant.id, 'google'), ifMatch).toBeDefined();
    }
    expect((await stats('google')).revocations).toBe(revocations);
    // "Not configured" is what is stored: that reset takes place and forgets the sign-in.
    expect((await api.delete('/v1/mail-server', { headers: { 'if-match': '"0"' } })).status).toBe(204);
    expect(await grantOf(api.tenant.id, 'google')).toBeUndefined();
  });

  it('disconnect deletes the grant and revokes it at Google; a reset deletes every grant', async () => {
    const api = await clientFor();
    await signIn(api, 'google', { loginHint: ACCOUNT });
    await signIn(api, 'microsoft', { loginHint: ACCOUNT });
    const before = (await stats('google')).revocations!;
    expect((await api.delete('/v1/mail-server/oauth/google')).status).toBe(204);
    expect(await grantOf(api.tenant.id, 'google')).toBeUndefined();
    await expect.poll(async () => (await stats('google')).revocations).toBe(before + 1);
    expect((await api.delete('/v1/mail-server/oauth/yahoo')).status).toBe(422);
    expect((await api.delete('/v1/mail-server')).status).toBe(204);
    expect(await grantOf(api.tenant.id, 'microsoft')).toBeUndefined();
  });
});
