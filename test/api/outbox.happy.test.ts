import { eq } from 'drizzle-orm';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { DeliveriesResponse } from '../../contract/index.ts';
import { deliveries } from '../../api/db/schema.ts';
import { messageInputSchema } from '../../api/features/tenants/schema.ts';
import { sha256Hex } from '../../api/util/sha256.ts';
import { fixtures, leakForms, marker } from './smtp-helpers.ts';
import { db, mailsWith, pdfBytes, postMessage, settled, tenantWithServer, toBase64 } from './outbox-helpers.ts';

const invoice = (tag: string, extra: Record<string, unknown> = {}) => ({
  kind: 'invoice',
  to: ['kunde@kunde.example.com'],
  subject: `Rechnung 2026-117 für Jürgen ${tag}`,
  text: 'Sehr geehrter Herr Müller, anbei Ihre Rechnung.',
  html: '<p>Sehr geehrter Herr Müller, anbei Ihre <b>Rechnung</b>.</p>',
  attachments: [
    { filename: 'Rechnung 2026-117 Müller.pdf', contentType: 'application/pdf', content: toBase64(pdfBytes()) },
  ],
  reference: 'INV-2026-117',
  ...extra,
});

describe('invoice sending', () => {
  it('goes through the tenant server: From, Reply-To and envelope are the tenant, the PDF arrives byte-identical', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const res = await postMessage(tenant.id, invoice(tag));
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; status: string };
    expect(accepted.status).toBe('queued');

    const status = await settled(tenant.id, accepted.id);
    expect(status).toMatchObject({ status: 'sent', route: 'tenant', attempts: 1, error: null });
    expect(status.response).toMatch(/^250 /);
    expect(status.sentAt).toBeTruthy();

    const [mail, ...more] = await mailsWith(tag);
    expect(more).toEqual([]);
    expect(mail!.server).toBe('starttls');
    expect(mail!.secure).toBe(true);
    expect(mail!.envelope.mailFrom).toBe(`rechnung@${tenant.id}.example.com`);
    expect(mail!.envelope.rcptTo).toEqual(['kunde@kunde.example.com']);
    expect(mail!.parsed.from).toEqual([{ address: `rechnung@${tenant.id}.example.com`, name: 'Müller & Söhne GmbH' }]);
    expect(mail!.parsed.replyTo).toEqual([{ address: `buchhaltung@${tenant.id}.example.com`, name: '' }]);
    expect(mail!.parsed.messageId).toBe(status.messageId);
    expect(mail!.parsed.attachments).toHaveLength(1);
    expect(mail!.parsed.attachments[0]).toMatchObject({
      filename: 'Rechnung 2026-117 Müller.pdf',
      contentType: 'application/pdf',
    });
    expect(mail!.parsed.attachments[0]!.content).toBe(toBase64(pdfBytes()));
  });

  it('goes through the system relay without a configuration: system From with the tenant name, tenant as Reply-To', async () => {
    const { tenant } = await tenantWithServer();
    const tag = marker();
    const { id } = (await (await postMessage(tenant.id, invoice(tag))).json()) as { id: string };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'system' });
    const [mail] = await mailsWith(tag);
    expect(mail!.server).toBe('plain');
    expect(mail!.envelope.mailFrom).toBe('system@relay.example');
    expect(mail!.parsed.from).toEqual([{ address: 'system@relay.example', name: tenant.name }]);
    expect(mail!.parsed.replyTo).toEqual([{ address: tenant.email, name: '' }]);
    expect(mail!.parsed.attachments[0]!.content).toBe(toBase64(pdfBytes()));
  });

  it('a server that says the password back in its final reply: the stored and shown reply has *** instead', async () => {
    const { tenant, api } = await tenantWithServer('echoesPassword');
    const { id } = (await (await postMessage(tenant.id, invoice(marker()))).json()) as { id: string };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({
      status: 'sent',
      route: 'tenant',
      response: `250 2.0.0 Ok: queued for ${fixtures().username} with password ***`,
    });
    const listed = await (await api.get('/v1/deliveries')).text();
    for (const form of leakForms(fixtures().password, fixtures().username)) {
      expect(JSON.stringify(status)).not.toContain(form);
      expect(listed).not.toContain(form);
    }
  });

  it('the same Idempotency-Key returns the same id and sends nothing new; another body with it is refused', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const key = `inv-${tag}`;
    const first = (await (await postMessage(tenant.id, invoice(tag), key)).json()) as { id: string };
    await settled(tenant.id, first.id);
    const again = await postMessage(tenant.id, invoice(tag), key);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ id: first.id, status: 'sent' });
    const other = await postMessage(tenant.id, invoice(tag, { subject: `changed ${tag}` }), key);
    expect(other.status).toBe(422);
    expect(((await other.json()) as { code: string }).code).toBe('idempotency_conflict');
    // Neither request started another attempt: the delivery is as the first send left it.
    expect(await settled(tenant.id, first.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await mailsWith(tag)).toHaveLength(1);
  });

  it('a message stored with the hash of its input serialised again (before bodies were hashed as sent) still matches its body', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const key = `inv-${tag}`;
    const body = invoice(tag);
    const first = (await (await postMessage(tenant.id, body, key)).json()) as { id: string };
    const legacy = await sha256Hex(JSON.stringify(v.parse(messageInputSchema, body)));
    await db().update(deliveries).set({ requestHash: legacy }).where(eq(deliveries.id, first.id));
    const again = await postMessage(tenant.id, body, key);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    const other = await postMessage(tenant.id, invoice(tag, { subject: `changed ${tag}` }), key);
    expect(((await other.json()) as { code: string }).code).toBe('idempotency_conflict');
    await settled(tenant.id, first.id);
    expect(await mailsWith(tag)).toHaveLength(1);
  });

  it('a 4xx is retried and then succeeds; recipients already accepted are not sent again', async () => {
    const { tenant } = await tenantWithServer('flaky');
    const tag = marker();
    const later = `later-${crypto.randomUUID().slice(0, 6)}@kunde.example.com`;
    const body = invoice(tag, { to: ['sofort@kunde.example.com', later] });
    const { id } = (await (await postMessage(tenant.id, body)).json()) as { id: string };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'tenant', attempts: 2 });
    expect(status.acceptedRecipients.sort()).toEqual(['sofort@kunde.example.com', later].sort());
    // Every attempt kept the server's reply.
    expect(status.history).toMatchObject([
      {
        route: 'tenant',
        status: 'retrying',
        response: expect.stringMatching(/^250 /),
        error: { stage: 'rcpt', code: 'recipients_rejected' },
      },
      { route: 'tenant', status: 'sent', response: expect.stringMatching(/^250 /), error: null },
    ]);
    const mails = await mailsWith(tag);
    expect(mails.map((m) => m.envelope.rcptTo)).toEqual([['sofort@kunde.example.com'], [later]]);
    expect(new Set(mails.map((m) => m.parsed.messageId))).toEqual(new Set([status.messageId]));
  });

  it('the tenant sees its own deliveries, newest first, with paging and without bodies', async () => {
    const { tenant, api } = await tenantWithServer('starttls');
    const tag = marker();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = (await (await postMessage(tenant.id, invoice(`${tag}-${i}`))).json()) as { id: string };
      ids.push(id);
      await settled(tenant.id, id);
    }
    const page1 = (await (await api.get('/v1/deliveries?limit=2')).json()) as DeliveriesResponse;
    expect(page1.deliveries.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = (await (
      await api.get(`/v1/deliveries?limit=2&cursor=${page1.nextCursor}`)
    ).json()) as DeliveriesResponse;
    expect(page2.deliveries.map((d) => d.id)).toEqual([ids[0]]);
    expect(page2.nextCursor).toBeNull();
    expect(page1.deliveries[0]).toMatchObject({
      kind: 'invoice',
      status: 'sent',
      route: 'tenant',
      recipients: ['kunde@kunde.example.com'],
    });
    const text = JSON.stringify(page1);
    expect(text).not.toContain('anbei Ihre');
    expect(text).not.toContain(toBase64(pdfBytes()).slice(0, 40));
  });
});
