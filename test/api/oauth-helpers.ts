import { exports } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { expect, inject, vi } from 'vitest';
import type { OAuthProvider, OAuthStartResponse } from '../../contract/index.ts';
import { oauthGrants } from '../../api/db/schema.ts';
import { db } from './outbox-helpers.ts';

export const PORTAL = 'https://portal.example';

/** The local authorization server of a provider (started by the global setup). */
export const authServer = (provider: OAuthProvider) => inject('oauth')[provider];

async function control(provider: OAuthProvider, path: string, body?: unknown) {
  const res = await fetch(`${authServer(provider).url}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.ok, `control ${path}`).toBe(true);
  return res.json() as Promise<Record<string, number>>;
}

export const stats = (provider: OAuthProvider) => control(provider, 'stats');
/** Kills the account's grants at the provider, as a password change or a revoked consent does. */
export const revokeAtProvider = (provider: OAuthProvider, account: string) => control(provider, 'revoke', { account });
export const failNextTokenCalls = (provider: OAuthProvider, count: number, status = 503) =>
  control(provider, 'fail', { count, status });

type Api = { post: (path: string, body?: unknown, o?: { headers?: Record<string, string> }) => Promise<Response> };

export interface Started {
  url: URL;
  binding: string;
}

/** Starts a sign-in from the portal's page: the provider's authorization URL and the page's binding. */
export async function startSignIn(api: Api, provider: OAuthProvider, extra: Record<string, unknown> = {}) {
  const res = await api.post('/v1/mail-server/oauth/start', { provider, ...extra }, { headers: { origin: PORTAL } });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as OAuthStartResponse;
  return { url: new URL(body.authorizationUrl), binding: body.binding } satisfies Started;
}

/** The browser at the provider: the sign-in answers with a redirect to the API's callback. */
export async function authorize(authorizationUrl: URL): Promise<URL> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(res.status, await res.clone().text()).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** The provider's redirect arriving at the API. */
export const callback = (url: URL | string) =>
  exports.default.fetch(new Request(url.toString(), { redirect: 'manual' }));

/** The completion code the callback handed to the starting page: in the posted message, or the redirect's query. */
export async function completionOf(page: Response): Promise<string | null> {
  const location = page.headers.get('location');
  if (location) return new URL(location).searchParams.get('completion');
  return /"completion":"([\w-]{43})"/.exec(await page.clone().text())?.[1] ?? null;
}

export const complete = (api: Api, binding: string, completion: string) =>
  api.post('/v1/mail-server/oauth/complete', { binding, completion }, { headers: { origin: PORTAL } });

/** A whole sign-in: start, the provider, the callback, the page completing it; the callback's response. */
export async function signIn(api: Api, provider: OAuthProvider, extra: Record<string, unknown> = {}) {
  const started = await startSignIn(api, provider, extra);
  const page = await callback(await authorize(started.url));
  const completion = await completionOf(page);
  expect(completion, 'the callback hands out a completion code').toBeTruthy();
  const done = await complete(api, started.binding, completion!);
  expect(done.status, await done.clone().text()).toBe(200);
  return page;
}

export const grantOf = (tenantId: string, provider: OAuthProvider) =>
  db()
    .select()
    .from(oauthGrants)
    .where(and(eq(oauthGrants.tenantId, tenantId), eq(oauthGrants.provider, provider)))
    .get();

/** Makes the stored access token one that a send must refresh first (once a refresh still being stored has landed). */
export async function expireAccessToken(tenantId: string, provider: OAuthProvider) {
  await vi.waitFor(async () => expect((await grantOf(tenantId, provider))?.refreshLockToken ?? null).toBeNull());
  await db()
    .update(oauthGrants)
    .set({ accessExpiresAt: new Date(Date.now() + 30_000) })
    .where(and(eq(oauthGrants.tenantId, tenantId), eq(oauthGrants.provider, provider)));
}

/** A JWT (the local servers' access and ID tokens are JWTs): none may ever show up in a response or row. */
export const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}\./;
