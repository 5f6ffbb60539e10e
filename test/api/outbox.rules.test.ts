// Delivery rules of the outbox: who gets a copy when some recipients are refused, how the
// fallback's retry budget is counted, and that a claim (lease + token) keeps a long batch from
// being sent twice.
import { env } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries, deliveryPayloadChunks } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { deliver } from '../../api/outbox/deliver.ts';
import { claimDeliveries } from '../../api/outbox/leases.ts';
import { recordOutcome } from '../../api/outbox/record.ts';
import { sweepOutbox } from '../../api/outbox/sweeper.ts';
import { mailsWith, messageStatus, postMessage, settled, storedDelivery, tenantWithServer } from './outbox-helpers.ts';
import { fixtures, marker } from './smtp-helpers.ts';

const db = () => getDatabase(env.DATABASE_URL!);
const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 6)}`;
const invoice = (tag: string, to: string[]) => ({
  kind: 'invoice',
  to,
  subject: `Rechnung ${tag}`,
  text: 'Anbei die Rechnung.',
});

/** Whether a (finished) query of payload chunks reads this row's chunks only. */
const readsOnly = (query: object, id: string) => {
  const ids = (query as { toSQL(): { params: unknown[] } })
    .toSQL()
    .params.filter((p) => typeof p === 'string' && /^[0-9a-f-]{36}$/.test(p));
  return ids.length === 1 && ids[0] === id;
};

/** A drizzle query (builder) that answers `delayMs(final query)` ms later; its builder methods keep that. */
function delayed<T extends object>(query: T, delayMs: (query: object) => number): T {
  return new Proxy(query, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key === 'then') {
        return (ok: (v: unknown) => unknown, fail: (e: unknown) => unknown) =>
          new Promise((resolve) => setTimeout(resolve, delayMs(target))).then(() =>
            (value as PromiseLike<unknown>['then']).call(target, ok, fail),
          );
      }
      return typeof value === 'function'
        ? (...args: unknown[]) => delayed((value as (...a: unknown[]) => object).apply(target, args), delayMs)
        : value;
    },
  });
}

const deliverWith = (ids: string[], vars: Partial<Bindings>) =>
  deliver(ids, {
    db: db(),
    config: parseConfig({ ...env, ...vars } as Bindings),
    runtime: 'workers',
    now: () => new Date(),
    enqueue: async () => {},
  });

describe('recipients', () => {
  it('a recipient accepted once is not sent again on retry, also with an IDN domain in capitals', async () => {
    const { tenant } = await tenantWithServer('flaky');
    const tag = marker();
    const idn = 'Sofort@Müller-Kunde.Example';
    const later = `${unique('later')}@kunde.example.com`;
    const { id } = (await (await postMessage(tenant.id, invoice(tag, [idn, later]))).json()) as { id: string };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'tenant', attempts: 2, error: null });
    // Kept as the operator wrote them, although the server saw the A-label.
    expect(status.acceptedRecipients.sort()).toEqual([idn, later].sort());
    const envelopes = (await mailsWith(tag)).map((m) => m.envelope.rcptTo);
    // (smtp-server reports the domain decoded and lower-cased)
    expect(envelopes).toEqual([['Sofort@müller-kunde.example'], [later]]);
  });

  it('a recipient refused for good does not hold the others back: sent, with the refusal as its error', async () => {
    const { tenant } = await tenantWithServer('flaky');
    const tag = marker();
    const never = `${unique('never')}@kunde.example.com`;
    const { id } = (await (await postMessage(tenant.id, invoice(tag, ['kunde@kunde.example.com', never]))).json()) as {
      id: string;
    };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({
      status: 'sent',
      route: 'tenant',
      attempts: 1,
      acceptedRecipients: ['kunde@kunde.example.com'],
    });
    expect(status.error).toMatchObject({ stage: 'rcpt', code: 'recipients_refused', responseCode: 550 });
    expect(status.error!.message).toMatch(/refused for good/);
    expect(status.response).toMatch(/^250 /);
    expect(status.history).toHaveLength(1);
    const mails = await mailsWith(tag);
    expect(mails.map((m) => m.envelope.rcptTo)).toEqual([['kunde@kunde.example.com']]);
  });

  it('with fallback allowed, the system relay takes the recipients the tenant server refused for good', async () => {
    const { tenant } = await tenantWithServer('flaky', { fallbackToSystem: true });
    const tag = marker();
    const never = `${unique('never')}@kunde.example.com`;
    const { id } = (await (await postMessage(tenant.id, invoice(tag, ['kunde@kunde.example.com', never]))).json()) as {
      id: string;
    };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'system-fallback', attempts: 1, error: null });
    expect(status.fallbackReason).toMatchObject({ stage: 'rcpt', code: 'recipients_rejected' });
    expect(status.acceptedRecipients.sort()).toEqual(['kunde@kunde.example.com', never].sort());
    const mails = await mailsWith(tag);
    expect(mails.map((m) => [m.server, m.envelope.rcptTo])).toEqual([
      ['flaky', ['kunde@kunde.example.com']],
      ['plain', [never]],
    ]);
    expect(new Set(mails.map((m) => m.parsed.messageId))).toEqual(new Set([status.messageId]));
  });
});

describe('retry budgets', () => {
  it('the fallback relay gets retries of its own after the tenant route spent its budget', async () => {
    const { tenant } = await tenantWithServer('rcptTemp', { fallbackToSystem: true });
    const tag = marker();
    // The relay (the flaky fixture here) refuses "later…" once with 451.
    const vars = { OUTBOX_RETRY_DELAYS: '0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures().ports.flaky}` };
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });

    await deliverWith([id], vars); // tenant 450: one retry left
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'tenant', attempts: 1 });
    await deliverWith([id], vars); // tenant 450 again, budget spent: the relay answers 451
    expect(await messageStatus(tenant.id, id)).toMatchObject({
      status: 'retrying',
      route: 'system-fallback',
      attempts: 2,
    });
    await deliverWith([id], vars); // the relay's own retry
    const status = await messageStatus(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'system-fallback', attempts: 3, error: null });
    expect(status.fallbackReason).toMatchObject({ stage: 'rcpt', responseCode: 450 });
    expect(status.history.map((h) => [h.route, h.status])).toEqual([
      ['tenant', 'retrying'],
      ['tenant', 'failed'],
      ['system-fallback', 'retrying'],
      ['system-fallback', 'sent'],
    ]);
    expect((await mailsWith(tag)).map((m) => m.server)).toEqual(['flaky']);
  });
});

