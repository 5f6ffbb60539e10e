// Claims (lease + token): a row taken over cannot be recorded by its old holder, a long batch is
// never sent twice, rows never handed over go back, and a message without a verdict is resent once.
import { env } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import { deliveries } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { claimDeliveries } from '../../api/outbox/leases.ts';
import { deliver } from '../../api/outbox/deliver.ts';
import { recordOutcome } from '../../api/outbox/record.ts';
import { sweepOutbox } from '../../api/outbox/sweeper.ts';
import {
  db,
  deliverWith,
  mailsArrived,
  mailsWith,
  messageStatus,
  storedDelivery,
  tenantWithServer,
  unique,
} from './outbox-helpers.ts';
import { fixtures, marker } from './smtp-helpers.ts';

describe('claims', () => {
  it('an attempt whose row was taken over cannot record its outcome', async () => {
    const { tenant } = await tenantWithServer();
    const id = await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${marker()}` });
    const start = new Date();
    expect(await claimDeliveries(db(), [id], start, 1_000, 'first')).toHaveLength(1);
    // While the lease runs nobody else gets the row; after it, the sweeper's attempt does.
    expect(await claimDeliveries(db(), [id], new Date(start.getTime() + 500), 1_000, 'second')).toHaveLength(0);
    expect(await claimDeliveries(db(), [id], new Date(start.getTime() + 2_000), 60_000, 'second')).toHaveLength(1);
    expect(
      await recordOutcome(
        db(),
        id,
        { status: 'failed', route: 'tenant', error: { stage: 'data', code: 'x', responseCode: null, response: null } },
        new Date(),
        'first',
      ),
    ).toBe(false);
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'sending', error: null });
    expect(
      await recordOutcome(
        db(),
        id,
        { status: 'sent', route: 'system', smtpResponse: '250 ok', sentAt: new Date() },
        new Date(),
        'second',
      ),
    ).toBe(true);
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'sent', response: '250 ok' });
  });

  it('a batch that takes longer than one lease keeps its rows: a concurrent sweeper sends nothing twice', async () => {
    const { tenant } = await tenantWithServer('slow');
    const tag = marker();
    const vars = { OUTBOX_LEASE_SECONDS: '1' };
    // 12 messages, 4 sessions, 400 ms per message at the server: about 1.3 s, longer than the lease.
    const ids = await Promise.all(
      Array.from(
        { length: 12 },
        (_, i): Promise<string> =>
          storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}-${i}` }),
      ),
    );
    const batch = deliverWith(ids, vars);
    let sweeps = 0;
    let running = true;
    const sweeper = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, 150));
        // A second consumer: whatever the sweeper finds due it sends at once.
        await sweepOutbox(db(), new Date(), async (due) =>
          deliverWith(
            due.map((d) => d.id).filter((id) => ids.includes(id)),
            vars,
          ),
        );
        sweeps++;
      }
    })();
    await batch;
    running = false;
    await sweeper;
    expect(sweeps).toBeGreaterThan(5);
    const rows = await db().select().from(deliveries).where(inArray(deliveries.id, ids));
    expect(rows.map((r) => [r.status, r.attempts, r.interruptions])).toEqual(ids.map(() => ['sent', 1, 0]));
    const mails = await mailsWith(tag);
    expect(mails).toHaveLength(12);
    expect(new Set(mails.map((m) => m.parsed.subject)).size).toBe(12);
  });

  it('rows that were never handed to a server are given back when the batch fails', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const id = await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${marker()}` });
    // A database whose tenant read fails after the claim succeeded.
    const real = db();
    const failing = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'batch') return async () => Promise.reject(new Error('database unreachable'));
        return Reflect.get(target, key, receiver);
      },
    });
    await expect(
      deliver([id], {
        db: failing,
        config: parseConfig(env as Bindings),
        runtime: 'workers',
        now: () => new Date(),
        enqueue: async () => {},
      }),
    ).rejects.toThrow('database unreachable');
    const [row] = await real.select().from(deliveries).where(eq(deliveries.id, id));
    expect(row).toMatchObject({
      status: 'retrying',
      attempts: 0,
      interruptions: 0,
      leaseUntil: null,
      claimToken: null,
    });
  });
});

describe('a message handed over without a verdict', () => {
  // The 'slow' server stores each message, then answers 250 only after 400 ms; the outbox gives up
  // waiting after 300 ms. The server has the message, the outbox cannot know.
  const deliverImpatiently = (id: string) =>
    deliver([id], {
      db: db(),
      config: parseConfig({ ...env, OUTBOX_RETRY_DELAYS: '0,0,0' } as Bindings),
      runtime: 'workers',
      now: () => new Date(),
      enqueue: async () => {},
      timeouts: { socketMs: 300 },
    });

  it('is sent again at most once, never through the fallback too, then ends delivery_unknown', async () => {
    const { tenant } = await tenantWithServer('slow', { fallbackToSystem: true });
    const tag = marker();
    const id = await storedDelivery(tenant.id, {
      to: [`kunde@${unique('k')}.example.com`],
      subject: `Rechnung ${tag}`,
    });

    await deliverImpatiently(id);
    const [first] = await db().select().from(deliveries).where(eq(deliveries.id, id));
    expect(first).toMatchObject({ status: 'retrying', route: 'tenant', interruptions: 1 });
    expect(first!.error).toMatchObject({ stage: 'data', code: 'response_timeout', responseCode: null });

    for (let i = 0; i < 3; i++) await deliverImpatiently(id); // only the first of these sends
    const [last] = await db().select().from(deliveries).where(eq(deliveries.id, id));
    expect(last).toMatchObject({ status: 'failed', route: 'tenant', attempts: 2, interruptions: 1 });
    expect(last!.error).toMatchObject({ stage: 'data', code: 'delivery_unknown' });

    const mails = await mailsArrived(tag, 2);
    expect(mails.map((m) => m.server)).toEqual(['slow', 'slow']); // two copies at most, no relay copy
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(1);
    const status = await messageStatus(tenant.id, id);
    expect(status.error).toMatchObject({
      code: 'delivery_unknown',
      message: expect.stringContaining('did not confirm'),
    });
  });

  it('whose resend then fails for good is not sent through the fallback either: the first server may have it', async () => {
    const { tenant, api } = await tenantWithServer('slow', { fallbackToSystem: true });
    const tag = marker();
    const id = await storedDelivery(tenant.id, {
      to: [`kunde@${unique('k')}.example.com`],
      subject: `Rechnung ${tag}`,
    });
    await deliverImpatiently(id);
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'tenant' });

    // The tenant's server now refuses the sender for good (550 5.7.1).
    const f = fixtures();
    const put = await api.put('/v1/mail-server', {
      host: 'localhost',
      port: f.ports.relayDenied,
      security: 'starttls',
      auth: { method: 'plain', username: f.username, password: f.password },
      fallbackToSystem: true,
    });
    expect(put.status, await put.clone().text()).toBe(200);
    await deliverImpatiently(id);
    const status = await messageStatus(tenant.id, id);
    expect(status).toMatchObject({ status: 'failed', route: 'tenant', attempts: 2, fallbackReason: null });
    expect(status.error).toMatchObject({ stage: 'mail', responseCode: 550 });

    // A relay copy would have been taken before deliver returned.
    expect((await mailsArrived(tag, 1)).map((m) => m.server)).toEqual(['slow']); // no relay copy
  });
});
