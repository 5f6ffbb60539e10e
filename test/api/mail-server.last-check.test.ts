// GET /v1/mail-server's lastCheck (issue #19): the latest verify or test of exactly the saved
// settings, a draft's check counting once it is saved as it was. In the Worker the check is recorded
// after the response (waitUntil), so the tests wait for GET to show it.
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import type { LastCheck, MailServerResponse, TestResult } from '../../contract/index.ts';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries, mailServerChecks, mailServers } from '../../api/db/schema.ts';
import { type Post, stallDraft, stalledCheck } from '../support/check-cancel.ts';
import { clientFor } from './helpers.ts';
import { fixtures, leakForms, starttlsDraftFor } from './smtp-helpers.ts';

type Api = Awaited<ReturnType<typeof clientFor>>;

const draftFor = (name: 'starttls' | 'relayDenied', password = fixtures().password) => {
  const draft = starttlsDraftFor(name);
  return { ...draft, auth: { ...draft.auth, password } };
};

const db = () => getDatabase((env as { DATABASE_URL: string }).DATABASE_URL);

async function lastCheck(api: Api, lang = 'de'): Promise<LastCheck | null> {
  const res = await api.get('/v1/mail-server', { headers: { 'accept-language': lang } });
  expect(res.status).toBe(200);
  return ((await res.json()) as MailServerResponse).lastCheck;
}

/** GET once it shows a check of this kind (recorded after the check's response). */
const shownCheck = (api: Api, kind: LastCheck['kind'], lang = 'de') =>
  vi.waitFor(
    async () => {
      const check = await lastCheck(api, lang);
      if (check?.kind !== kind) throw new Error(`no ${kind} shown yet: ${JSON.stringify(check)}`);
      return check;
    },
    { timeout: 2_000, interval: 10 },
  );

async function save(api: Api, body: unknown) {
  const res = await api.put('/v1/mail-server', body);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as MailServerResponse;
}

/** The widget's Save: verify the draft, then save it as it is. */
async function verifyThenSave(api: Api, draft = draftFor('starttls')) {
  const verified = await api.post('/v1/mail-server/verify', draft);
  expect(verified.status).toBe(200);
  expect(((await verified.json()) as { ok: boolean }).ok).toBe(true);
  await save(api, draft);
  return shownCheck(api, 'verify');
}

describe('GET /v1/mail-server lastCheck', () => {
  it('is null before any check; a verified draft, once saved, shows its verify', async () => {
    const api = await clientFor();
    expect(await lastCheck(api)).toBeNull();
    const check = await verifyThenSave(api);
    expect(check).toEqual({ ok: true, at: expect.any(String), kind: 'verify' });
    expect(Number.isNaN(Date.parse(check.at))).toBe(false);
    // The PUT answers the same shape.
    expect((await save(api, draftFor('starttls'))).lastCheck).toEqual(check);
  });

  it('a failing test of the saved settings: ok false, with its code and message in the request’s language', async () => {
    const api = await clientFor();
    await save(api, draftFor('relayDenied'));
    const res = await api.post('/v1/mail-server/test', undefined, { headers: { 'accept-language': 'en' } });
    const tested = (await res.json()) as TestResult;
    expect(tested.ok).toBe(false);
    if (tested.ok) return;
    const en = await shownCheck(api, 'test', 'en');
    expect(en).toEqual({
      ok: false,
      at: expect.any(String),
      kind: 'test',
      error: { code: tested.error.code, message: tested.error.message },
    });
    const de = await lastCheck(api, 'de');
    expect(de?.error?.code).toBe(tested.error.code);
    expect(de?.error?.message).not.toBe(tested.error.message);
  });

  it('a test of the saved settings replaces their verify', async () => {
    const api = await clientFor();
    await verifyThenSave(api);
    expect((await api.post('/v1/mail-server/test')).status).toBe(200);
    expect(await shownCheck(api, 'test')).toMatchObject({ ok: true, kind: 'test' });
  });

  it('is null once the password changes (same server), and after a reset even for the same settings', async () => {
    const changed = await clientFor();
    await verifyThenSave(changed);
    expect((await save(changed, draftFor('starttls', 'ein-anderes-Passwort'))).lastCheck).toBeNull();
    expect(await lastCheck(changed)).toBeNull();
    // Back to the checked password: the check is of exactly these settings again.
    await save(changed, draftFor('starttls'));
    expect(await lastCheck(changed)).toMatchObject({ ok: true, kind: 'verify' });

    const reset = await clientFor();
    await verifyThenSave(reset);
    expect((await reset.delete('/v1/mail-server')).status).toBe(204);
    expect(await lastCheck(reset)).toBeNull();
    await save(reset, draftFor('starttls'));
    expect(await lastCheck(reset)).toBeNull();
  });

  it('another tenant saving the very same settings never sees the check', async () => {
    const one = await clientFor();
    await verifyThenSave(one);
    const other = await clientFor();
    expect((await save(other, draftFor('starttls'))).lastCheck).toBeNull();
    expect(await lastCheck(other)).toBeNull();
  });

  it('a cancelled check records nothing, even once its draft is saved', async () => {
    const api = await clientFor();
    const post: Post = (path, body, headers) => api.post(path, body, headers ? { headers } : {});
    const check = await stalledCheck(post, fixtures(), 'verify');
    expect((await post(`/v1/mail-server/checks/${check.id}/cancel`)).status).toBe(204);
    // The session's own end is recorded after the response (it fills in the subject): wait for it.
    await vi.waitFor(
      async () => {
        const [row] = await db().select().from(deliveries).where(eq(deliveries.id, check.id));
        if (!row?.subject) throw new Error('the session’s end is not recorded yet');
      },
      { timeout: 2_000, interval: 10 },
    );
    expect((await save(api, stallDraft(fixtures(), check.from))).lastCheck).toBeNull();
  });

  it('stores the password only sealed and as a keyed MAC: never in clear, never its plain SHA-256', async () => {
    const api = await clientFor();
    await verifyThenSave(api);
    const { password, username } = fixtures();
    const [row] = await db().select().from(mailServers).where(eq(mailServers.tenantId, api.tenant.id));
    const checks = await db().select().from(mailServerChecks).where(eq(mailServerChecks.tenantId, api.tenant.id));
    expect(row?.passwordMac).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const sha256 = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(password)));
    const hex = [...sha256].map((b) => b.toString(16).padStart(2, '0')).join('');
    const stored = JSON.stringify([row, checks]);
    for (const plain of [hex, hex.toUpperCase(), btoa(String.fromCharCode(...sha256))])
      expect(stored).not.toContain(plain);
    for (const form of leakForms(password, username)) expect(stored).not.toContain(form);
    expect(checks).toHaveLength(1);
  });
});
