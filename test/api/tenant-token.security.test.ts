// Tenant tokens beyond signature and expiry: at most an hour between iat and exp (configurable), and
// the audience and issuer the deployment names, each refused with its own problem code.
import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import type { Problem } from '../../contract/index.ts';
import { defaultDeps } from '../../api/wiring.ts';
import { newTenant } from './helpers.ts';

const app = createApp(defaultDeps('workers'));
const secret = (env as { TENANT_TOKEN_SECRET: string }).TENANT_TOKEN_SECRET;
const now = () => Math.floor(Date.now() / 1000);

async function read(claims: Record<string, unknown>, bindings: Partial<Bindings> = {}) {
  const tenant = newTenant();
  const token = await sign({ sub: tenant.id, email: tenant.email, name: tenant.name, ...claims }, secret, 'HS256');
  const res = await app.request(
    '/v1/mail-server',
    { headers: { authorization: `Bearer ${token}` } },
    {
      ...env,
      ...bindings,
    },
  );
  return { status: res.status, code: res.status === 200 ? null : ((await res.json()) as Problem).code, res };
}

describe('token lifetime', () => {
  it('takes exp − iat up to an hour by default, refuses longer with token_lifetime_too_long', async () => {
    const iat = now();
    expect((await read({ iat, exp: iat + 3600 })).status).toBe(200);
    const long = await read({ iat, exp: iat + 3601 });
    expect(long).toMatchObject({ status: 401, code: 'token_lifetime_too_long' });
    expect(long.res.headers.get('www-authenticate')).toBe('Bearer realm="mail-server-settings", error="invalid_token"');
    expect(await read({ iat, exp: iat + 30 * 86_400 })).toMatchObject({ status: 401, code: 'token_lifetime_too_long' });
  });

  it('refuses a token without iat (its lifetime is unknown)', async () => {
    expect(await read({ exp: now() + 60 })).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('follows TENANT_TOKEN_MAX_LIFETIME; a value that is not a number of seconds keeps the hour', async () => {
    const iat = now();
    const short = { TENANT_TOKEN_MAX_LIFETIME: '600' };
    expect((await read({ iat, exp: iat + 600 }, short)).status).toBe(200);
    expect(await read({ iat, exp: iat + 601 }, short)).toMatchObject({ status: 401, code: 'token_lifetime_too_long' });
    for (const value of ['0', '-5', 'forever', '1e9'])
      expect((await read({ iat, exp: iat + 3601 }, { TENANT_TOKEN_MAX_LIFETIME: value })).status, value).toBe(401);
  });
});

describe('audience and issuer', () => {
  const iat = now();
  const valid = { iat, exp: iat + 600 };
  const policy = { TENANT_TOKEN_AUDIENCE: 'mail-server-settings', TENANT_TOKEN_ISSUER: 'https://portal.example' };
  const iss = policy.TENANT_TOKEN_ISSUER;

  it('are not checked unless configured', async () => {
    expect((await read({ ...valid, aud: 'anything', iss: 'anyone' })).status).toBe(200);
  });

  it('when configured, a token naming both is taken (aud as a string or in an array)', async () => {
    expect((await read({ ...valid, aud: 'mail-server-settings', iss }, policy)).status).toBe(200);
    expect((await read({ ...valid, aud: ['billing', 'mail-server-settings'], iss }, policy)).status).toBe(200);
  });

  it('when configured, a missing or other aud is token_audience_mismatch', async () => {
    for (const aud of [undefined, 'billing', ['billing'], 'MAIL-SERVER-SETTINGS'])
      expect(await read({ ...valid, aud, iss }, policy), String(aud)).toMatchObject({
        status: 401,
        code: 'token_audience_mismatch',
      });
  });

  it('when configured, a missing or other iss is token_issuer_mismatch', async () => {
    for (const other of [undefined, 'https://evil.example', ['https://portal.example']])
      expect(await read({ ...valid, aud: 'mail-server-settings', iss: other }, policy), String(other)).toMatchObject({
        status: 401,
        code: 'token_issuer_mismatch',
      });
  });

  it('/dev/token mints what the deployment demands, and no longer than it allows', async () => {
    const bindings = { ...env, ...policy, TENANT_TOKEN_MAX_LIFETIME: '900' };
    const minted = await app.request('/dev/token?tenant=dev-aud&email=a@b.example.com', {}, bindings);
    const { token } = (await minted.json()) as { token: string };
    const res = await app.request('/v1/mail-server', { headers: { authorization: `Bearer ${token}` } }, bindings);
    expect(res.status).toBe(200);
    const tooLong = await app.request('/dev/token?tenant=dev-aud&email=a@b.example.com&ttl=901', {}, bindings);
    expect(tooLong.status).toBe(422);
  });
});
