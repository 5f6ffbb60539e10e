import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../contract/index.ts';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries } from '../../api/db/schema.ts';
import { marker } from './smtp-helpers.ts';
import { mailsWith, messageStatus, postMessage, settled, tenantWithServer } from './outbox-helpers.ts';

const mail = (tag: string, extra: Record<string, unknown> = {}) => ({
  kind: 'reminder',
  to: ['kunde@kunde.example.com'],
  subject: `Zahlungserinnerung ${tag}`,
  text: 'Bitte begleichen Sie die offene Rechnung.',
  ...extra,
});

async function send(tenantId: string, body: unknown, timeoutMs?: number) {
  const res = await postMessage(tenantId, body);
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  return settled(tenantId, id, timeoutMs);
}

describe('permanent and persistent failures', () => {
  it('5xx without fallback: failed, with stage, code and the server reply', async () => {
    const { tenant } = await tenantWithServer('relayDenied', { fallbackToSystem: false });
    const tag = marker();
    const status = await send(tenant.id, mail(tag));
    expect(status).toMatchObject({ status: 'failed', route: 'tenant', attempts: 1 });
    expect(status.error).toMatchObject({ stage: 'mail', responseCode: 550 });
    expect(status.error!.message).toBeTruthy();
    expect(status.error!.hint).toBeTruthy();
    expect(await mailsWith(tag)).toEqual([]);
  });

  it('5xx with fallback: the system relay takes over and the tenant error is kept', async () => {
    const { tenant } = await tenantWithServer('relayDenied', { fallbackToSystem: true });
    const tag = marker();
    const status = await send(tenant.id, mail(tag));
    expect(status).toMatchObject({ status: 'sent', route: 'system-fallback', error: null });
    expect(status.fallbackReason).toMatchObject({ stage: 'mail', code: expect.any(String) });
    expect(status.history).toMatchObject([
      { route: 'tenant', status: 'failed', error: { stage: 'mail', responseCode: 550 } },
      { route: 'system-fallback', status: 'sent', response: expect.stringMatching(/^250 /) },
    ]);
    const [received, ...more] = await mailsWith(tag);
    expect(more).toEqual([]);
    expect(received!.server).toBe('plain');
    expect(received!.parsed.from).toEqual([{ address: 'system@relay.example', name: tenant.name }]);
    expect(received!.parsed.replyTo).toEqual([{ address: `buchhaltung@${tenant.id}.example.com`, name: '' }]);
  });

  it('an unreachable tenant server is retried until the budget is spent, then failed', async () => {
    const { tenant } = await tenantWithServer('refused', { fallbackToSystem: false });
    const status = await send(tenant.id, mail(marker()));
    expect(status).toMatchObject({ status: 'failed', route: 'tenant', attempts: 4 }); // 1 + OUTBOX_RETRY_DELAYS (3)
    expect(status.error).toMatchObject({ stage: 'connect' });
  });

  it('an unreachable tenant server with fallback ends on the system relay after the budget', async () => {
    const { tenant } = await tenantWithServer('refused', { fallbackToSystem: true });
    const tag = marker();
    const status = await send(tenant.id, mail(tag));
    expect(status).toMatchObject({ status: 'sent', route: 'system-fallback', attempts: 4 });
    expect(status.fallbackReason).toMatchObject({ stage: 'connect' });
    expect(await mailsWith(tag)).toHaveLength(1);
  });

  it('a recipient refused for good fails the delivery, naming the recipient', async () => {
    const { tenant } = await tenantWithServer('rcptPerm', { fallbackToSystem: false });
    const status = await send(tenant.id, mail(marker()));
    expect(status).toMatchObject({ status: 'failed', route: 'tenant' });
    expect(status.error).toMatchObject({ stage: 'rcpt', responseCode: 550 });
  });
});

