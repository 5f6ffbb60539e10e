import { env } from 'cloudflare:workers';
import { createClient } from '@libsql/client/web';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql/web';
import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { describe, expect, inject, it, vi } from 'vitest';
import { createApp } from '../../api/app.ts';
import type { MailServerResponse, Problem } from '../../contract/index.ts';
import { SecretBox } from '../../api/crypto/secret-box.ts';
import { retryingWhenBusy } from '../../api/db/busy-retry.ts';
import { getDatabase } from '../../api/db/client.ts';
import { mailServers } from '../../api/db/schema.ts';
import { fetchWithTimeout, isDatabaseUnavailable } from '../../api/db/unavailable.ts';
import { defaultDeps } from '../../api/wiring.ts';
import type { AppEnv } from '../../api/http/context.ts';
import { onError } from '../../api/http/problem.ts';
import { errorSummary } from '../../api/util/error-summary.ts';
import { call, clientFor, newTenant, tokenFor, validSettings } from './helpers.ts';
import { fixtures } from './smtp-helpers.ts';

const db = () => getDatabase(env.DATABASE_URL!);
const rawRow = async (tenantId: string) =>
  (await db().select().from(mailServers).where(eq(mailServers.tenantId, tenantId)))[0];
const PASSWORD = validSettings.auth.password;

describe('tenant tokens', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({ sub: 'tok-tenant', email: 'a@b.example.com', name: 'A', exp: now() + 60 });

  const cases: [string, () => Promise<Record<string, string>>][] = [
    ['no Authorization header', async () => ({})],
    ['not a bearer token', async () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
    ['garbage token', async () => ({ authorization: 'Bearer not.a.jwt' })],
    [
      'expired token',
      async () => ({
        authorization: `Bearer ${await sign({ ...claims(), exp: now() - 10 }, env.TENANT_TOKEN_SECRET!, 'HS256')}`,
      }),
    ],
    [
      'forged signature',
      async () => ({ authorization: `Bearer ${await sign(claims(), 'some-other-secret', 'HS256')}` }),
    ],
    [
      'other algorithm',
      async () => ({ authorization: `Bearer ${await sign(claims(), env.TENANT_TOKEN_SECRET!, 'HS512')}` }),
    ],
    [
      'token without exp',
      async () => {
        const { exp: _exp, ...rest } = claims();
        return { authorization: `Bearer ${await sign(rest, env.TENANT_TOKEN_SECRET!, 'HS256')}` };
      },
    ],
    [
      'token without email',
      async () => ({
        authorization: `Bearer ${await sign({ ...claims(), email: undefined }, env.TENANT_TOKEN_SECRET!, 'HS256')}`,
      }),
    ],
    [
      'token without sub',
      async () => ({
        authorization: `Bearer ${await sign({ ...claims(), sub: '' }, env.TENANT_TOKEN_SECRET!, 'HS256')}`,
      }),
    ],
    [
      'sub with half a surrogate pair',
      async () => ({
        authorization: `Bearer ${await sign({ ...claims(), sub: 'tenant-\ud800' }, env.TENANT_TOKEN_SECRET!, 'HS256')}`,
      }),
    ],
    [
      'token issued two minutes ahead',
      async () => ({
        authorization: `Bearer ${await sign({ ...claims(), iat: now() + 120 }, env.TENANT_TOKEN_SECRET!, 'HS256')}`,
      }),
    ],
    [
      'token valid only from two minutes ahead',
      async () => ({
        authorization: `Bearer ${await sign({ ...claims(), nbf: now() + 120 }, env.TENANT_TOKEN_SECRET!, 'HS256')}`,
      }),
    ],
    [
      'iat that is not a number',
      async () => ({
        authorization: `Bearer ${await sign({ ...claims(), iat: 'now' } as unknown as Parameters<typeof sign>[0], env.TENANT_TOKEN_SECRET!, 'HS256')}`,
      }),
    ],
  ];
  for (const [name, headers] of cases) {
    it(`401 for ${name}`, async () => {
      for (const [method, body] of [
        ['GET', undefined],
        ['PUT', validSettings],
        ['DELETE', undefined],
      ] as const) {
        const res = await call(method, '/v1/mail-server', { headers: await headers(), body });
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        // RFC 6750: without credentials the challenge alone, with a bad one the error code too.
        if (name === 'no Authorization header' || name === 'not a bearer token')
          expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mail-server-settings"');
        else
          expect(res.headers.get('www-authenticate')).toBe(
            'Bearer realm="mail-server-settings", error="invalid_token"',
          );
        expect(((await res.json()) as Problem).code).toBe('unauthorized');
      }
    });
  }
});

