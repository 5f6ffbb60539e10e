// POST /v1/mail-server/test reserves a `deliveries` row (status `sending`) before it sends. When
// sending throws instead of reporting an SMTP error (a bug, a runtime failure), that row must
// still end `failed`, never stay `sending`.
import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { getDatabase } from '../../api/db/client.ts';
import type { Database } from '../../api/db/database.ts';
import { deliveries, tenants } from '../../api/db/schema.ts';
import type { OutgoingMessage, SendResult } from '../../api/smtp/types.ts';
import { sendAndRecordTest } from '../../api/features/test-send/store.ts';
import { newTenant } from './helpers.ts';

const db = () => getDatabase(env.DATABASE_URL!);

async function reservedTest() {
  const tenant = newTenant();
  const id = crypto.randomUUID();
  const now = new Date();
  await db()
    .insert(tenants)
    .values({ id: tenant.id, name: tenant.name, email: tenant.email, createdAt: now, updatedAt: now });
  await db()
    .insert(deliveries)
    .values({
      id,
      tenantId: tenant.id,
      kind: 'test',
      status: 'sending',
      route: 'tenant',
      recipients: { to: [tenant.email], cc: [], bcc: [] },
      subject: '',
      attempts: 0,
      createdAt: now,
    });
  const message: OutgoingMessage = {
    from: { address: tenant.email, name: tenant.name },
    replyTo: tenant.email,
    to: [{ address: tenant.email, name: tenant.name }],
    subject: `Testnachricht ${id}`,
    text: 'Test',
    date: now,
  };
  const row = async () =>
    (
      await db()
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.id, id), eq(deliveries.tenantId, tenant.id)))
    )[0]!;
  return { tenant, id, message, row };
}

describe('the test row always ends sent or failed', () => {
  it('sending throws: the row ends failed (unknown) and the error goes on to the 500 handler', async () => {
    const { tenant, id, message, row } = await reservedTest();
    const boom = new Error('engine exploded');
    await expect(
      sendAndRecordTest(
        db(),
        tenant,
        id,
        message,
        async () => Promise.reject(boom),
        () => new Date(),
      ),
    ).rejects.toBe(boom);
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
    const ok = {
      ok: true,
      messageId: '<m@firma.example>',
      response: '250 2.0.0 queued',
      accepted: [],
      rejected: [],
      rejectedDetails: [],
      transcript: [],
      durationMs: 1,
    } as SendResult;
    expect(
      await sendAndRecordTest(
        db(),
        sent.tenant,
        sent.id,
        sent.message,
        async () => ok,
        () => new Date(),
      ),
    ).toBe(ok);
    expect(await sent.row()).toMatchObject({
      status: 'sent',
      attempts: 1,
      messageId: '<m@firma.example>',
      smtpResponse: '250 2.0.0 queued',
      error: null,
    });

    const failed = await reservedTest();
    const error = {
      stage: 'auth',
      code: 'auth_failed',
      responseCode: 535,
      response: '535 5.7.8 no',
      transient: false,
    } as const;
    const bad = { ok: false, error, transcript: [], durationMs: 1 } as unknown as SendResult;
    await sendAndRecordTest(
      db(),
      failed.tenant,
      failed.id,
      failed.message,
      async () => bad,
      () => new Date(),
    );
    expect(await failed.row()).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { stage: 'auth', code: 'auth_failed', responseCode: 535, response: '535 5.7.8 no' },
    });
  });

  describe('recorded after the response (Workers: waitUntil)', () => {
    const ok = {
      ok: true,
      messageId: '<m@firma.example>',
      response: '250 2.0.0 queued',
      accepted: [],
      rejected: [],
      rejectedDetails: [],
      transcript: [],
      durationMs: 1,
    } as SendResult;
    const collector = () => {
      const tasks: Promise<unknown>[] = [];
      return { tasks, defer: (task: Promise<unknown>) => void tasks.push(task) };
    };
    /** The database, with the first `failures` updates failing (a database hiccup). */
    const flakyDb = (failures: number) => {
      let calls = 0;
      return new Proxy(db(), {
        get(target, prop, receiver) {
          if (prop !== 'update') return Reflect.get(target, prop, receiver);
          return (...args: Parameters<Database['update']>) => {
            if (calls++ < failures)
              return { set: () => ({ where: () => Promise.reject(new Error('database unreachable')) }) };
            return target.update(...args);
          };
        },
      }) as Database;
    };

    it('the outcome is handed to defer and ends the row; a throw still ends it failed and goes on', async () => {
      const sent = await reservedTest();
      const a = collector();
      expect(
        await sendAndRecordTest(
          db(),
          sent.tenant,
          sent.id,
          sent.message,
          async () => ok,
          () => new Date(),
          a.defer,
        ),
      ).toBe(ok);
      expect(a.tasks).toHaveLength(1);
      await Promise.all(a.tasks);
      expect(await sent.row()).toMatchObject({
        status: 'sent',
        attempts: 1,
        messageId: '<m@firma.example>',
        smtpResponse: '250 2.0.0 queued',
      });

      const thrown = await reservedTest();
      const b = collector();
      const boom = new Error('engine exploded');
      await expect(
        sendAndRecordTest(
          db(),
          thrown.tenant,
          thrown.id,
          thrown.message,
          async () => Promise.reject(boom),
          () => new Date(),
          b.defer,
        ),
      ).rejects.toBe(boom);
      await Promise.all(b.tasks);
      expect(await thrown.row()).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: { stage: 'connect', code: 'unknown', responseCode: null, response: null },
      });
    });

    it('a failed update is tried once more; if that fails too it is logged, never an unhandled rejection', async () => {
      const retried = await reservedTest();
      const a = collector();
      await sendAndRecordTest(
        flakyDb(1),
        retried.tenant,
        retried.id,
        retried.message,
        async () => ok,
        () => new Date(),
        a.defer,
      );
      await Promise.all(a.tasks);
      expect(await retried.row()).toMatchObject({ status: 'sent' });

      const lost = await reservedTest();
      const b = collector();
      const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        await sendAndRecordTest(
          flakyDb(2),
          lost.tenant,
          lost.id,
          lost.message,
          async () => ok,
          () => new Date(),
          b.defer,
        );
        await expect(Promise.all(b.tasks)).resolves.toBeDefined();
        expect(logged).toHaveBeenCalledWith(
          expect.stringContaining(`test delivery ${lost.id}: recording the outcome failed`),
        );
      } finally {
        logged.mockRestore();
      }
    });
  });
});
