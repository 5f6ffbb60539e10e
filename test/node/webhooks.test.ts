// Webhook events on Node, end to end: a real invoice through the fixtures' SMTP servers, the events
// stored with its outcome, delivered to a real HTTP receiver that checks every signature with the
// standardwebhooks verifier. On its own temporary database: a sweep sends every due event.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Bindings } from '../../api/config/bindings.ts';
import { deliveries, oauthGrants, webhookDeliveries } from '../../api/db/schema.ts';
import { configOf } from '../../api/config/config.ts';
import { markGrantInvalid } from '../../api/oauth/grants.ts';
import { recordOutcome } from '../../api/outbox/record.ts';
import { sweepOutbox } from '../../api/outbox/sweeper.ts';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import { createNodeService, type NodeService } from '../../api/node/service.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { nodeTestEnv } from '../support/node-env.ts';
import { type ReceivedEvent, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const fixtures = inject('smtpFixtures');
const dir = mkdtempSync(join(tmpdir(), 'mss-webhooks-'));
const secret = `whsec_${randomBytes(32).toString('base64')}`;
let receiver: WebhookReceiver;
let env: Bindings;
let service: NodeService;

beforeAll(async () => {
  receiver = await startWebhookReceiver(secret);
  env = nodeTestEnv(pathToFileURL(join(dir, 'webhooks.db')).href, fixtures, {
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: secret,
    WEBHOOK_RETRY_DELAYS: '0,0,0',
    OUTBOX_RETRY_DELAYS: '0',
  });
  await applyMigrations(env.DATABASE_URL!);
  service = createNodeService(env, { webhookTimeoutMs: 300 });
});
beforeEach(() => {
  receiver.answer = () => 'accept';
});
afterAll(async () => {
  await service.close();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

const request = (method: string, path: string, auth: string, body?: unknown, headers: Record<string, string> = {}) =>
  service.app.request(
    `http://api.test${path}`,
    {
      method,
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    env,
  );

/** A tenant with its own server on the fixture `port` (none: the system relay); returns its id and token. */
async function tenantWith(port: number | null, fallbackToSystem = false) {
  const id = `wh-${randomUUID().slice(0, 8)}`;
  const token = await mintTenantToken(env.TENANT_TOKEN_SECRET!, {
    id,
    email: `owner@${id}.example.com`,
    name: 'Webhook GmbH',
  });
  if (port !== null) {
    const put = await request('PUT', '/v1/mail-server', token, {
      host: fixtures.host,
      port,
      security: 'none',
      auth: { method: 'none' },
      fallbackToSystem,
    });
    expect(put.status).toBe(200);
  } else {
    expect(
      (
        await request('PUT', `/v1/tenants/${id}`, env.OPERATOR_API_KEY!, {
          name: 'Webhook GmbH',
          email: `owner@${id}.example.com`,
        })
      ).status,
    ).toBe(200);
  }
  return { id, token };
}

async function sendInvoice(tenantId: string, to = 'kunde@kunde.example.com') {
  const reference = `RE-${randomUUID().slice(0, 6)}`;
  const posted = await request(
    'POST',
    `/v1/tenants/${tenantId}/messages`,
    env.OPERATOR_API_KEY!,
    { kind: 'invoice', to: [to], subject: `Rechnung ${reference}`, text: 'Anbei.', reference },
    { 'idempotency-key': randomUUID() },
  );
  expect(posted.status).toBe(202);
  return { id: ((await posted.json()) as { id: string }).id, reference };
}

const eventOf = (type: string, deliveryId: string) => (e: ReceivedEvent) =>
  e.body.type === type && e.body.data.deliveryId === deliveryId;

const storedEvents = (tenantId: string) =>
  service.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, tenantId));

describe('webhook events on Node', () => {
  it('message.sent carries the 250 reply and the Message-ID, signed as the specification asks', async () => {
    const { id: tenantId } = await tenantWith(null);
    const { id, reference } = await sendInvoice(tenantId);
    const event = await receiver.waitFor(eventOf('message.sent', id));
    expect(event.verified).toBe(true);
    expect(event.id).toMatch(/^msg_/);
    expect(event.body.data).toMatchObject({ tenantId, deliveryId: id, reference, status: 'sent', route: 'system' });
    expect(String(event.body.data.smtpResponse)).toMatch(/^250/);
    expect(String(event.body.data.messageId)).toMatch(/^<.+@.+>$/);
    expect(JSON.stringify(event.body)).not.toContain('Anbei.');
  });

  it('message.retrying, then message.failed with the reason', async () => {
    const { id: tenantId } = await tenantWith(fixtures.ports.rcptTemp);
    const { id } = await sendInvoice(tenantId);
    const retrying = await receiver.waitFor(eventOf('message.retrying', id));
    const failed = await receiver.waitFor(eventOf('message.failed', id));
    expect(retrying.body.data).toMatchObject({ status: 'retrying', route: 'tenant' });
    expect(failed.body.data).toMatchObject({ status: 'failed', error: { responseCode: 450 } });
    expect(retrying.verified && failed.verified).toBe(true);
    expect(retrying.id).not.toBe(failed.id);
  });

  it('message.fallback when the system relay takes over, then message.sent', async () => {
    const { id: tenantId } = await tenantWith(fixtures.ports.rcptPerm, true);
    const { id } = await sendInvoice(tenantId);
    const fallback = await receiver.waitFor(eventOf('message.fallback', id));
    const sent = await receiver.waitFor(eventOf('message.sent', id));
    expect(fallback.body.data).toMatchObject({ route: 'system-fallback', fallbackReason: { responseCode: 550 } });
    expect(sent.body.data).toMatchObject({ status: 'sent', route: 'system-fallback' });
  });

  it('mail_server.changed on a save and a reset, each right after its response; a refused save stores no event', async () => {
    const { id: tenantId, token } = await tenantWith(fixtures.ports.plain);
    const changed = (change: string) => (e: ReceivedEvent) =>
      e.body.type === 'mail_server.changed' && e.body.data.tenantId === tenantId && e.body.data.change === change;
    // No sweep runs: the request hands its event to the outbox.
    const saved = await receiver.waitFor(changed('saved'));
    expect(saved.body.data).toMatchObject({ host: fixtures.host, port: fixtures.ports.plain, authMethod: 'none' });
    // Password authentication without a password: the database refuses the write, the batch fails.
    const refused = await request('PUT', '/v1/mail-server', token, {
      host: fixtures.host,
      port: fixtures.ports.plain,
      security: 'none',
      auth: { method: 'plain', username: 'someone' },
    });
    expect(refused.status).toBe(422);
    expect((await request('DELETE', '/v1/mail-server', token)).status).toBe(204);
    await receiver.waitFor(changed('reset'));
    const changes = receiver.received.filter(
      (e) => e.body.type === 'mail_server.changed' && e.body.data.tenantId === tenantId,
    );
    expect(changes.map((e) => e.body.data.change)).toEqual(['saved', 'reset']);
    expect(await storedEvents(tenantId)).toHaveLength(2);
  });

  it('a receiver that fails, then times out, then recovers gets the same event with the same id, nothing lost', async () => {
    const { id: tenantId } = await tenantWith(null);
    let calls = 0;
    receiver.answer = (e) =>
      e.body.data.tenantId !== tenantId ? 'accept' : ++calls === 1 ? 'fail' : calls === 2 ? 'hang' : 'accept';
    const { id } = await sendInvoice(tenantId);
    // The third attempt of the event (the receiver counts before it answers).
    await receiver.waitFor(
      (e) => eventOf('message.sent', id)(e) && receiver.received.filter(eventOf('message.sent', id)).length === 3,
    );
    await service.outbox.idle();
    const attempts = receiver.received.filter(eventOf('message.sent', id));
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((e) => e.id)).size).toBe(1);
    expect(attempts.every((e) => e.verified)).toBe(true);
    const [row] = await storedEvents(tenantId);
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, lastResponseStatus: 204 });
  });

  it('an outcome of an attempt that no longer holds the row stores no event', async () => {
    const { id: tenantId } = await tenantWith(null);
    const { id } = await sendInvoice(tenantId);
    await receiver.waitFor(eventOf('message.sent', id));
    const stale = await recordOutcome(
      service.db(),
      id,
      { status: 'failed', route: 'system' },
      new Date(),
      'stale',
      configOf(env).webhooks,
    );
    expect(stale).toBe(false);
    expect((await storedEvents(tenantId)).map((e) => e.type)).toEqual(['message.sent']);
  });

  it('the tenant’s notice mail (about failed invoices) is no message of the portal’s: no event', async () => {
    const { id: tenantId } = await tenantWith(null);
    const id = randomUUID();
    await service
      .db()
      .insert(deliveries)
      .values({
        id,
        tenantId,
        kind: 'notice',
        status: 'sending',
        route: 'system',
        recipients: { to: [`owner@${tenantId}.example.com`], cc: [], bcc: [] },
        subject: 'Notice',
        claimToken: 'holder',
        createdAt: new Date(),
      });
    const recorded = await recordOutcome(
      service.db(),
      id,
      { status: 'sent', route: 'system', smtpResponse: '250 ok', sentAt: new Date() },
      new Date(),
      'holder',
      configOf(env).webhooks,
    );
    expect(recorded).toBe(true);
    expect(await storedEvents(tenantId)).toEqual([]);
  });

  it('message.failed for each invoice the sweep ends as cut off twice, in the batch that ends it', async () => {
    const { id: tenantId } = await tenantWith(null);
    const cutOff = (kind: 'invoice' | 'notice') => ({
      id: randomUUID(),
      tenantId,
      kind,
      status: 'sending' as const,
      route: 'system' as const,
      recipients: { to: ['kunde@example.org'], cc: [], bcc: [] },
      subject: kind,
      handedOver: true,
      interruptions: 1,
      leaseUntil: new Date(Date.now() - 60_000),
      createdAt: new Date(),
    });
    const rows = [cutOff('invoice'), cutOff('invoice'), cutOff('notice')];
    await service.db().insert(deliveries).values(rows);
    const swept = await sweepOutbox(service.db(), new Date(), async () => {}, undefined, configOf(env).webhooks);
    expect(swept.failed).toBeGreaterThanOrEqual(3);
    const events = (await storedEvents(tenantId)).map((e) => JSON.parse(e.payload));
    expect(events.map((e) => [e.type, e.data.deliveryId, e.data.error.code]).sort()).toEqual(
      rows
        .slice(0, 2)
        .map((r) => ['message.failed', r.id, 'interrupted'])
        .sort(),
    );
  });

  it('mail_server.grant_expired when the provider refused the sign-in', async () => {
    const { id: tenantId } = await tenantWith(null);
    const now = new Date();
    const sealed = { refreshCiphertext: 'x', refreshIv: 'x', refreshKeyId: 't1' };
    const [grant] = await service
      .db()
      .insert(oauthGrants)
      .values({
        tenantId,
        provider: 'microsoft',
        account: 'a@b.example',
        ...sealed,
        refreshLockToken: 'lock',
        connectedAt: now,
        updatedAt: now,
      })
      .returning();
    expect(await markGrantInvalid(service.db(), grant!, 'lock', now, configOf(env).webhooks)).toBe(true);
    await service.outbox.sweep();
    const event = await receiver.waitFor(
      (e) => e.body.type === 'mail_server.grant_expired' && e.body.data.tenantId === tenantId,
    );
    expect(event.body.data).toEqual({ tenantId, provider: 'microsoft' });
  });

  it('the operator lists the events by type and status, and replays one with the same webhook-id', async () => {
    const operator = env.OPERATOR_API_KEY!;
    const { id: tenantId } = await tenantWith(null);
    const { id } = await sendInvoice(tenantId);
    const first = await receiver.waitFor(eventOf('message.sent', id));
    await service.outbox.idle();
    const listed = await request('GET', '/v1/webhook-deliveries?type=message.sent&status=delivered&limit=1', operator);
    expect(listed.status).toBe(200);
    const page = (await listed.json()) as {
      webhookDeliveries: { id: string; type: string; status: string }[];
      nextCursor: string | null;
    };
    expect(page.webhookDeliveries).toEqual([
      expect.objectContaining({ id: first.id, type: 'message.sent', status: 'delivered' }),
    ]);
    expect(page.nextCursor).not.toBeNull();
    const next = await request(
      'GET',
      `/v1/webhook-deliveries?type=message.sent&limit=1&cursor=${page.nextCursor}`,
      operator,
    );
    expect(((await next.json()) as typeof page).webhookDeliveries[0]!.id).not.toBe(first.id);
    const bad = await request('GET', '/v1/webhook-deliveries?status=lost&type=message.lost', operator);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'status',
      'type',
    ]);
    expect((await request('GET', '/v1/webhook-deliveries', 'wrong-key')).status).toBe(401);
    expect((await request('POST', '/v1/webhook-deliveries/msg_unknown/replay', operator)).status).toBe(404);

    const replayed = await request('POST', `/v1/webhook-deliveries/${first.id}/replay`, operator);
    expect(replayed.status).toBe(202);
    // No sweep runs: the replay hands the event to the outbox.
    const again = await receiver.waitFor((e) => e.id === first.id && e !== first);
    expect(again.verified).toBe(true);
    expect(again.body).toEqual(first.body);
  });

  it('every event received verifies', () => {
    expect(receiver.received.length).toBeGreaterThan(0);
    expect(receiver.received.filter((e) => !e.verified)).toEqual([]);
  });
});