describe('clock skew', () => {
  it("a token issued, or valid from, up to a minute ahead of this clock is taken (the portal's clock may run ahead)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const tenant = newTenant();
    for (const extra of [{ iat: now + 30 }, { iat: now, nbf: now + 30 }]) {
      const token = await sign(
        { sub: tenant.id, email: tenant.email, name: tenant.name, exp: now + 600, ...extra },
        env.TENANT_TOKEN_SECRET!,
        'HS256',
      );
      expect((await call('GET', '/v1/mail-server', { token })).status).toBe(200);
    }
  });
});

describe('the name claim', () => {
  it('is cut at 200 UTF-16 units without halving a character; a lone half is replaced, not stored', async () => {
    for (const [name, stored] of [
      [`${'A'.repeat(199)}😀`, 'A'.repeat(199)],
      [`${'B'.repeat(198)}😀x`, `${'B'.repeat(198)}😀`],
      ['Müller \ud800 GmbH', 'Müller \ufffd GmbH'],
    ]) {
      const api = await clientFor(newTenant({ name }));
      const res = await api.get('/v1/mail-server');
      expect(res.status, await res.clone().text()).toBe(200);
      expect(((await res.json()) as MailServerResponse).effective.from.name).toBe(stored);
    }
  });
});

describe('the password', () => {
  it('is stored encrypted, never returned, kept on omit and cleared on null', async () => {
    const api = await clientFor();
    const saved = await api.put('/v1/mail-server', validSettings);
    const text = await saved.text();
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('password"');

    const row = (await rawRow(api.tenant.id))!;
    expect(row.passwordCiphertext).toBeTruthy();
    expect(row.passwordKeyId).toBe('t1');
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
    expect(JSON.stringify(row)).not.toContain(btoa(unescape(encodeURIComponent(PASSWORD))));
    const box = await SecretBox.fromConfig(env.SETTINGS_ENCRYPTION_KEY!);
    const sealed = { ciphertext: row.passwordCiphertext!, iv: row.passwordIv!, keyId: row.passwordKeyId! };
    expect(await box.open(sealed, api.tenant.id)).toBe(PASSWORD);

    // Omitted: kept (same ciphertext) while host (in any letter case), port and user name stay.
    const { password: _p, ...authWithoutPassword } = validSettings.auth;
    const keptRes = await api.put('/v1/mail-server', {
      ...validSettings,
      host: 'SMTP.Example.com',
      auth: authWithoutPassword,
    });
    const kept = (await keptRes.json()) as MailServerResponse;
    expect(keptRes.status, JSON.stringify(kept)).toBe(200);
    expect(kept.settings?.auth).toMatchObject({ passwordSet: true });
    expect((await rawRow(api.tenant.id))!.passwordCiphertext).toBe(row.passwordCiphertext);
    // Another encrypted mode on the same server keeps it too.
    const tlsRes = await api.put('/v1/mail-server', {
      ...validSettings,
      host: 'SMTP.Example.com',
      security: 'tls',
      port: 587,
      auth: authWithoutPassword,
    });
    expect(tlsRes.status).toBe(200);
    expect((await rawRow(api.tenant.id))!.passwordCiphertext).toBe(row.passwordCiphertext);
    expect(
      (await api.put('/v1/mail-server', { ...validSettings, host: 'SMTP.Example.com', auth: authWithoutPassword }))
        .status,
    ).toBe(200);

    // Omitted for another server (host, port or user name changed) or with encryption switched
    // off: refused, nothing changes, so the stored password can never be sent to a server it was
    // not entered for, nor in clear text when it was entered for an encrypted connection.
    for (const other of [
      { ...validSettings, host: 'other.example.com', auth: authWithoutPassword },
      { ...validSettings, port: 465, auth: authWithoutPassword },
      { ...validSettings, auth: { ...authWithoutPassword, username: 'someone-else@example.com' } },
      { ...validSettings, security: 'none', auth: authWithoutPassword },
    ]) {
      const res = await api.put('/v1/mail-server', other);
      expect(res.status, JSON.stringify(other)).toBe(422);
      expect(((await res.json()) as Problem).errors).toEqual([
        { path: 'auth.password', code: 'password_required_for_new_server', message: expect.any(String) },
      ]);
      expect(await rawRow(api.tenant.id)).toMatchObject({
        host: 'SMTP.Example.com',
        port: 587,
        passwordCiphertext: row.passwordCiphertext,
      });
    }

    // null with authentication still chosen: refused, nothing changes.
    const refused = await api.put('/v1/mail-server', {
      ...validSettings,
      auth: { ...authWithoutPassword, password: null },
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as Problem).errors).toEqual([
      { path: 'auth.password', code: 'password_required', message: expect.any(String) },
    ]);
    expect((await rawRow(api.tenant.id))!.passwordCiphertext).toBe(row.passwordCiphertext);

    // Saved with CRAM-MD5 and no encryption (the password never travels): switching to PLAIN or
    // LOGIN would send it readable, so it must be typed again; CRAM-MD5 kept is fine.
    const cram = { ...validSettings, security: 'none', auth: { ...validSettings.auth, method: 'cram-md5' } };
    expect((await api.put('/v1/mail-server', cram)).status).toBe(200);
    const cramRow = (await rawRow(api.tenant.id))!;
    for (const method of ['plain', 'login']) {
      const res = await api.put('/v1/mail-server', { ...cram, auth: { ...authWithoutPassword, method } });
      expect(res.status, method).toBe(422);
      expect(((await res.json()) as Problem).errors).toEqual([
        { path: 'auth.password', code: 'password_required_for_new_server', message: expect.any(String) },
      ]);
      expect((await rawRow(api.tenant.id))!.authMethod).toBe('cram-md5');
    }
    expect(
      (await api.put('/v1/mail-server', { ...cram, auth: { ...authWithoutPassword, method: 'cram-md5' } })).status,
    ).toBe(200);
    expect((await rawRow(api.tenant.id))!.passwordCiphertext).toBe(cramRow.passwordCiphertext);
    expect(
      (await api.put('/v1/mail-server', { ...validSettings, host: 'SMTP.Example.com', auth: authWithoutPassword }))
        .status,
    ).toBe(200);

    // null together with "no authentication": cleared, and the user name too.
    const cleared = (await (
      await api.put('/v1/mail-server', { ...validSettings, auth: { method: 'none', password: null } })
    ).json()) as MailServerResponse;
    expect(cleared.settings?.auth).toEqual({ method: 'none', username: null, passwordSet: false });
    const clearedRow = (await rawRow(api.tenant.id))!;
    expect([clearedRow.passwordCiphertext, clearedRow.passwordIv, clearedRow.username]).toEqual([null, null, null]);
  });

  it('a ciphertext copied to another tenant does not decrypt', async () => {
    const a = await clientFor();
    await a.put('/v1/mail-server', validSettings);
    const row = (await rawRow(a.tenant.id))!;
    const box = await SecretBox.fromConfig(env.SETTINGS_ENCRYPTION_KEY!);
    const sealed = { ciphertext: row.passwordCiphertext!, iv: row.passwordIv!, keyId: row.passwordKeyId! };
    await expect(box.open(sealed, 'another-tenant')).rejects.toThrow();
  });

  it('a stored password that no longer decrypts (copied row, key dropped): a test is a 422 asking for it again, not a 500', async () => {
    const a = await clientFor();
    const b = await clientFor();
    await a.put('/v1/mail-server', validSettings);
    await b.put('/v1/mail-server', { ...validSettings, auth: { ...validSettings.auth, password: 'anderes-Passwort' } });
    const row = (await rawRow(a.tenant.id))!;
    await db()
      .update(mailServers)
      .set({ passwordCiphertext: row.passwordCiphertext, passwordIv: row.passwordIv, passwordKeyId: row.passwordKeyId })
      .where(eq(mailServers.tenantId, b.tenant.id));
    const logs: string[] = [];
    const spy = vi
      .spyOn(console, 'error')
      .mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
    try {
      const {
        auth: { password: _password, ...authWithoutPassword },
      } = validSettings;
      for (const body of [undefined, { ...validSettings, auth: authWithoutPassword }]) {
        const res = await b.post('/v1/mail-server/test', body, { headers: { 'accept-language': 'en' } });
        expect(res.status).toBe(422);
        expect(((await res.json()) as Problem).errors).toEqual([
          {
            path: 'auth.password',
            code: 'password_unreadable',
            message: expect.stringMatching(/can no longer be decrypted.*enter the password again/),
          },
        ]);
      }
    } finally {
      spy.mockRestore();
    }
    expect(logs).toEqual([]);
    // Nothing was tested, so nothing counts against the limit.
    const listed = (await (await b.get('/v1/deliveries')).json()) as { deliveries: unknown[] };
    expect(listed.deliveries).toEqual([]);
  });

  it('two keys with one id are refused (a rotation that reused the id would make the old key unreachable)', async () => {
    const random = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await expect(SecretBox.fromConfig(`k2:${random()},k2:${random()}`)).rejects.toThrow(/two keys with the id "k2"/);
    await expect(SecretBox.fromConfig(`${random()},k1:${random()}`)).rejects.toThrow(/two keys with the id "k1"/);
    const app = createApp(defaultDeps('workers'));
    const res = await app.request('/healthz', {}, { ...env, SETTINGS_ENCRYPTION_KEY: `k2:${random()},k2:${random()}` });
    expect(await res.json()).toMatchObject({ ok: false, missing: ['SETTINGS_ENCRYPTION_KEY (invalid)'] });
  });

  it('old keys still decrypt after rotation; new secrets use the new key', async () => {
    const oldKey = env.SETTINGS_ENCRYPTION_KEY!;
    const rotated = await SecretBox.fromConfig(
      `t2:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))},${oldKey}`,
    );
    const sealedOld = await (await SecretBox.fromConfig(oldKey)).seal('geheim', 'x');
    expect(await rotated.open(sealedOld, 'x')).toBe('geheim');
    expect((await rotated.seal('neu', 'x')).keyId).toBe('t2');
  });

  it('never appears in log lines, even when a request fails with a database error (503, 500)', async () => {
    const logs: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' '))),
    );
    const api = await clientFor();
    let ciphertext = '';
    const responses: Response[] = [];
    try {
      await api.put('/v1/mail-server', validSettings);
      await api.put('/v1/mail-server', { ...validSettings, port: 0 });
      await api.put('/v1/mail-server', {
        ...validSettings,
        auth: { ...validSettings.auth, password: `${PASSWORD}\n` },
      });
      ciphertext = (await rawRow(api.tenant.id))!.passwordCiphertext!;

      // The real app with its database gone mid-request: the save (password sealed) fails with a 503.
      const app = createApp(defaultDeps('workers'));
      responses.push(
        await app.request(
          '/v1/mail-server',
          {
            method: 'PUT',
            headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(validSettings),
          },
          { ...env, DATABASE_URL: 'http://127.0.0.1:9' },
        ),
      );

      // A statement that really fails in the database while its parameters hold the stored
      // ciphertext (the tenant's row inserted again: the key is taken). drizzle puts the
      // parameters into the error's message; the app's error handler must not log them.
      const probe = new Hono<AppEnv>().onError(onError).put('/probe', async (c) => {
        await db()
          .insert(mailServers)
          .values((await rawRow(api.tenant.id))!);
        return c.body(null, 204);
      });
      responses.push(await probe.request('/probe', { method: 'PUT' }, env));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const text = logs.join('\n');
    expect(text).toContain('database unavailable on PUT /v1/mail-server');
    expect(text).toMatch(
      /unhandled error on PUT \/probe: DrizzleQueryError \[SQLITE_CONSTRAINT[A-Z_]*\]: Failed query: insert into "mail_servers"/,
    );
    expect(text).not.toContain(PASSWORD);
    expect(ciphertext).toBeTruthy();
    expect(text).not.toContain(ciphertext);
    expect(text).not.toContain(api.tenant.id);
    expect(text).not.toMatch(/params/i);
    for (const [i, res] of responses.entries()) {
      expect(res.status).toBe(i === 0 ? 503 : 500);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = await res.text();
      expect(Object.keys(JSON.parse(body)).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
      expect(JSON.parse(body).code).toBe(i === 0 ? 'database_unavailable' : 'internal');
      for (const internal of [ciphertext, PASSWORD, 'Failed query', 'params', 'mail_servers', '127.0.0.1', 'at '])
        expect(body).not.toContain(internal);
    }
  });

  it('error log lines keep the class, a code and the first message line without parameters', () => {
    const drizzleLike = Object.assign(
      new (class DrizzleQueryError extends Error {})(
        'Failed query: insert into "x" values (?, ?)\nparams: geheim,secret',
      ),
      {
        cause: Object.assign(new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: x.id'), {
          code: 'SQLITE_CONSTRAINT',
        }),
      },
    );
    expect(errorSummary(drizzleLike)).toBe(
      'DrizzleQueryError [SQLITE_CONSTRAINT]: Failed query: insert into "x" values (?, ?)',
    );
    expect(errorSummary(new TypeError('bad thing params: geheim'))).toBe('TypeError: bad thing');
    expect(
      errorSummary(Object.assign(new Error('Connection refused'), { code: 'ECONNREFUSED', params: ['geheim'] })),
    ).toBe('Error [ECONNREFUSED]: Connection refused');
    expect(errorSummary('a string\nsecond line geheim')).toBe('string: a string');
  });
});

