// Cancel of a running streamed test or verify on Node (api/node/service.ts): the cancel route, the
// client going away (over real HTTP: the request's signal), a cancel recorded by another isolate
// (found by the session's row read), and the guarded final record.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { TestResult } from '../../contract/index.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { deliveries, mailServerChecks } from '../../api/db/schema.ts';
import { markCancelled, reserveAndRead, sendAndRecordTest } from '../../api/features/test-send/store.ts';
import { createNodeService } from '../../api/node/service.ts';
import type { SendResult } from '../../api/smtp/types.ts';
import { cancelAndMeasure, closedAt, type Post, stalledCheck, stallDraft } from '../support/check-cancel.ts';
import { eventReader, STREAM } from '../support/event-stream.ts';
import { nodeApp } from '../support/node-app.ts';
import { nodeTestEnv } from '../support/node-env.ts';
import { startThrowawayStack, type ThrowawayStack } from '../support/throwaway-stack.ts';

const fixtures = inject('smtpFixtures');
const env: Bindings = nodeTestEnv(inject('dbUrl'), fixtures, { ENVIRONMENT: 'test' });
const service = createNodeService(env, {
  timeouts: { connectMs: 5_000, greetingMs: 5_000, socketMs: 5_000, totalMs: 10_000 },
});
const { call, newTenant } = nodeApp(service, env, fixtures);
let server: ReturnType<typeof serve>;
let base: string;
beforeAll(async () => {
  server = serve({ fetch: service.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await service.close();
});

const rowOf = async (id: string) => (await service.db().select().from(deliveries).where(eq(deliveries.id, id)))[0]!;

async function tenantPost() {
  const { tenant, token } = await newTenant();
  const post: Post = (path, body, headers) => call('POST', path, { token, body, headers });
  return { tenant, token, post };
}

describe('cancel of a running check on Node', () => {
  for (const kind of ['test', 'verify'] as const) {
    it(`a streamed ${kind} stalled at MAIL FROM: 204, the session ends within 1 s, result and row say cancelled`, async () => {
      const { post } = await tenantPost();
      const check = await stalledCheck(post, fixtures, kind);
      expect(await cancelAndMeasure(post, fixtures, check, `Node ${kind}`)).toBeLessThanOrEqual(1_000);
      const result = (await check.events.until((e) => e.event === 'result')).data as unknown as TestResult;
      expect(result).toMatchObject({ ok: false, error: { stage: 'mail', code: 'cancelled' } });
      const row = await rowOf(check.id);
      expect(row).toMatchObject({ status: 'failed', error: { stage: 'mail', code: 'cancelled' } });
      expect(row.subject).not.toBe('');
      expect((await post(`/v1/mail-server/checks/${check.id}/cancel`)).status).toBe(204);
      expect(await rowOf(check.id)).toEqual(row);
      const other = await tenantPost();
      expect((await other.post(`/v1/mail-server/checks/${check.id}/cancel`)).status).toBe(404);
    });
  }

  it('the client going away (fetch aborted) ends the session too, recorded as cancelled', async () => {
    const { token } = await tenantPost();
    const from = `rechnung-${crypto.randomUUID().slice(0, 8)}@firma.example`;
    const client = new AbortController();
    const res = await fetch(`${base}/v1/mail-server/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...STREAM },
      body: JSON.stringify(stallDraft(fixtures, from)),
      signal: client.signal,
    });
    const events = eventReader(res);
    const id = String((await events.until((e) => e.event === 'start')).data.id);
    await events.until((e) => e.event === 'stage' && e.data.stage === 'mail' && e.data.status === 'started');
    const aborted = Date.now();
    client.abort();
    const ms = (await closedAt(fixtures, from)) - aborted;
    console.log(`Node, client gone: the server saw the SMTP session close after ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(1_000);
    await vi.waitFor(async () =>
      expect(await rowOf(id)).toMatchObject({ error: { stage: 'mail', code: 'cancelled' } }),
    );
  });

  it('a cancel recorded by another isolate (only the row says so) ends the session through its row read', async () => {
    const { tenant, post } = await tenantPost();
    const check = await stalledCheck(post, fixtures, 'test');
    const marked = Date.now();
    expect(await markCancelled(service.db(), tenant, check.id)).toBe('cancelled');
    const ms = (await closedAt(fixtures, check.from)) - marked;
    console.log(`Node, cancel from elsewhere: the server saw the SMTP session close after ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(1_000);
    expect((await check.events.until((e) => e.event === 'result')).data).toMatchObject({
      error: { code: 'cancelled' },
    });
  });

  /** A reserved test row of a fresh tenant, and a session's result that the server took the mail. */
  async function reservedCheck() {
    const { tenant } = await tenantPost();
    const db = service.db();
    const id = crypto.randomUUID();
    expect((await reserveAndRead(db, tenant, id, new Date(), false)).reserved).toBe(true);
    const sent: SendResult = {
      ok: true,
      messageId: '<x@firma.example>',
      response: '250 2.0.0 queued',
      accepted: [tenant.email],
      rejected: [],
      rejectedDetails: [],
      transcript: [],
      durationMs: 1,
    };
    const from = { address: 'rechnung@firma.example', name: 'R' };
    const record = () =>
      sendAndRecordTest(
        db,
        tenant,
        id,
        { from, replyTo: null, to: [tenant.email], subject: 'Test', text: 'x' },
        async () => sent,
        () => new Date(),
        undefined,
        undefined,
        { fingerprint: `fp-${id}`, kind: 'test' },
      );
    const checks = () => db.select().from(mailServerChecks).where(eq(mailServerChecks.tenantId, tenant.id));
    return { db, tenant, id, record, checks };
  }

  it('a session that had finished when its cancel came records what really happened: the mail was sent', async () => {
    const { db, tenant, id, record, checks } = await reservedCheck();
    expect(await markCancelled(db, tenant, id)).toBe('cancelled');
    await record();
    expect(await rowOf(id)).toMatchObject({ status: 'sent', smtpResponse: '250 2.0.0 queued', error: null });
    expect(await checks()).toMatchObject([{ fingerprint: `fp-${id}`, ok: true }]);
    expect(await markCancelled(db, tenant, id)).toBe('finished');
  });

  it('a row ended otherwise (the sweeper’s) keeps its end, and the session records no check for it', async () => {
    const { db, id, record, checks } = await reservedCheck();
    const stale = { stage: 'connect', code: 'unknown', responseCode: null, response: null } as const;
    await db.update(deliveries).set({ status: 'failed', error: stale }).where(eq(deliveries.id, id));
    await record();
    expect(await rowOf(id)).toMatchObject({ status: 'failed', smtpResponse: null, error: { code: 'unknown' } });
    expect(await checks()).toEqual([]);
  });
});

// The real Workers runtime over HTTP: workerd notices a client gone only when a write fails, which
// the stream's heartbeat makes happen during a silent stall.
describe('cancel under wrangler dev', () => {
  let started: ThrowawayStack;
  beforeAll(async () => {
    started = await startThrowawayStack('mss-cancel-');
  }, 90_000);
  afterAll(() => started?.stop());

  async function devToken() {
    const tenant = `cancel-${crypto.randomUUID().slice(0, 8)}`;
    const res = await fetch(`${started.stack.apiUrl}/dev/token?tenant=${tenant}&email=office@${tenant}.example&name=C`);
    return ((await res.json()) as { token: string }).token;
  }

  it('the cancel route and a client going away both end the session within 1 s', async () => {
    const token = await devToken();
    const post: Post = (path, body, headers) =>
      fetch(`${started.stack.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const check = await stalledCheck(post, fixtures, 'test');
    expect(await cancelAndMeasure(post, fixtures, check, 'wrangler dev')).toBeLessThanOrEqual(1_000);
    expect((await check.events.until((e) => e.event === 'result')).data).toMatchObject({
      error: { stage: 'mail', code: 'cancelled' },
    });

    const client = new AbortController();
    const gone = await stalledCheck(
      (path, body, headers) =>
        fetch(`${started.stack.apiUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: client.signal,
        }),
      fixtures,
      'test',
    );
    const aborted = Date.now();
    client.abort();
    const ms = (await closedAt(fixtures, gone.from)) - aborted;
    console.log(`wrangler dev, client gone: the server saw the SMTP session close after ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(1_000);
  });
});