describe('a route taken up mid-retry', () => {
  it('a reset moves a retrying message to the system relay with a retry budget of its own', async () => {
    const { tenant, api } = await tenantWithServer('rcptTemp');
    const tag = marker();
    // Two retries in all; the relay (the flaky fixture) refuses "later…" once with 451.
    const vars = { OUTBOX_RETRY_DELAYS: '0,0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures().ports.flaky}` };
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });
    await deliverWith([id], vars); // tenant 450
    await deliverWith([id], vars); // tenant 450: the tenant route's budget is spent with the next failure
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'tenant', attempts: 2 });

    expect((await api.delete('/v1/mail-server')).status).toBe(204);
    await deliverWith([id], vars); // the relay's first attempt: 451, a retry of its own
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'system', attempts: 3 });
    await deliverWith([id], vars);
    const status = await messageStatus(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'system', attempts: 4, error: null, fallbackReason: null });
    expect((await mailsWith(tag)).map((m) => m.server)).toEqual(['flaky']);
  });

  it('settings saved mid-retry move a message waiting on the system relay to the tenant’s server, with a budget of its own', async () => {
    const { tenant, api } = await tenantWithServer();
    const tag = marker();
    const f = fixtures();
    const vars = { OUTBOX_RETRY_DELAYS: '0,0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${f.ports.rcptTemp}` };
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });
    await deliverWith([id], vars); // relay 450
    await deliverWith([id], vars); // relay 450
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'system', attempts: 2 });

    const put = await api.put('/v1/mail-server', {
      host: 'localhost',
      port: f.ports.flaky, // refuses "later…" once with 451
      security: 'starttls',
      auth: { method: 'plain', username: f.username, password: f.password },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    await deliverWith([id], vars);
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'tenant', attempts: 3 });
    await deliverWith([id], vars);
    expect(await messageStatus(tenant.id, id)).toMatchObject({
      status: 'sent',
      route: 'tenant',
      attempts: 4,
      error: null,
    });
    expect((await mailsWith(tag)).map((m) => m.server)).toEqual(['flaky']);
  });
});

