import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { MailServerResponse, Problem } from '../../contract/index.ts';
import { createApp } from '../../api/app.ts';
import { defaultDeps } from '../../api/wiring.ts';
import { nestsDeeperThan } from '../../api/util/json-depth.ts';
import { call, clientFor, validSettings } from './helpers.ts';

async function problem(res: Response, status: number): Promise<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Problem;
}

/** PUTs `body` and returns the field errors as `{ path: code }`. */
async function fieldErrors(body: unknown, headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const api = await clientFor();
  const p = await problem(await api.put('/v1/mail-server', body, { headers }), 422);
  expect(p.code).toBe('validation_failed');
  // Nothing was stored.
  const after = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
  expect(after.configured).toBe(false);
  return Object.fromEntries(p.errors!.map((e) => [e.path, e.code]));
}

describe('validation: every rule names its field', () => {
  const cases: [string, unknown, Record<string, string>][] = [
    ['missing host', { ...validSettings, host: undefined }, { host: 'required' }],
    ['empty host', { ...validSettings, host: '  ' }, { host: 'required' }],
    ['host with spaces', { ...validSettings, host: 'smtp example.com' }, { host: 'host_invalid' }],
    ['host with scheme', { ...validSettings, host: 'smtp://mail.example.com' }, { host: 'host_invalid' }],
    ['host with CR/LF', { ...validSettings, host: 'smtp.example.com\r\nRCPT TO:<x@y.z>' }, { host: 'control_chars' }],
    ['host too long', { ...validSettings, host: `${'a'.repeat(250)}.com` }, { host: 'too_long' }],
    ['port 0', { ...validSettings, port: 0 }, { port: 'port_range' }],
    ['port 65536', { ...validSettings, port: 65536 }, { port: 'port_range' }],
    ['port fraction', { ...validSettings, port: 587.5 }, { port: 'port_range' }],
    ['port as text', { ...validSettings, port: '587' }, { port: 'port_range' }],
    ['unknown security', { ...validSettings, security: 'ssl' }, { security: 'security_invalid' }],
    [
      'unknown auth method',
      { ...validSettings, auth: { method: 'ntlm', username: 'u', password: 'p' } },
      { 'auth.method': 'auth_method_invalid' },
    ],
    [
      'sign-in without a provider, and with a password',
      { ...validSettings, auth: { method: 'xoauth2', username: 'u', password: 'p' } },
      { 'auth.provider': 'required', 'auth.password': 'unknown_field' },
    ],
    [
      'sign-in over an unencrypted connection',
      { ...validSettings, security: 'none', auth: { method: 'xoauth2', provider: 'google' } },
      { security: 'oauth_needs_tls' },
    ],
    [
      'sign-in with an unknown provider',
      { ...validSettings, auth: { method: 'xoauth2', provider: 'yahoo' } },
      { 'auth.provider': 'oauth_provider_invalid' },
    ],
    [
      'auth without username',
      { ...validSettings, auth: { method: 'login', password: 'p' } },
      { 'auth.username': 'username_required' },
    ],
    [
      'auth with empty password',
      { ...validSettings, auth: { method: 'login', username: 'u', password: '' } },
      { 'auth.password': 'password_required' },
    ],
    [
      'auth without any password stored',
      { ...validSettings, auth: { method: 'plain', username: 'u' } },
      { 'auth.password': 'password_required' },
    ],
    [
      'username too long',
      { ...validSettings, auth: { method: 'plain', username: 'u'.repeat(257), password: 'p' } },
      { 'auth.username': 'too_long' },
    ],
    [
      'password too long',
      { ...validSettings, auth: { method: 'plain', username: 'u', password: 'p'.repeat(1025) } },
      { 'auth.password': 'too_long' },
    ],
    [
      'password with LF',
      { ...validSettings, auth: { method: 'plain', username: 'u', password: 'a\nb' } },
      { 'auth.password': 'control_chars' },
    ],
    [
      'username with NUL',
      { ...validSettings, auth: { method: 'plain', username: 'u\u0000x', password: 'p' } },
      { 'auth.username': 'control_chars' },
    ],
    [
      'bad sender address',
      { ...validSettings, from: { address: 'not-an-address' } },
      { 'from.address': 'email_invalid' },
    ],
    [
      'sender address with CRLF',
      { ...validSettings, from: { address: 'a@b.de\r\nBcc: x@y.z' } },
      { 'from.address': 'control_chars' },
    ],
    ['sender name with LF', { ...validSettings, from: { name: 'Evil\nBcc: x@y.z' } }, { 'from.name': 'control_chars' }],
    ['sender name too long', { ...validSettings, from: { name: 'n'.repeat(201) } }, { 'from.name': 'too_long' }],
    ['bad reply-to', { ...validSettings, replyTo: 'a@@b.de' }, { replyTo: 'email_invalid' }],
    ['fallback not boolean', { ...validSettings, fallbackToSystem: 'yes' }, { fallbackToSystem: 'invalid_boolean' }],
    ['body not an object', [1, 2], { '': 'invalid_object' }],
    ['sender as an array', { ...validSettings, from: [] }, { from: 'invalid_object' }],
    ['sender as text', { ...validSettings, from: 'rechnung@example.com' }, { from: 'invalid_object' }],
    ['host as a number', { ...validSettings, host: 5 }, { host: 'invalid_type' }],
    ['auth as an array', { ...validSettings, auth: [] }, { auth: 'invalid_object' }],
    // JSON can spell half a UTF-16 surrogate pair; the database would refuse such text.
    [
      'user name with half a surrogate pair',
      { ...validSettings, auth: { method: 'plain', username: 'u\ud800', password: 'p' } },
      { 'auth.username': 'invalid_text' },
    ],
    [
      'sender name with a lone low surrogate',
      { ...validSettings, from: { name: 'a\udc00b' } },
      { 'from.name': 'invalid_text' },
    ],
    // A typo must not save a default silently (here: no fallback).
    ['misspelt field', { ...validSettings, fallbacktoSystem: true }, { fallbacktoSystem: 'unknown_field' }],
    [
      'unknown field in auth',
      { ...validSettings, auth: { method: 'plain', user: 'u', username: 'u', password: 'p' } },
      { 'auth.user': 'unknown_field' },
    ],
    [
      'unknown field in the sender',
      { ...validSettings, from: { adress: 'a@b.de' } },
      { 'from.adress': 'unknown_field' },
    ],
    [
      'untrusted certificate without TLS',
      { ...validSettings, security: 'none', allowUntrustedCertificate: true },
      { allowUntrustedCertificate: 'untrusted_certificate_needs_tls' },
    ],
  ];
  for (const [name, body, expected] of cases) {
    it(name, async () => {
      expect(await fieldErrors(body)).toEqual(expected);
    });
  }

  it('reports several fields at once', async () => {
    expect(await fieldErrors({ host: '', port: 99999, security: 'x', replyTo: 'nope' })).toEqual({
      host: 'required',
      port: 'port_range',
      security: 'security_invalid',
      replyTo: 'email_invalid',
    });
  });

  it('names the field a misspelt one probably meant, and takes the settings as GET returns them', async () => {
    const api = await clientFor();
    const en = await problem(
      await api.put(
        '/v1/mail-server',
        { ...validSettings, fallbacktoSystem: true },
        { headers: { 'accept-language': 'en' } },
      ),
      422,
    );
    expect(en.errors).toEqual([
      {
        path: 'fallbacktoSystem',
        code: 'unknown_field',
        message: 'There is no such field here. Did you mean "fallbackToSystem"?',
      },
    ]);
    const de = await problem(await api.put('/v1/mail-server', { ...validSettings, secruity: 'tls' }), 422);
    expect(de.errors).toContainEqual({
      path: 'secruity',
      code: 'unknown_field',
      message: 'Dieses Feld gibt es hier nicht. Meinten Sie „security“?',
    });
    // No guess when nothing is close.
    const far = await problem(
      await api.put('/v1/mail-server', { ...validSettings, colour: 'blue' }, { headers: { 'accept-language': 'en' } }),
      422,
    );
    expect(far.errors).toEqual([
      {
        path: 'colour',
        code: 'unknown_field',
        message: expect.stringMatching(/^There is no such field here\. Please check the spelling/),
      },
    ]);

    // `auth.passwordSet` is what GET returns: sending the settings back as they came is fine.
    const saved = (await (await api.put('/v1/mail-server', validSettings)).json()) as MailServerResponse;
    const again = await api.put('/v1/mail-server', saved.settings);
    expect(again.status).toBe(200);
    expect(((await again.json()) as MailServerResponse).settings?.auth).toMatchObject({ passwordSet: true });
  });

  it('refuses port 25 on Workers and says what to use instead', async () => {
    const api = await clientFor();
    const p = await problem(await api.put('/v1/mail-server', { ...validSettings, port: 25 }), 422);
    expect(p.errors).toEqual([{ path: 'port', code: 'port_blocked', message: expect.stringMatching(/587.*465/) }]);
  });

  it('refuses "always trust the certificate" on Workers with an explanation', async () => {
    const api = await clientFor();
    const p = await problem(
      await api.put(
        '/v1/mail-server',
        { ...validSettings, allowUntrustedCertificate: true },
        { headers: { 'accept-language': 'en' } },
      ),
      422,
    );
    expect(p.errors).toEqual([
      {
        path: 'allowUntrustedCertificate',
        code: 'untrusted_certificate_unsupported',
        message: expect.stringContaining('publicly trusted certificate'),
      },
    ]);
  });

  it('localizes messages: German by default, English on request', async () => {
    const api = await clientFor();
    const de = await problem(await api.put('/v1/mail-server', { ...validSettings, port: 0 }), 422);
    expect(de.title).toBe('Eingaben ungültig');
    expect(de.errors?.[0]?.message).toMatch(/ganze Zahl/);
    const en = await problem(
      await api.put(
        '/v1/mail-server',
        { ...validSettings, port: 0 },
        { headers: { 'accept-language': 'en-GB,en;q=0.9' } },
      ),
      422,
    );
    expect(en.title).toBe('Invalid input');
    expect(en.errors?.[0]?.message).toMatch(/whole number/);
  });
});

