import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import { getDatabase } from '../../api/db/client.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import type { TenantIdentity } from '../../api/db/schema.ts';
import { makeMessageId } from '../../api/smtp/message-id.ts';
import { insertDelivery } from '../../api/outbox/accept.ts';
import type { StoredPayload } from '../../api/outbox/chunks.ts';
import { deliver } from '../../api/outbox/deliver.ts';
import { call, clientFor, newTenant } from './helpers.ts';
import { fixtures, receivedMails } from './smtp-helpers.ts';
import type { FixtureName, ReceivedMail } from '../support/smtp-servers.ts';

export const operator = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${env.OPERATOR_API_KEY}`,
  ...extra,
});

/**
 * A delivery stored as the API stores one, but on no queue: only a test's own `deliver()` calls
 * send it. Returns its id.
 */
export async function storedDelivery(
  tenantId: string,
  {
    to,
    subject,
    payload = { text: 'Anbei die Rechnung.', attachments: [] },
  }: { to: string[]; subject: string; payload?: StoredPayload },
): Promise<string> {
  const id = crypto.randomUUID();
  const { created } = await insertDelivery(
    getDatabase(env.DATABASE_URL!),
    {
      id,
      tenantId,
      kind: 'invoice',
      status: 'queued',
      recipients: { to, cc: [], bcc: [] },
      subject,
      messageId: makeMessageId(`rechnung@${tenantId}.example.com`),
      idempotencyKey: id,
      createdAt: new Date(),
    },
    payload,
  );
  expect(created).toBe(true);
  return id;
}

export interface MessageStatus {
  id: string;
  status: string;
  route: string | null;
  attempts: number;
  messageId: string;
  response: string | null;
  error: { stage: string; code: string; responseCode: number | null; message: string; hint: string } | null;
  fallbackReason: { stage: string; code: string } | null;
  acceptedRecipients: string[];
  history: {
    at: string;
    route: string;
    status: string;
    response: string | null;
    error: { stage: string; code: string; responseCode: number | null; message: string } | null;
  }[];
  sentAt: string | null;
}

/** A tenant known to the operator API and, optionally, with its own server at a fixture. */
export async function tenantWithServer(server?: FixtureName, overrides: Record<string, unknown> = {}) {
  const tenant: TenantIdentity = newTenant();
  const res = await call('PUT', `/v1/tenants/${tenant.id}`, {
    headers: operator(),
    body: { name: tenant.name, email: tenant.email },
  });
  expect(res.status).toBe(200);
  const api = await clientFor(tenant);
  if (server) {
    const f = fixtures();
    const put = await api.put('/v1/mail-server', {
      host: 'localhost',
      port: f.ports[server],
      security: 'starttls',
      auth: { method: 'plain', username: f.username, password: f.password },
      from: { address: `rechnung@${tenant.id}.example.com`, name: 'Müller & Söhne GmbH' },
      replyTo: `buchhaltung@${tenant.id}.example.com`,
      ...overrides,
    });
    expect(put.status, await put.clone().text()).toBe(200);
  }
  return { tenant, api };
}

export function postMessage(tenantId: string, body: unknown, key: string = crypto.randomUUID()) {
  return call('POST', `/v1/tenants/${tenantId}/messages`, { headers: operator({ 'idempotency-key': key }), body });
}

export async function messageStatus(tenantId: string, id: string): Promise<MessageStatus> {
  const res = await call('GET', `/v1/tenants/${tenantId}/messages/${id}`, {
    headers: operator({ 'accept-language': 'en' }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as MessageStatus;
}

/** Waits until the outbox has ended the delivery (sent or failed). */
export async function settled(tenantId: string, id: string, timeoutMs = 15_000): Promise<MessageStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await messageStatus(tenantId, id);
    if (status.status === 'sent' || status.status === 'failed' || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function mailsWith(marker: string): Promise<ReceivedMail[]> {
  return (await receivedMails()).filter((m) => m.parsed.subject?.includes(marker));
}

/** The mails with this marker once `count` have arrived (after `timeoutMs`, those that did). */
export async function mailsArrived(marker: string, count: number, timeoutMs = 5_000): Promise<ReceivedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailsWith(marker);
    if (mails.length >= count || Date.now() > deadline) return mails;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A small but real PDF, with bytes across the whole range so any re-encoding would show. */
export function pdfBytes(): Uint8Array {
  const head = new TextEncoder().encode('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  const body = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 13) % 256);
  const tail = new TextEncoder().encode('\n%%EOF\n');
  return new Uint8Array([...head, ...body, ...tail]);
}

export const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export const db = () => getDatabase(env.DATABASE_URL!);
export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 6)}`;

/** One `deliver()` call on these ids, with these variables over the test environment's. */
export const deliverWith = (ids: string[], vars: Partial<Bindings>) =>
  deliver(ids, {
    db: db(),
    config: parseConfig({ ...env, ...vars } as Bindings),
    runtime: 'workers',
    now: () => new Date(),
    enqueue: async () => {},
  });