describe('a fallback recorded before route_since_attempt existed', () => {
  it('keeps the relay’s own budget: counted from fallback_at_attempt, not from the first attempt', async () => {
    const { tenant } = await tenantWithServer('rcptTemp', { fallbackToSystem: true });
    const tag = marker();
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });
    // As an older Worker leaves it (deployed after the migration): on the relay since attempt 6, route_since_attempt 1.
    await db()
      .update(deliveries)
      .set({
        status: 'retrying',
        route: 'system-fallback',
        attempts: 6,
        fallbackAtAttempt: 6,
        routeSinceAttempt: 1,
        nextAttemptAt: new Date(),
      })
      .where(eq(deliveries.id, id));
    // The relay (flaky) refuses "later…" once with 451: the relay's second attempt, well within two retries.
    await deliverWith([id], {
      OUTBOX_RETRY_DELAYS: '0,0',
      SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures().ports.flaky}`,
    });
    expect(await messageStatus(tenant.id, id)).toMatchObject({
      status: 'retrying',
      route: 'system-fallback',
      attempts: 7,
    });
  });
});

describe('stored errors', () => {
  it('name the tenant’s server and port in the message shown, but never the system relay', async () => {
    const f = fixtures();
    const vars = { OUTBOX_RETRY_DELAYS: '0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${f.ports.refused}` };
    const own = await tenantWithServer('refused');
    const ownId = await storedDelivery(own.tenant.id, {
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${marker()}`,
    });
    const relayed = await tenantWithServer();
    const relayedId = await storedDelivery(relayed.tenant.id, {
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${marker()}`,
    });
    await deliverWith([ownId, relayedId], vars);

    const ownStatus = await messageStatus(own.tenant.id, ownId);
    expect(ownStatus).toMatchObject({ status: 'retrying', route: 'tenant', error: { stage: 'connect' } });
    expect(ownStatus.error!.message).toContain(`localhost`);
    expect(ownStatus.error!.message).toContain(String(f.ports.refused));
    expect(ownStatus.history[0]!.error!.message).toBe(ownStatus.error!.message);
    expect(ownStatus.error).not.toHaveProperty('server');

    const relayedStatus = await messageStatus(relayed.tenant.id, relayedId);
    expect(relayedStatus).toMatchObject({ status: 'retrying', route: 'system', error: { stage: 'connect' } });
    expect(relayedStatus.error!.message).not.toMatch(/127\.0\.0\.1|undefined|server server|localhost/i);
    expect(relayedStatus.error!.message).toMatch(/^(The server refused the connection|Could not connect)[ .]/);

    const list = await relayed.api.get('/v1/deliveries', { headers: { 'accept-language': 'de' } });
    const [row] = ((await list.json()) as { deliveries: { error: { message: string } }[] }).deliveries;
    expect(row!.error.message).toMatch(/^(Der Server hat die Verbindung abgelehnt|Keine Verbindung)[ .]/);
  });
});

