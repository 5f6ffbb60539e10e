// The integration guide's TypeScript examples against the real API: the typed client's operator
// calls (a route whose types change breaks their type check) and a token minted with jose.
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { defaultDeps } from '../../api/wiring.ts';
import { mintTenantToken } from '../../examples/mint-tenant-token.ts';
import { messageStatus, operatorClient, sendInvoice, upsertTenant } from '../../examples/typed-client.ts';
import { BASE, newTenant } from './helpers.ts';
import { settled } from './outbox-helpers.ts';
import { marker } from './smtp-helpers.ts';

const api = operatorClient(BASE, env.OPERATOR_API_KEY!, (input, init) =>
  exports.default.fetch(new Request(input, init)),
);

describe('typed client example', () => {
  it('upserts a tenant, sends an invoice and reads its status', async () => {
    const tenant = newTenant();
    expect(await upsertTenant(api, tenant.id, tenant.name, tenant.email)).toEqual({
      id: tenant.id,
      name: tenant.name,
      email: tenant.email,
    });
    const invoiceNumber = marker();
    const accepted = await sendInvoice(api, tenant.id, invoiceNumber, 'kunde@kunde.example.com', 'JVBERi0xLjQK');
    expect(accepted.status).toBe('queued');
    // The same invoice again is the same mail (the idempotency key is derived from its number).
    expect((await sendInvoice(api, tenant.id, invoiceNumber, 'kunde@kunde.example.com', 'JVBERi0xLjQK')).id).toBe(
      accepted.id,
    );
    await settled(tenant.id, accepted.id);
    const status = await messageStatus(api, tenant.id, accepted.id);
    expect(status).toMatchObject({ id: accepted.id, kind: 'invoice', status: 'sent', route: 'system' });
    expect(status.response).toMatch(/^250 /);
  });

  it('throws with the status when the API refuses (an unknown tenant)', async () => {
    await expect(sendInvoice(api, newTenant().id, marker(), 'kunde@kunde.example.com', 'JVBERi0xLjQK')).rejects.toThrow(
      'HTTP 404',
    );
  });
});

describe('token minting example', () => {
  const app = createApp(defaultDeps('workers'));
  const read = async (token: string, policy: Record<string, string> = {}) =>
    app.request('/v1/mail-server', { headers: { authorization: `Bearer ${token}` } }, { ...env, ...policy });

  it('mints a token the API takes, also where audience and issuer are demanded', async () => {
    const token = await mintTenantToken(env.TENANT_TOKEN_SECRET!, newTenant());
    expect((await read(token)).status).toBe(200);
    const policy = { TENANT_TOKEN_AUDIENCE: 'mail-server-settings', TENANT_TOKEN_ISSUER: 'https://portal.example' };
    expect((await read(token, policy)).status).toBe(200);
    // The policy is really checked: another deployment's audience refuses this token.
    expect((await read(token, { TENANT_TOKEN_AUDIENCE: 'billing' })).status).toBe(401);
  });

  it('is refused when signed with another secret', async () => {
    expect((await read(await mintTenantToken('another-secret', newTenant()))).status).toBe(401);
  });
});
