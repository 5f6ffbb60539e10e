// A long batch opens its sessions again (a dropped connection, a new slot): the access token the
// batch started with may have expired by then. Such a session asks for a token valid then; before,
// it logged in with the expired one and the invoice failed with auth_failed.
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Bindings } from '../../api/config/bindings.ts';
import { parseConfig } from '../../api/config/config.ts';
import { mailServers } from '../../api/db/schema.ts';
import { accessTokenContext } from '../../api/oauth/access-token.ts';
import { smtpSettingsFromRow } from '../../api/sending/credentials.ts';
import { openSender } from '../../api/smtp/pool.ts';
import type { SmtpSettings } from '../../api/smtp/types.ts';
import { db, mailsArrived, tenantWithServer } from './outbox-helpers.ts';
import { expireAccessToken, revokeAtProvider, signIn, stats } from './oauth-helpers.ts';
import { marker } from './smtp-helpers.ts';

/** The settings a batch resolved at its start, for a tenant signed in with Google as `account`. */
async function batchSettings(account: string) {
  const { tenant, api } = await tenantWithServer('xoauth2', {
    security: 'starttls',
    auth: { method: 'xoauth2', provider: 'google' },
  });
  expect((await signIn(api, 'google', { loginHint: account })).status).toBe(200);
  const [row] = await db().select().from(mailServers).where(eq(mailServers.tenantId, tenant.id));
  const ctx = await accessTokenContext({ db: db(), config: parseConfig(env as Bindings), now: () => new Date() });
  const credentials = await smtpSettingsFromRow(row!, ctx);
  if (!credentials.ok) throw new Error(`no settings: ${credentials.error.code}`);
  await credentials.stored;
  return { tenant, settings: credentials.settings };
}

/** The same settings as a session opened after the start token's time: an invalid token, past its use. */
const later = (settings: SmtpSettings): SmtpSettings => ({
  ...settings,
  auth: { ...settings.auth, accessToken: 'an-expired-token', accessTokenUsableUntil: Date.now() - 1 },
});

const send = (settings: SmtpSettings, subject: string) => {
  const sender = openSender(settings, { runtime: 'workers', clientName: 'firma.example' });
  return sender
    .send({
      from: { address: 'rechnung@firma.example', name: 'Firma' },
      to: ['kunde@kunde.example.com'],
      subject,
      text: 'Anbei.',
    })
    .finally(() => sender.close());
};

describe('a later session of a long batch with a sign-in', () => {
  it('gets a token valid then (one refresh) and sends', async () => {
    const tag = marker();
    const { tenant, settings } = await batchSettings(`renew-${tag.slice(1)}@firma.example`);
    await expireAccessToken(tenant.id, 'google');
    const before = (await stats('google')).refreshes!;
    const result = await send(later(settings), `Rechnung ${tag}`);
    expect(result).toMatchObject({ ok: true });
    expect(await mailsArrived(tag, 1)).toHaveLength(1);
    expect((await stats('google')).refreshes).toBe(before + 1);
    expect(JSON.stringify(result)).not.toContain(settings.auth.accessToken!);
  });

  it('uses the token it has while that is still valid (no refresh)', async () => {
    const tag = marker();
    const { settings } = await batchSettings(`keep-${tag.slice(1)}@firma.example`);
    const before = (await stats('google')).refreshes!;
    expect(await send(settings, `Rechnung ${tag}`)).toMatchObject({ ok: true });
    expect((await stats('google')).refreshes).toBe(before);
  });

  it('fails as a dead sign-in (oauth_grant_invalid), not as a refused login, when the grant was revoked', async () => {
    const tag = marker();
    const account = `revoked-${tag.slice(1)}@firma.example`;
    const { tenant, settings } = await batchSettings(account);
    await revokeAtProvider('google', account);
    await expireAccessToken(tenant.id, 'google');
    const result = await send(later(settings), `Rechnung ${tag}`);
    expect(result).toMatchObject({
      ok: false,
      error: { stage: 'auth', code: 'oauth_grant_invalid', transient: false },
    });
  });
});