describe('a fallback turned off', () => {
  it('stops a message waiting for its retry on the system relay: it ends failed, saying why, and the relay gets nothing', async () => {
    const { tenant, api } = await tenantWithServer('rcptTemp', { fallbackToSystem: true });
    const tag = marker();
    const vars = { OUTBOX_RETRY_DELAYS: '0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures().ports.flaky}` };
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });
    await deliverWith([id], vars); // tenant 450: one retry left
    await deliverWith([id], vars); // tenant 450 again, budget spent: the relay answers 451
    expect(await messageStatus(tenant.id, id)).toMatchObject({
      status: 'retrying',
      route: 'system-fallback',
      attempts: 2,
    });

    const { settings } = (await (await api.get('/v1/mail-server')).json()) as {
      settings: { auth: { method: string; username: string } } & Record<string, unknown>;
    };
    const put = await api.put('/v1/mail-server', {
      ...settings,
      auth: { method: settings.auth.method, username: settings.auth.username },
      fallbackToSystem: false,
    });
    expect(put.status, await put.clone().text()).toBe(200);

    await deliverWith([id], vars); // the relay would take it now
    const status = await messageStatus(tenant.id, id);
    expect(status).toMatchObject({ status: 'failed', route: 'system-fallback', attempts: 3, sentAt: null });
    expect(status.error).toMatchObject({
      code: 'fallback_turned_off',
      message: expect.stringMatching(/fallback was turned off/),
    });
    expect(status.fallbackReason).toMatchObject({ stage: 'rcpt', responseCode: 450 });
    expect(await mailsWith(tag)).toEqual([]);
  });
});

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
            due.filter((d) => ids.includes(d)),
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
  it('a row whose hand-over mark was on its way when another slot failed goes back unsent', async () => {
    // Two tenants, one row each: their slots run side by side, each reading its own payload.
    const tag = marker();
    const first = await storedDelivery((await tenantWithServer('starttls')).tenant.id, {
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${tag}-1`,
    });
    const second = await storedDelivery((await tenantWithServer('starttls')).tenant.id, {
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${tag}-2`,
    });
    // The first hand-over mark (the batch after the two tenant reads) is slow; meanwhile the other
    // tenant's payload read (the third read of payload chunks, after the sizes and the first) fails after 100 ms.
    const real = db();
    let batches = 0;
    let chunkReads = 0;
    const failingQuery: unknown = new Proxy(() => {}, {
      get: (_, key) =>
        key === 'then'
          ? (_ok: unknown, fail: (e: Error) => void) => setTimeout(() => fail(new Error('database unreachable')), 100)
          : () => failingQuery,
    });
    const flaky = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'batch') {
          return async (...args: unknown[]) => {
            batches += 1;
            if (batches === 3) await new Promise((r) => setTimeout(r, 300));
            return (target.batch as (...a: unknown[]) => Promise<unknown>)(...args);
          };
        }
        if (key === 'select') {
          return (...args: unknown[]) => {
            const builder = (target.select as (...a: unknown[]) => { from: (t: unknown) => unknown })(...args);
            return new Proxy(builder, {
              get(b, k, r) {
                if (k !== 'from') return Reflect.get(b, k, r);
                return (table: unknown) =>
                  table === deliveryPayloadChunks && ++chunkReads === 3 ? failingQuery : b.from(table);
              },
            });
          };
        }
        return Reflect.get(target, key, receiver);
      },
    });
    await expect(
      deliver([first, second], {
        db: flaky,
        config: parseConfig(env as Bindings),
        runtime: 'workers',
        now: () => new Date(),
        enqueue: async () => {},
      }),
    ).rejects.toThrow('database unreachable');
    expect({ batches, chunkReads }).toEqual({ batches: 3, chunkReads: 3 }); // two tenant reads, the slow mark
    const rows = await real
      .select()
      .from(deliveries)
      .where(inArray(deliveries.id, [first, second]));
    expect(
      rows.map((r) => ({
        status: r.status,
        attempts: r.attempts,
        interruptions: r.interruptions,
        handedOver: r.handedOver,
      })),
    ).toEqual([
      { status: 'retrying', attempts: 0, interruptions: 0, handedOver: false },
      { status: 'retrying', attempts: 0, interruptions: 0, handedOver: false },
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsWith(tag)).toEqual([]);
  });

  it('a slot whose hand-over mark cannot be written lets its payload go: the batch ends, its rows given back', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const payload = { text: 'a'.repeat(60_000), attachments: [] };
    const ids = [
      await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}-0`, payload }),
      await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}-1`, payload }),
    ];
    // The two payloads do not fit the budget together; the mark of the first row fails every time.
    const real = db();
    const flaky = new Proxy(real, {
      get(target, key, receiver) {
        if (key !== 'batch') return Reflect.get(target, key, receiver);
        return async (statements: { toSQL(): { sql: string; params: unknown[] } }[]) => {
          const mark = statements.map((s) => s.toSQL()).find((s) => s.sql.includes('"handed_over" = '));
          if (mark?.params.includes(ids[0])) throw new Error('database unreachable');
          return (target.batch as (s: unknown) => Promise<unknown>)(statements);
        };
      },
    });
    const running = deliver(ids, {
      db: flaky,
      config: parseConfig({ ...env, OUTBOX_LEASE_SECONDS: '3' } as Bindings),
      runtime: 'workers',
      now: () => new Date(),
      enqueue: async () => {},
      payloadLoadBytes: 100_000,
    });
    const ended = await Promise.race([
      running.then(
        () => 'resolved',
        (e: Error) => e.message,
      ),
      new Promise((r) => setTimeout(() => r('still running'), 8_000)),
    ]);
    expect(ended).toBe('database unreachable');
    const rows = await real.select().from(deliveries).where(inArray(deliveries.id, ids));
    expect(rows.map((r) => `${r.status}:${r.attempts}:${r.handedOver}`)).toEqual([
      'retrying:0:false',
      'retrying:0:false',
    ]);
    expect(await mailsWith(tag)).toEqual([]);
  });

  it('a sent row’s outcome is written at once, not after its slot read the next payload', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}-${i}` }));
    // Payloads are read one row at a time (a budget of 1 byte). Four slots take the first four rows;
    // the fifth (rows come in the order they were stored) goes to a slot that has just sent one.
    // Reading the fifth row's payload takes 2 s.
    const real = db();
    const flaky = new Proxy(real, {
      get(target, key, receiver) {
        if (key !== 'select') return Reflect.get(target, key, receiver);
        return (...args: unknown[]) => {
          const builder = (target.select as (...a: unknown[]) => { from: (t: unknown) => PromiseLike<unknown> })(
            ...args,
          );
          return new Proxy(builder, {
            get(b, k, r) {
              if (k !== 'from') return Reflect.get(b, k, r);
              return (table: unknown) => {
                const query = b.from(table);
                return table === deliveryPayloadChunks
                  ? delayed(query, (q) => (readsOnly(q, ids[4]!) ? 2000 : 0))
                  : query;
              };
            },
          });
        };
      },
    });
    const running = deliver(ids, {
      db: flaky,
      config: parseConfig(env as Bindings),
      runtime: 'workers',
      now: () => new Date(),
      enqueue: async () => {},
      payloadLoadBytes: 1,
    });
    // The first row's slot sends it, then takes the fifth, whose payload is on its way for 2 s.
    const firstArrived = async () => (await mailsWith(tag)).some((m) => m.parsed.subject === `Rechnung ${tag}-0`);
    for (let i = 0; i < 100 && !(await firstArrived()); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const [first] = await real.select().from(deliveries).where(eq(deliveries.id, ids[0]!));
    expect(first).toMatchObject({ status: 'sent', handedOver: true });
    await running;
    expect(await mailsWith(tag)).toHaveLength(5);
  });

  it('a row counts as handed over from just before its message goes to a server, not when its batch is claimed', async () => {
    const { tenant } = await tenantWithServer('slow'); // answers each message after 400 ms
    const tag = marker();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}-${i}` }));
    const handedOver = async () =>
      await db()
        .select({ id: deliveries.id, status: deliveries.status, handedOver: deliveries.handedOver })
        .from(deliveries)
        .where(inArray(deliveries.id, ids));
    const running = deliverWith(ids, {});
    // Four sessions take four rows; the fifth waits for a session while the server holds the others.
    let rows = await handedOver();
    for (let i = 0; i < 100 && rows.filter((r) => r.handedOver).length < 4; i++) {
      await new Promise((r) => setTimeout(r, 10));
      rows = await handedOver();
    }
    expect(rows.filter((r) => r.status === 'sending')).toHaveLength(5);
    expect(rows.filter((r) => r.handedOver)).toHaveLength(4);
    await running;
    expect((await handedOver()).map((r) => [r.status, r.handedOver])).toEqual(Array(5).fill(['sent', true]));
    expect(await mailsWith(tag)).toHaveLength(5);
  });
});