describe('tenant isolation', () => {
  it('tenant A never sees or changes tenant B', async () => {
    const a = await clientFor();
    const b = await clientFor();
    await a.put('/v1/mail-server', { ...validSettings, host: 'a.example.com' });
    const bView = (await (await b.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(bView.configured).toBe(false);

    await b.put('/v1/mail-server', { ...validSettings, host: 'b.example.com' });
    await b.delete('/v1/mail-server');
    const aView = (await (await a.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(aView.settings?.host).toBe('a.example.com');
    // B's ETag cannot be used to overwrite A either: each request works on the token's tenant only.
    expect((await rawRow(a.tenant.id))!.host).toBe('a.example.com');
  });

  it('the tenant profile follows the token claims', async () => {
    const tenant = newTenant();
    const first = await clientFor(tenant);
    await first.get('/v1/mail-server');
    const renamed = await clientFor({ ...tenant, name: 'Neuer Name GmbH', email: 'neu@firma.example.com' });
    const view = (await (await renamed.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(view.effective).toMatchObject({ from: { name: 'Neuer Name GmbH' }, replyTo: 'neu@firma.example.com' });
  });
});

describe('environment boundaries', () => {
  // The pool's webhook receiver is a local http URL, which production refuses: no webhooks here.
  const production = {
    ...env,
    ENVIRONMENT: 'production',
    ALLOWED_ORIGINS: 'https://portal.example',
    WEBHOOK_URL: undefined,
    WEBHOOK_SECRET: undefined,
  };
  const app = createApp(defaultDeps('workers'));

  it('/dev/token exists only in development', async () => {
    expect((await app.request('/dev/token?tenant=x&email=a@b.example.com', {}, env)).status).toBe(200);
    const res = await app.request('/dev/token?tenant=x&email=a@b.example.com', {}, production);
    expect(res.status).toBe(404);
  });

  it('/dev/db-ping (one SELECT 1 to the database, for the benchmark) exists only in development', async () => {
    expect(await (await call('GET', '/dev/db-ping')).json()).toEqual({ ok: true });
    expect((await app.request('/dev/db-ping', {}, production)).status).toBe(404);
    // A database that does not answer is a 503, not a 500.
    const away = await app.request('/dev/db-ping', {}, { ...env, DATABASE_URL: 'http://127.0.0.1:1' });
    expect(away.status).toBe(503);
    expect(await away.json()).toMatchObject({ code: 'database_unavailable' });
  });

  it('in development (ALLOWED_ORIGINS=*), /dev/token answers pages on this machine only; the API any origin', async () => {
    const development = { ...env, ENVIRONMENT: 'development', ALLOWED_ORIGINS: '*' };
    const allowed = async (path: string, origin: string) =>
      (await app.request(path, { headers: { origin } }, development)).headers.get('access-control-allow-origin');
    const mint = '/dev/token?tenant=x&email=a@b.example.com';
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://[::1]:3000'])
      expect(await allowed(mint, origin), origin).toBe(origin);
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null'])
      expect(await allowed(mint, origin), origin).toBeNull();
    expect(await allowed('/healthz', 'https://evil.example')).toBe('https://evil.example');
  });

  it('CORS allows only the configured origins', async () => {
    const preflight = (origin: string) =>
      app.request(
        '/v1/mail-server',
        { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT' } },
        production,
      );
    expect((await preflight('https://portal.example')).headers.get('access-control-allow-origin')).toBe(
      'https://portal.example',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses loopback, private and link-local hosts unless ALLOW_PRIVATE_HOSTS=true', async () => {
    const token = await tokenFor(newTenant());
    // Also spelled so that only IDNA mapping shows it is loopback (full-width and circled letters).
    for (const host of [
      'localhost',
      '127.0.0.1',
      '10.1.2.3',
      '192.168.0.10',
      '169.254.169.254',
      '[::1]',
      'fd00::1',
      'ｌｏｃａｌｈｏｓｔ.',
      'ⓛⓞⓒⓐⓛⓗⓞⓢⓣ.',
      'LOCALHOST.',
    ]) {
      const res = await app.request(
        '/v1/mail-server',
        {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...validSettings, host }),
        },
        { ...production, ALLOW_PRIVATE_HOSTS: undefined },
      );
      expect(res.status, host).toBe(422);
      expect(((await res.json()) as Problem).errors).toEqual([
        { path: 'host', code: 'host_private', message: expect.any(String) },
      ]);
    }
  });

  it.each([
    ['no SETTINGS_ENCRYPTION_KEY', undefined],
    ['a SETTINGS_ENCRYPTION_KEY that is no key', 'not-a-key'],
  ])('a save with a password and %s is a 503 and stores nothing', async (_, key) => {
    const tenant = newTenant();
    const res = await app.request(
      '/v1/mail-server',
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${await tokenFor(tenant)}`, 'content-type': 'application/json' },
        body: JSON.stringify(validSettings),
      },
      { ...env, SETTINGS_ENCRYPTION_KEY: key },
    );
    expect(res.status).toBe(503);
    expect(((await res.json()) as Problem).code).toBe('service_unavailable');
    expect(await rawRow(tenant.id)).toBeUndefined();
  });

  it('healthz names missing secrets without their values', async () => {
    const res = await app.request(
      '/healthz',
      {},
      { ...env, TENANT_TOKEN_SECRET: '', SETTINGS_ENCRYPTION_KEY: undefined },
    );
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({
      ok: false,
      missing: ['TENANT_TOKEN_SECRET', 'SETTINGS_ENCRYPTION_KEY'],
      database: 'ok',
    });
    expect(body).not.toContain(env.DATABASE_URL!);
  });

  it('healthz names a missing operator key and system relay URL too, never any value', async () => {
    const res = await app.request('/healthz', {}, { ...env, OPERATOR_API_KEY: '', SYSTEM_SMTP_URL: undefined });
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ ok: false, missing: ['OPERATOR_API_KEY', 'SYSTEM_SMTP_URL'], database: 'ok' });
    for (const value of [
      env.DATABASE_URL!,
      env.TENANT_TOKEN_SECRET!,
      env.SETTINGS_ENCRYPTION_KEY!,
      env.OPERATOR_API_KEY!,
      env.SYSTEM_SMTP_URL!,
    ]) {
      expect(body).not.toContain(value);
    }
  });

  it('healthz names a system relay URL that cannot be used (bad percent-encoding, unknown auth), never its value', async () => {
    for (const url of ['smtps://relay:p%zz@relay.example', 'smtps://relay:secret@relay.example?auth=xoauth2']) {
      const res = await app.request('/healthz', {}, { ...env, SYSTEM_SMTP_URL: url });
      expect(res.status).toBe(503);
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({ ok: false, missing: ['SYSTEM_SMTP_URL (invalid)'], database: 'ok' });
      expect(body).not.toContain('relay.example');
    }
  });

  it('healthz reports an unreachable database as 503', async () => {
    const res = await app.request('/healthz', {}, { ...env, DATABASE_URL: 'http://127.0.0.1:9' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, database: 'unreachable' });
  });

  it('healthz answers within seconds when the database takes the call but never answers', async () => {
    const started = Date.now();
    const res = await app.request(
      '/healthz',
      {},
      { ...env, DATABASE_URL: `http://127.0.0.1:${fixtures().ports.silent}` },
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, database: 'unreachable' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('an API call while the database is unreachable is a 503 that says so, with Retry-After', async () => {
    const token = await tokenFor(newTenant());
    for (const lang of ['de', 'en']) {
      const res = await app.request(
        '/v1/mail-server',
        { headers: { authorization: `Bearer ${token}`, 'accept-language': lang } },
        { ...env, DATABASE_URL: 'http://127.0.0.1:9' },
      );
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('5');
      const problem = (await res.json()) as Problem;
      expect(problem).toMatchObject({ status: 503, code: 'database_unavailable' });
      expect(problem.detail).toMatch(lang === 'de' ? /Datenbank/ : /database/);
    }
  });

  it('a database connection lost halfway through its answer is a 503 too', async () => {
    const token = await tokenFor(newTenant());
    const res = await app.request(
      '/v1/mail-server',
      { headers: { authorization: `Bearer ${token}` } },
      { ...env, DATABASE_URL: `http://127.0.0.1:${inject('brokenDatabasePort')}` },
    );
    expect(res.status).toBe(503);
    expect(((await res.json()) as Problem).code).toBe('database_unavailable');
  });

  it('a database call that gets no answer gives up, as the database being unavailable', async () => {
    const db = drizzle(
      retryingWhenBusy(
        createClient({ url: `http://127.0.0.1:${fixtures().ports.silent}`, fetch: fetchWithTimeout(300) }),
      ),
    );
    const error = await db.run(sql`select 1`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});
