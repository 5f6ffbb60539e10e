import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { mailServers } from '../../api/db/schema.ts';
import type { MailServerResponse, TestResult } from '../../contract/index.ts';
import { marker } from './smtp-helpers.ts';
import { db, mailsArrived, postMessage, settled, tenantWithServer } from './outbox-helpers.ts';
import {
  expireAccessToken,
  failNextTokenCalls,
  grantOf,
  JWT,
  revokeAtProvider,
  signIn,
  stats,
} from './oauth-helpers.ts';

const invoice = (tag: string) => ({
  kind: 'invoice',
  to: ['kunde@kunde.example.com'],
  subject: `Rechnung 2026-118 ${tag}`,
  text: 'Anbei Ihre Rechnung.',
});

/** A tenant whose saved settings sign in with the provider, signed in as `account`. */
async function signedInTenant(provider: 'microsoft' | 'google', fallbackToSystem: boolean, account: string) {
  const { tenant, api } = await tenantWithServer('xoauth2', {
    security: 'starttls',
    auth: { method: 'xoauth2', provider },
    fallbackToSystem,
  });
  const res = await signIn(api, provider, { loginHint: account });
  expect(res.status).toBe(200);
  return { tenant, api };
}

const accountFor = (tag: string) => `rechnung-${tag.slice(1)}@firma.example`;