describe('the database away right after a send', () => {
  it('the outcome is recorded once it is back, within the lease: the message is not sent again', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const id = await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}` });
    // The tenant read and the hand-over mark (batches) work; the next 5 batches, the recording of 'sent', fail.
    const real = db();
    let batches = 0;
    const flaky = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'batch') {
          return async (...args: unknown[]) => {
            batches += 1;
            if (batches >= 3 && batches <= 7) throw new Error('database unreachable');
            return (target.batch as (...a: unknown[]) => Promise<unknown>)(...args);
          };
        }
        return Reflect.get(target, key, receiver);
      },
    });
    const waits: number[] = [];
    await deliver([id], {
      db: flaky,
      config: parseConfig(env as Bindings),
      runtime: 'workers',
      now: () => new Date(),
      enqueue: async () => {},
      // The waits between tries are asked for, not slept through (they add up to over 6 s).
      sleep: async (ms) => void waits.push(ms),
    });
    expect(waits).toEqual([200, 400, 800, 1600, 3200]);
    expect(batches).toBe(8);
    const [row] = await real.select().from(deliveries).where(eq(deliveries.id, id));
    expect(row).toMatchObject({ status: 'sent', attempts: 1, interruptions: 0, claimToken: null, handedOver: true });
    expect(await mailsWith(tag)).toHaveLength(1);
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

    await new Promise((r) => setTimeout(r, 500)); // the slow server's late 250s
    const mails = await mailsWith(tag);
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

    await new Promise((r) => setTimeout(r, 500)); // the slow server's late 250
    expect((await mailsWith(tag)).map((m) => m.server)).toEqual(['slow']); // no relay copy
  });
});

describe('operator configuration', () => {
  it('an unusable system relay URL stops only the system route, and its invoices wait for the fix instead of failing', async () => {
    const broken = { SYSTEM_SMTP_URL: 'smtps://relay:p%zz@relay.example', OUTBOX_RETRY_DELAYS: '0,0,0' };
    const own = await tenantWithServer('starttls');
    const none = await tenantWithServer();
    const ownTag = marker();
    const noneTag = marker();
    const ownId = await storedDelivery(own.tenant.id, {
      to: [`kunde@${unique('k')}.example.com`],
      subject: `Rechnung ${ownTag}`,
    });
    const noneId = await storedDelivery(none.tenant.id, {
      to: [`kunde@${unique('k')}.example.com`],
      subject: `Rechnung ${noneTag}`,
    });
    await deliverWith([ownId, noneId], broken);

    expect((await messageStatus(own.tenant.id, ownId)).status).toBe('sent');
    expect(await mailsWith(ownTag)).toHaveLength(1);
    const waiting = await messageStatus(none.tenant.id, noneId);
    expect(waiting).toMatchObject({
      status: 'retrying',
      route: 'system',
      error: { code: 'system_relay_not_configured' },
    });

    // Mended within the retry budget: it goes out.
    await deliverWith([noneId], { OUTBOX_RETRY_DELAYS: '0,0,0' });
    expect((await messageStatus(none.tenant.id, noneId)).status).toBe('sent');
    expect(await mailsWith(noneTag)).toHaveLength(1);
  });
});
