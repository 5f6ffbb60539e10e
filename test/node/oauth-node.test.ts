// Signing in with the provider on Node (api/node/service.ts): the same flow as in workerd, with the
// in-process outbox, against the local authorization servers and the XOAUTH2 SMTP fixture.
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import { eq } from 'drizzle-orm';
import { oauthGrants, type TenantIdentity } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { createNodeService } from '../../api/node/service.ts';
import type { MailServerResponse, OAuthStartResponse, TestResult } from '../../contract/index.ts';
import { nodeTestEnv } from '../support/node-env.ts';

const fixtures = inject('smtpFixtures');
const oauth = inject('oauth');
const PORTAL = 'https://portal.example';
const env: Bindings = nodeTestEnv(inject('dbUrl'), fixtures, {
  ENVIRONMENT: 'test',
  ALLOWED_ORIGINS: PORTAL,
  OUTBOX_RETRY_DELAYS: '0,0,0',
  PUBLIC_URL: 'https://api.test.example',
  ...oauth.microsoft.env,
  ...oauth.google.env,
});
const service = createNodeService(env);
afterAll(() => service.close());

function call(method: string, path: string, options: { token?: string; operator?: boolean; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'accept-language': 'en', origin: PORTAL, 'idempotency-key': randomUUID() };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.operator) headers.authorization = `Bearer ${env.OPERATOR_API_KEY}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return service.app.request(path.startsWith('http') ? path : `http://api.test${path}`, { method, headers, body }, env);
}

async function newTenant() {
  const id = `node-oauth-${randomUUID().slice(0, 8)}`;
  const tenant: TenantIdentity = { id, email: `owner@${id}.example.com`, name: `Firma ${id}` };
  expect(
    (await call('PUT', `/v1/tenants/${id}`, { operator: true, body: { name: tenant.name, email: tenant.email } }))
      .status,
  ).toBe(200);
  return { tenant, token: await mintTenantToken(env.TENANT_TOKEN_SECRET!, tenant) };
}

const refreshes = async (provider: 'microsoft' | 'google') =>
  ((await (await fetch(`${oauth[provider].url}/__control/stats`)).json()) as { refreshes: number }).refreshes;

describe('sign-in with the provider on Node', () => {
  it('signs in, saves, tests and sends an invoice through XOAUTH2; a refresh when the token runs out', async () => {
    // Everything the service logs during the flow: no token may be in it.
    const logged: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(' '));
      });
    }
    const { tenant, token } = await newTenant();
    const account = `buchhaltung-${tenant.id}@firma.example`;
    const started = await call('POST', '/v1/mail-server/oauth/start', {
      token,
      body: { provider: 'microsoft', loginHint: account },
    });
    expect(started.status, await started.clone().text()).toBe(200);
    const { authorizationUrl, binding } = (await started.json()) as OAuthStartResponse;
    const atProvider = await fetch(authorizationUrl, { redirect: 'manual' });
    expect(atProvider.status).toBe(302);
    const page = await call('GET', atProvider.headers.get('location')!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`"account":"${account}"`);
    const completion = /"completion":"([\w-]{43})"/.exec(html)![1];
    const done = await call('POST', '/v1/mail-server/oauth/complete', { token, body: { binding, completion } });
    expect(done.status, await done.clone().text()).toBe(200);

    const put = await call('PUT', '/v1/mail-server', {
      token,
      body: {
        host: fixtures.host,
        port: fixtures.ports.xoauth2,
        security: 'starttls',
        // The fixtures' test CA is no CA this process trusts: the saved server's certificate is pinned.
        allowUntrustedCertificate: true,
        trustedCertificateSha256: new X509Certificate(
          readFileSync(new URL('../fixtures/tls/server.pem', import.meta.url)),
        ).fingerprint256,
        auth: { method: 'xoauth2', provider: 'microsoft' },
      },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(((await put.json()) as MailServerResponse).settings!.auth).toMatchObject({ connected: true, account });

    const test = (await (await call('POST', '/v1/mail-server/test', { token })).json()) as TestResult;
    expect(test.ok, JSON.stringify(test)).toBe(true);
    expect(test.transcript.map((l) => l.line)).toContain('AUTH XOAUTH2 [redacted]');

    // The access token now lasts less than two minutes: the invoice's send refreshes it first.
    await service
      .db()
      .update(oauthGrants)
      .set({ accessExpiresAt: new Date(Date.now() + 60_000) })
      .where(eq(oauthGrants.tenantId, tenant.id));
    const before = await refreshes('microsoft');
    const res = await call('POST', `/v1/tenants/${tenant.id}/messages`, {
      operator: true,
      body: { kind: 'invoice', to: ['kunde@kunde.example.com'], subject: `Rechnung ${tenant.id}`, text: 'Anbei.' },
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await service.outbox.idle();
    const status = (await (
      await call('GET', `/v1/tenants/${tenant.id}/messages/${id}`, { operator: true })
    ).json()) as {
      status: string;
      route: string;
    };
    expect(status).toMatchObject({ status: 'sent', route: 'tenant' });
    expect(await refreshes('microsoft')).toBe(before + 1);
    vi.restoreAllMocks();
    expect(logged.join('\n')).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}\./);
  });
});