describe('invoices through a sign-in', () => {
  it('20 invoices at once with an expiring access token: all delivered, one refresh', async () => {
    const tag = marker();
    const { tenant } = await signedInTenant('google', false, accountFor(tag));
    await expireAccessToken(tenant.id, 'google');
    const before = (await stats('google')).refreshes!;
    const posted = await Promise.all(
      Array.from({ length: 20 }, (_, i) => postMessage(tenant.id, invoice(`${tag} ${i}`)).then((r) => r.json())),
    );
    const ended = await Promise.all(posted.map((p) => settled(tenant.id, (p as { id: string }).id, 30_000)));
    expect(ended.map((s) => s.status)).toEqual(Array(20).fill('sent'));
    expect(ended.every((s) => s.route === 'tenant')).toBe(true);
    expect(await mailsArrived(tag, 20)).toHaveLength(20);
    expect((await stats('google')).refreshes).toBe(before + 1);
  });

  it('a dead grant: the test says to sign in again, GET shows it, invoices fall back at once', async () => {
    const tag = marker();
    const account = accountFor(tag);
    const { tenant, api } = await signedInTenant('microsoft', true, account);
    await revokeAtProvider('microsoft', account);
    await expireAccessToken(tenant.id, 'microsoft');

    const test = (await (
      await api.post('/v1/mail-server/test', undefined, {
        headers: { 'accept-language': 'en' },
      })
    ).json()) as TestResult;
    expect(test.ok).toBe(false);
    if (!test.ok) {
      expect(test.error).toMatchObject({ stage: 'auth', code: 'oauth_grant_invalid' });
      expect(test.error.hint).toMatch(/Please sign in with Microsoft again/);
    }
    const view = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(view.settings!.auth).toMatchObject({ method: 'xoauth2', connected: false, account });
    expect(view.oauthConnections[0]).toMatchObject({ provider: 'microsoft', connected: false });
    expect(JSON.stringify(await grantOf(tenant.id, 'microsoft'))).not.toMatch(JWT);

    const before = (await stats('microsoft')).refreshes!;
    const { id } = (await (await postMessage(tenant.id, invoice(tag))).json()) as { id: string };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'system-fallback', attempts: 1 });
    expect(status.fallbackReason).toMatchObject({ stage: 'auth', code: 'oauth_grant_invalid' });
    // The dead grant is not asked again.
    expect((await stats('microsoft')).refreshes).toBe(before);
  });

  it('a dead grant without the fallback: the invoice fails at once with that reason', async () => {
    const tag = marker();
    const account = accountFor(tag);
    const { tenant } = await signedInTenant('google', false, account);
    await revokeAtProvider('google', account);
    await expireAccessToken(tenant.id, 'google');
    const { id } = (await (await postMessage(tenant.id, invoice(tag))).json()) as { id: string };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'failed', route: 'tenant', attempts: 1 });
    expect(status.error).toMatchObject({ stage: 'auth', code: 'oauth_grant_invalid' });
  });

  it('settings that name another server (saved before the rule): the token goes nowhere, test and invoice fail at once', async () => {
    const tag = marker();
    const { tenant, api } = await signedInTenant('google', false, accountFor(tag));
    await expireAccessToken(tenant.id, 'google');
    await db().update(mailServers).set({ host: '127.0.0.2' }).where(eq(mailServers.tenantId, tenant.id));
    const before = await stats('google');
    const test = (await (await api.post('/v1/mail-server/test')).json()) as TestResult;
    expect(test.ok).toBe(false);
    if (!test.ok) expect(test.error).toMatchObject({ stage: 'auth', code: 'oauth_host_not_allowed' });
    expect(test.transcript).toEqual([]);
    const { id } = (await (await postMessage(tenant.id, invoice(tag))).json()) as { id: string };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'failed', route: 'tenant', attempts: 1 });
    expect(status.error).toMatchObject({ stage: 'auth', code: 'oauth_host_not_allowed' });
    // Not even refreshed: the token was never wanted for that server.
    expect((await stats('google')).refreshes).toBe(before.refreshes);
  });

  it('an access token the server refuses is not used again: the next try learns that the grant died', async () => {
    const tag = marker();
    const account = accountFor(tag);
    const { tenant, api } = await signedInTenant('microsoft', false, account);
    // Revoked at the provider: the stored access token still looks valid for the next hour.
    await revokeAtProvider('microsoft', account);
    const refused = (await (await api.post('/v1/mail-server/test')).json()) as TestResult;
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ stage: 'auth', code: 'auth_failed' });
    await vi.waitFor(async () => expect((await grantOf(tenant.id, 'microsoft'))!.accessCiphertext).toBeNull());
    const again = (await (await api.post('/v1/mail-server/test')).json()) as TestResult;
    if (!again.ok) expect(again.error).toMatchObject({ stage: 'auth', code: 'oauth_grant_invalid' });
    expect(again.ok).toBe(false);
  });

  it('an invoice refused with the stored token drops it too', async () => {
    const tag = marker();
    const account = accountFor(tag);
    const { tenant } = await signedInTenant('google', false, account);
    await revokeAtProvider('google', account);
    const first = (await (await postMessage(tenant.id, invoice(`${tag} a`))).json()) as { id: string };
    expect(await settled(tenant.id, first.id)).toMatchObject({ status: 'failed', error: { code: 'auth_failed' } });
    await vi.waitFor(async () => expect((await grantOf(tenant.id, 'google'))!.accessCiphertext).toBeNull());
    const second = (await (await postMessage(tenant.id, invoice(`${tag} b`))).json()) as { id: string };
    expect(await settled(tenant.id, second.id)).toMatchObject({
      status: 'failed',
      error: { stage: 'auth', code: 'oauth_grant_invalid' },
    });
  });

  it('a token endpoint that fails for now is a transient error and the next try refreshes', async () => {
    const tag = marker();
    const { tenant, api } = await signedInTenant('google', false, accountFor(tag));
    await expireAccessToken(tenant.id, 'google');
    await failNextTokenCalls('google', 1, 503);
    const first = (await (await api.post('/v1/mail-server/test')).json()) as TestResult;
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.error).toMatchObject({ stage: 'auth', code: 'oauth_token_unavailable' });
    expect((await grantOf(tenant.id, 'google'))!.invalidAt).toBeNull();
    const second = (await (await api.post('/v1/mail-server/test')).json()) as TestResult;
    expect(second.ok, JSON.stringify(second)).toBe(true);
  });
});
