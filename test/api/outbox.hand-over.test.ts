// The hand-over mark: a row counts as handed over from just before its message goes to a server,
// a mark that cannot be written or comes too late sends nothing, and an outcome is written at once.
import { env } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import { deliveries, deliveryPayloadChunks } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { Claim } from '../../api/outbox/claim.ts';
import { deliver } from '../../api/outbox/deliver.ts';
import { db, deliverWith, mailsWith, storedDelivery, tenantWithServer } from './outbox-helpers.ts';
import { marker } from './smtp-helpers.ts';

/** Whether a (finished) query of payload chunks reads this row's chunks only. */
const readsOnly = (query: object, id: string) => {
  const ids = (query as { toSQL(): { params: unknown[] } })
    .toSQL()
    .params.filter((p) => typeof p === 'string' && /^[0-9a-f-]{36}$/.test(p));
  return ids.length === 1 && ids[0] === id;
};

/** A drizzle query (builder) that answers once `until(final query)` has settled; its builder methods keep that. */
function heldUntil<T extends object>(query: T, until: (query: object) => Promise<unknown>): T {
  return new Proxy(query, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key === 'then') {
        return (ok: (v: unknown) => unknown, fail: (e: unknown) => unknown) =>
          until(target).then(() => (value as PromiseLike<unknown>['then']).call(target, ok, fail));
      }
      return typeof value === 'function'
        ? (...args: unknown[]) => heldUntil((value as (...a: unknown[]) => object).apply(target, args), until)
        : value;
    },
  });
}

describe('claims', () => {
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
    // The first hand-over mark (the batch after the two tenant reads) is on its way when the other
    // tenant's payload read (the third read of payload chunks, after the sizes and the first)
    // fails; the mark is answered once that slot has stopped the claim.
    const real = db();
    let batches = 0;
    let chunkReads = 0;
    let markOnItsWay: () => void = () => {};
    const marking = new Promise<void>((resolve) => (markOnItsWay = resolve));
    let claimStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (claimStopped = resolve));
    const realAbort = Claim.prototype.abort;
    const abort = vi.spyOn(Claim.prototype, 'abort').mockImplementation(function (this: Claim) {
      realAbort.call(this);
      claimStopped();
    });
    const failingQuery: unknown = new Proxy(() => {}, {
      get: (_, key) =>
        key === 'then'
          ? (_ok: unknown, fail: (e: Error) => void) => marking.then(() => fail(new Error('database unreachable')))
          : () => failingQuery,
    });
    const flaky = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'batch') {
          return async (...args: unknown[]) => {
            batches += 1;
            if (batches === 3) {
              markOnItsWay();
              await stopped;
            }
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
    abort.mockRestore();
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
    expect(await mailsWith(tag)).toEqual([]); // deliver ended after its slots: nothing is on its way
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
      sleep: async () => {}, // the tries of the mark follow each other at once
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
    // Reading the fifth row's payload waits until the test has seen the first row's outcome stored.
    let fifthReadMayEnd: () => void = () => {};
    const fifthRead = new Promise<void>((resolve) => (fifthReadMayEnd = resolve));
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
                  ? heldUntil(query, (q) => (readsOnly(q, ids[4]!) ? fifthRead : Promise.resolve()))
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
    // The first row's slot sends it, then takes the fifth, whose payload read is held: the first
    // row's outcome is stored meanwhile (a write that waited for the read would never come).
    const firstRow = async () => (await real.select().from(deliveries).where(eq(deliveries.id, ids[0]!)))[0];
    let first = await firstRow();
    for (let i = 0; i < 250 && first?.status !== 'sent'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      first = await firstRow();
    }
    fifthReadMayEnd(); // `first` was read before
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