describe('malformed requests', () => {
  it('answers 400 for unparsable JSON', async () => {
    const api = await clientFor();
    const p = await problem(
      await api.put('/v1/mail-server', undefined, {
        rawBody: '{"host": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    expect(p.code).toBe('invalid_json');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const api = await clientFor();
    const p = await problem(
      await api.put('/v1/mail-server', undefined, {
        rawBody: 'host=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
    expect(p.code).toBe('unsupported_media_type');
  });

  it('answers 404 problem for unknown paths and never a 500 for odd input', async () => {
    const api = await clientFor();
    expect((await problem(await api.get('/v1/nope'), 404)).code).toBe('not_found');
    for (const body of [
      null,
      'text',
      42,
      { host: {} },
      { host: 'a.de', security: 'tls', auth: 'plain' },
      { host: 'a.de', security: 'tls', from: 'x' },
    ]) {
      const res = await api.put('/v1/mail-server', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
  });
});

describe('optimistic concurrency', () => {
  it('rejects a stale If-Match with 412 and keeps the newer settings', async () => {
    const api = await clientFor();
    const first = (await (await api.put('/v1/mail-server', validSettings)).json()) as MailServerResponse;
    const etag = `"${first.version}"`;
    const second = await api.put(
      '/v1/mail-server',
      { ...validSettings, host: 'second.example.com' },
      { headers: { 'if-match': etag } },
    );
    expect(second.status).toBe(200);
    const stale = await api.put(
      '/v1/mail-server',
      { ...validSettings, host: 'stale.example.com' },
      { headers: { 'if-match': etag } },
    );
    expect((await problem(stale, 412)).code).toBe('precondition_failed');
    const now = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(now.settings?.host).toBe('second.example.com');
    expect((await problem(await api.delete('/v1/mail-server', { headers: { 'if-match': etag } }), 412)).code).toBe(
      'precondition_failed',
    );
  });

  it('If-Match "0" creates only when nothing is configured', async () => {
    const api = await clientFor();
    expect((await api.put('/v1/mail-server', validSettings, { headers: { 'if-match': '"0"' } })).status).toBe(200);
    await problem(await api.put('/v1/mail-server', validSettings, { headers: { 'if-match': '"0"' } }), 412);
  });

  it('If-Match with a list matches when any of its ETags is the current one (also "0" for "not configured")', async () => {
    const api = await clientFor();
    const put = (ifMatch: string, host: string) =>
      api.put('/v1/mail-server', { ...validSettings, host }, { headers: { 'if-match': ifMatch } });
    // Nothing configured: a list with "0" creates, one without it does not.
    await problem(await put('"7", "8"', 'none.example.com'), 412);
    const created = (await (await put('"7", "0"', 'created.example.com')).json()) as MailServerResponse;
    expect(created.settings?.host).toBe('created.example.com');
    // Configured: the list must name the current version.
    await problem(await put('"0", "7"', 'stale.example.com'), 412);
    const changed = (await (
      await put(`"0", W/"7", "${created.version}"`, 'changed.example.com')
    ).json()) as MailServerResponse;
    expect(changed.settings?.host).toBe('changed.example.com');
    await problem(await put('"1", x', 'garbage.example.com'), 412);
    // DELETE alike.
    await problem(await api.delete('/v1/mail-server', { headers: { 'if-match': `"0", "${created.version}"` } }), 412);
    expect((await api.delete('/v1/mail-server', { headers: { 'if-match': `"1", "${changed.version}"` } })).status).toBe(
      204,
    );
    expect((await api.delete('/v1/mail-server', { headers: { 'if-match': '"5", "0"' } })).status).toBe(204);
    await problem(await api.delete('/v1/mail-server', { headers: { 'if-match': '"5"' } }), 412);
  });

  it('an If-Match of thousands of tags is a 412, not a 500 (each would be an SQL parameter)', async () => {
    const api = await clientFor();
    const saved = (await (await api.put('/v1/mail-server', validSettings)).json()) as MailServerResponse;
    const many = Array.from({ length: 40_000 }, (_, i) => `"${i}"`).join(',');
    await problem(await api.put('/v1/mail-server', validSettings, { headers: { 'if-match': many } }), 412);
    await problem(await api.delete('/v1/mail-server', { headers: { 'if-match': many } }), 412);
    // A short list with the current version still matches.
    expect(
      (await api.put('/v1/mail-server', validSettings, { headers: { 'if-match': `"1", "2", "${saved.version}"` } }))
        .status,
    ).toBe(200);
  });

  it('an ETag from before a reset never matches the new configuration', async () => {
    const api = await clientFor();
    const old = (await (await api.put('/v1/mail-server', validSettings)).json()) as MailServerResponse;
    await api.delete('/v1/mail-server');
    const recreated = (await (await api.put('/v1/mail-server', validSettings)).json()) as MailServerResponse;
    expect(recreated.version).not.toBe(old.version);
    await problem(
      await api.put('/v1/mail-server', validSettings, { headers: { 'if-match': `"${old.version}"` } }),
      412,
    );
  });
});

describe('health', () => {
  it('reports ok when the database answers and secrets are set', async () => {
    const res = await call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('request size', () => {
  it('a settings body over 64 KiB is a 413 problem and changes nothing, with or without a declared length', async () => {
    const api = await clientFor();
    const body = { ...validSettings, padding: 'x'.repeat(70 * 1024) };
    for (const headers of [{}, { 'transfer-encoding': 'chunked' }] as Record<string, string>[]) {
      const res = await api.put('/v1/mail-server', body, { headers });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as Problem).code).toBe('payload_too_large');
    }
    const test = await api.post('/v1/mail-server/test', body);
    expect(test.status).toBe(413);
    expect(((await (await api.get('/v1/mail-server')).json()) as MailServerResponse).configured).toBe(false);
  });
});

describe('request size, streamed', () => {
  it('a body without a length that never ends is refused with 413 after the first 64 KiB, not read to the end', async () => {
    const api = await clientFor();
    for (const [method, path] of [
      ['PUT', '/v1/mail-server'],
      ['POST', '/v1/mail-server/test'],
    ]) {
      let sent = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 16 * 1024;
          controller.enqueue(new Uint8Array(16 * 1024).fill(0x20)); // JSON whitespace, forever
        },
      });
      const res = await exports.default.fetch(
        new Request(`http://api.test${path}`, {
          method,
          headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
          body: endless,
          duplex: 'half',
        } as RequestInit),
      );
      expect(res.status, path).toBe(413);
      expect(((await res.json()) as Problem).code).toBe('payload_too_large');
      expect(sent).toBeLessThan(1024 * 1024);
    }
  });
});

describe('body encoding', () => {
  it('a body that is not UTF-8 is a 400 and changes nothing; a declared charset other than UTF-8 a 415', async () => {
    const api = await clientFor();
    const json = JSON.stringify({ ...validSettings, from: { address: 'rechnung@example.com', name: 'M\u00fcller' } });
    // The same JSON in Latin-1: ü is the single byte 0xFC, which UTF-8 never has alone.
    const latin1 = Uint8Array.from(json, (ch) => ch.charCodeAt(0));
    const request = (body: BodyInit, type: string) =>
      exports.default.fetch(
        new Request('http://api.test/v1/mail-server', {
          method: 'PUT',
          headers: { authorization: `Bearer ${api.token}`, 'content-type': type },
          body,
        }),
      );
    const bad = await request(latin1, 'application/json');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).code).toBe('invalid_encoding');
    expect((await request(json, 'application/json; charset=utf-16')).status).toBe(415);
    expect((await request(json, 'application/json; charset=ISO-8859-1')).status).toBe(415);
    expect(((await (await api.get('/v1/mail-server')).json()) as MailServerResponse).configured).toBe(false);
    // The test endpoint reads the same way, also a body without a declared length (built in-process).
    const test = await createApp(defaultDeps('workers')).request(
      new Request('http://api.test/v1/mail-server/test', {
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
        body: latin1,
      }),
      undefined,
      env,
    );
    expect(test.status).toBe(400);
    expect(((await test.json()) as Problem).code).toBe('invalid_encoding');
    // UTF-8, declared or not, quoted or not, is fine.
    expect((await request(json, 'application/json;charset="UTF-8"')).status).toBe(200);
    expect((await request(json, 'application/json; charset=UTF-8')).status).toBe(200);
    const saved = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(saved.settings?.from.name).toBe('Müller');
  });
});

describe('nesting', () => {
  it('a body nested deeper than 32 levels is a 400 before it is parsed; strings do not count', async () => {
    const api = await clientFor();
    const deep = `{"host":"smtp.example.com","security":"tls","x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const res = await call('PUT', '/v1/mail-server', {
      token: api.token,
      rawBody: deep,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).code).toBe('json_too_deep');
    expect(nestsDeeperThan(`{"a":${'['.repeat(32)}${']'.repeat(32)}}`, 32)).toBe(true);
    expect(nestsDeeperThan(`{"a":${'['.repeat(31)}${']'.repeat(31)}}`, 32)).toBe(false);
    expect(nestsDeeperThan(`{"a":"${'[{'.repeat(40)}"}`, 32)).toBe(false); // brackets inside a string do not count
    expect(nestsDeeperThan(`{"a\\\\":${'['.repeat(33)}${']'.repeat(33)}}`, 32)).toBe(true); // a string ending in an escaped backslash ends there
    expect(nestsDeeperThan(`{"a\\"${'['.repeat(40)}":1}`, 32)).toBe(false); // an escaped quote does not end the string
    // A settings body of the usual shape is fine.
    expect((await api.put('/v1/mail-server', validSettings)).status).toBe(200);
  });
});

describe('methods', () => {
  it('a known address with another method is a 405 naming the allowed ones; an unknown one a 404', async () => {
    const api = await clientFor();
    const cases: [string, string, string][] = [
      ['PATCH', '/v1/mail-server', 'GET, PUT, DELETE, HEAD, OPTIONS'],
      ['POST', '/v1/mail-server', 'GET, PUT, DELETE, HEAD, OPTIONS'],
      ['GET', '/v1/mail-server/test', 'POST, OPTIONS'],
      ['DELETE', '/v1/deliveries', 'GET, HEAD, OPTIONS'],
      ['POST', '/v1/tenants/t-1', 'PUT, OPTIONS'],
      ['GET', '/v1/tenants/t-1/messages', 'POST, OPTIONS'],
      ['DELETE', '/v1/tenants/t-1/messages/m-1', 'GET, HEAD, OPTIONS'],
    ];
    for (const [method, path, allow] of cases) {
      // Operator paths check the operator key first (401 without it), tenant paths the token.
      const auth = path.startsWith('/v1/tenants')
        ? { authorization: `Bearer ${env.OPERATOR_API_KEY}` }
        : { authorization: `Bearer ${api.token}` };
      const res = await call(method, path, { headers: { ...auth, 'accept-language': 'en' } });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as Problem).code).toBe('method_not_allowed');
    }
    expect((await call('HEAD', '/v1/mail-server', { token: api.token })).status).toBe(200); // as announced in Allow
    for (const [method, path] of [
      ['GET', '/v1/nothing'],
      ['PUT', '/v1/mail-server/test/x'],
      ['POST', '/dev/token'],
    ]) {
      expect((await call(method!, path!, { token: api.token })).status, `${method} ${path}`).toBe(404);
    }
  });
});
