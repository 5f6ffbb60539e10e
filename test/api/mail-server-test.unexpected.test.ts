// POST /v1/mail-server/test reserves a `deliveries` row (status `sending`) before it sends. When
// sending throws instead of reporting an SMTP error (a bug, a runtime failure), that row must
// still end `failed`, never stay `sending`.
import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries, tenants } from '../../api/db/schema.ts';
import type { OutgoingMessage, SendResult } from '../../api/mail/types.ts';
import { sendAndRecordTest } from '../../api/routes/mail-server-test.ts';
import { newTenant } from './helpers.ts';

const db = () => getDatabase(env.DATABASE_URL!);

async function reservedTest() {
  const tenant = newTenant();
  const id = crypto.randomUUID();
  const now = new Date();
  await db().insert(tenants).values({ id: tenant.id, name: tenant.name, email: tenant.email, createdAt: now, updatedAt: now });
  await db()
    .insert(deliveries)
    .values({ id, tenantId: tenant.id, kind: 'test', status: 'sending', route: 'tenant', recipients: { to: [tenant.email], cc: [], bcc: [] }, subject: '', attempts: 0, createdAt: now });
  const message: OutgoingMessage = {
    from: { address: tenant.email, name: tenant.name },
    replyTo: tenant.email,
    to: [{ address: tenant.email, name: tenant.name }],
    subject: `Testnachricht ${id}`,
    text: 'Test',
    date: now,
  };
  const row = async () => (await db().select().from(deliveries).where(and(eq(deliveries.id, id), eq(deliveries.tenantId, tenant.id))))[0]!;
  return { tenant, id, message, row };
}

describe('the test row always ends sent or failed', () => {
  it('sending throws: the row ends failed (unknown) and the error goes on to the 500 handler', async () => {
    const { tenant, id, message, row } = await reservedTest();
    const boom = new Error('engine exploded');
    await expect(sendAndRecordTest(db(), tenant, id, message, async () => Promise.reject(boom), () => new Date())).rejects.toBe(boom);
    expect(await row()).toMatchObject({
      status: 'failed',
      attempts: 1,
      subject: message.subject,
      error: { stage: 'connect', code: 'unknown', responseCode: null, response: null },
      sentAt: null,
    });
  });

  it('sent and failed results are recorded as before', async () => {
    const sent = await reservedTest();
    const ok = { ok: true, messageId: '<m@firma.example>', response: '250 2.0.0 queued', accepted: [], rejected: [], rejectedDetails: [], transcript: [], durationMs: 1 } as SendResult;
    expect(await sendAndRecordTest(db(), sent.tenant, sent.id, sent.message, async () => ok, () => new Date())).toBe(ok);
    expect(await sent.row()).toMatchObject({ status: 'sent', attempts: 1, messageId: '<m@firma.example>', smtpResponse: '250 2.0.0 queued', error: null });

    const failed = await reservedTest();
    const error = { stage: 'auth', code: 'auth_failed', responseCode: 535, response: '535 5.7.8 no', transient: false } as const;
    const bad = { ok: false, error, transcript: [], durationMs: 1 } as unknown as SendResult;
    await sendAndRecordTest(db(), failed.tenant, failed.id, failed.message, async () => bad, () => new Date());
    expect(await failed.row()).toMatchObject({ status: 'failed', attempts: 1, error: { stage: 'auth', code: 'auth_failed', responseCode: 535, response: '535 5.7.8 no' } });
  });
});