describe('limits and bad input change nothing', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      '51 recipients',
      {
        to: Array.from({ length: 30 }, (_, i) => `k${i}@x.example.com`),
        cc: Array.from({ length: 21 }, (_, i) => `c${i}@x.example.com`),
      },
      'to',
      'too_many_recipients',
    ],
    ['no recipient', { to: [] }, 'to', 'recipients_required'],
    ['bad recipient', { to: ['kunde@'] }, 'to.0', 'email_invalid'],
    ['recipient with CRLF', { to: ['a@b.example.com\r\nRCPT TO:<x@y.z>'] }, 'to.0', 'control_chars'],
    ['subject with LF', { subject: 'Rechnung\nBcc: x@y.z' }, 'subject', 'control_chars'],
    ['no body', { text: undefined }, 'text', 'body_required'],
    [
      'filename with CRLF',
      { attachments: [{ filename: 'a\r\n.pdf', contentType: 'application/pdf', content: 'AAAA' }] },
      'attachments.0.filename',
      'control_chars',
    ],
    [
      'filename with a path',
      { attachments: [{ filename: '../../etc/passwd', contentType: 'text/plain', content: 'AAAA' }] },
      'attachments.0.filename',
      'filename_invalid',
    ],
    [
      'filename with a right-to-left override',
      { attachments: [{ filename: 'rechnung\u202efdp.exe', contentType: 'application/pdf', content: 'AAAA' }] },
      'attachments.0.filename',
      'filename_invalid',
    ],
    [
      'filename with a C1 control',
      { attachments: [{ filename: 'a\u0085.pdf', contentType: 'application/pdf', content: 'AAAA' }] },
      'attachments.0.filename',
      'filename_invalid',
    ],
    [
      'filename that is an encoded word hiding a right-to-left override',
      {
        attachments: [
          { filename: '=?utf-8?q?rechnung=E2=80=AEfdp.exe?=', contentType: 'application/pdf', content: 'AAAA' },
        ],
      },
      'attachments.0.filename',
      'filename_invalid',
    ],
    [
      'filename of dots only',
      { attachments: [{ filename: '..', contentType: 'application/pdf', content: 'AAAA' }] },
      'attachments.0.filename',
      'filename_invalid',
    ],
    [
      '101 attachments',
      {
        attachments: Array.from({ length: 101 }, (_, i) => ({
          filename: `${i}.txt`,
          contentType: 'text/plain',
          content: 'AAAA',
        })),
      },
      'attachments',
      'too_many_attachments',
    ],
    [
      'content not base64',
      { attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: 'not base64!' }] },
      'attachments.0.content',
      'base64_invalid',
    ],
    [
      'bad content type',
      { attachments: [{ filename: 'a.pdf', contentType: 'pdf', content: 'AAAA' }] },
      'attachments.0.contentType',
      'content_type_invalid',
    ],
    ['unknown kind', { kind: 'spam' }, 'kind', 'kind_invalid'],
    // A misspelt key would otherwise send the invoice without its PDF.
    [
      'misspelt attachments',
      { attachements: [{ filename: 'a.pdf', contentType: 'application/pdf', content: 'AAAA' }] },
      'attachements',
      'unknown_field',
    ],
    [
      'unknown attachment field',
      { attachments: [{ fileName: 'a.pdf', filename: 'a.pdf', contentType: 'application/pdf', content: 'AAAA' }] },
      'attachments.0.fileName',
      'unknown_field',
    ],
  ];
  for (const [name, change, path, code] of cases) {
    it(name, async () => {
      const { tenant } = await tenantWithServer();
      const res = await postMessage(tenant.id, { ...mail('x'), ...change });
      expect(res.status).toBe(422);
      const problem = (await res.json()) as Problem;
      expect(problem.errors?.find((e) => e.path === path)?.code, JSON.stringify(problem.errors)).toBe(code);
      const rows = await getDatabase(env.DATABASE_URL!)
        .select()
        .from(deliveries)
        .where(eq(deliveries.tenantId, tenant.id));
      expect(rows).toEqual([]);
    });
  }

  it('more than 10 MiB of content, in attachments or in text, is a 413 that says so', async () => {
    const { tenant } = await tenantWithServer();
    const big = 'A'.repeat(Math.ceil((10 * 1024 * 1024 + 10) / 3) * 4);
    for (const change of [
      { attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', content: big }] },
      { text: 'x'.repeat(10.5 * 1024 * 1024) },
    ]) {
      const res = await postMessage(tenant.id, { ...mail('x'), ...change });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await res.json()) as Problem).toMatchObject({
        code: 'message_too_large',
        detail: expect.stringMatching(/10 MiB/),
      });
    }
    expect(
      await getDatabase(env.DATABASE_URL!).select().from(deliveries).where(eq(deliveries.tenantId, tenant.id)),
    ).toEqual([]);
  });

  it('without the operator key, or with a wrong one: 401 that names the key', async () => {
    const { tenant } = await tenantWithServer();
    for (const authorization of [undefined, 'Bearer wrong-key']) {
      const res = await exports.default.fetch(
        new Request(`http://api.test/v1/tenants/${tenant.id}/messages`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': crypto.randomUUID(),
            'accept-language': 'en',
            ...(authorization ? { authorization } : {}),
          },
          body: JSON.stringify(mail('x')),
        }),
      );
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mail-server-settings-operator"');
      expect((await res.json()) as Problem).toMatchObject({
        code: 'operator_unauthorized',
        detail: expect.stringContaining('OPERATOR_API_KEY'),
      });
    }
  });

  it('a message just under 10 MiB is stored and arrives intact', { timeout: 70_000 }, async () => {
    const { tenant } = await tenantWithServer();
    const tag = marker();
    const bytes = Uint8Array.from({ length: 9.5 * 1024 * 1024 }, (_, i) => (i * 31 + 7) % 256);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const content = btoa(binary);
    const status = await send(
      tenant.id,
      { ...mail(tag), attachments: [{ filename: 'scan.bin', contentType: 'application/octet-stream', content }] },
      60_000,
    );
    expect(status.status).toBe('sent');
    const [received] = await mailsWith(tag);
    expect(received!.parsed.attachments[0]!.size).toBe(bytes.length);
    expect(received!.parsed.attachments[0]!.content === content).toBe(true);
  });

  it('a body far over the limit is refused before it is parsed', async () => {
    const { tenant } = await tenantWithServer();
    const res = await postMessage(tenant.id, { ...mail('x'), text: 'x'.repeat(16 * 1024 * 1024) });
    expect(res.status).toBe(413);
  });

  it('Idempotency-Key is required and must be visible ASCII', async () => {
    const { tenant } = await tenantWithServer();
    const missing = await exports.default.fetch(
      new Request(`http://api.test/v1/tenants/${tenant.id}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.OPERATOR_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(mail('x')),
      }),
    );
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as Problem).errors).toEqual([
      { path: 'Idempotency-Key', code: 'required', message: expect.any(String) },
    ]);
    const bad = await postMessage(tenant.id, mail('x'), 'with space');
    expect(((await bad.json()) as Problem).errors?.[0]?.code).toBe('idempotency_key_invalid');
  });

  it('an unknown tenant is a 404 that says how to create it', async () => {
    const res = await postMessage('no-such-tenant', mail('x'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as Problem).code).toBe('tenant_not_found');
  });

  it('a tenant id of spaces, with spaces around it, or not well URL-encoded, is refused', async () => {
    for (const id of ['%20', '%20abc', 'abc%20', '%E2%82', '50%', '%zz']) {
      const res = await exports.default.fetch(
        new Request(`http://api.test/v1/tenants/${id}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${env.OPERATOR_API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Leer GmbH', email: 'office@leer.example.com' }),
        }),
      );
      expect(res.status).toBe(422);
      expect(((await res.json()) as Problem).errors?.[0]).toMatchObject({ path: 'tenantId', code: 'invalid_value' });
    }
  });

  it('a message status of another tenant is not found', async () => {
    const a = await tenantWithServer();
    const b = await tenantWithServer();
    const { id } = (await (await postMessage(a.tenant.id, mail(marker()))).json()) as { id: string };
    await settled(a.tenant.id, id);
    const res = await exports.default.fetch(
      new Request(`http://api.test/v1/tenants/${b.tenant.id}/messages/${id}`, {
        headers: { authorization: `Bearer ${env.OPERATOR_API_KEY}` },
      }),
    );
    expect(res.status).toBe(404);
    expect((await messageStatus(a.tenant.id, id)).status).toBe('sent');
  });

  it('a test send is not a message of the host application: not found there', async () => {
    const { tenant, api } = await tenantWithServer('starttls');
    const test = await api.post('/v1/mail-server/test');
    expect(test.status).toBe(200);
    const listed = (await (await api.get('/v1/deliveries')).json()) as { deliveries: { id: string; kind: string }[] };
    const id = listed.deliveries.find((d) => d.kind === 'test')!.id;
    const res = await exports.default.fetch(
      new Request(`http://api.test/v1/tenants/${tenant.id}/messages/${id}`, {
        headers: { authorization: `Bearer ${env.OPERATOR_API_KEY}` },
      }),
    );
    expect(res.status).toBe(404);
  });
});
