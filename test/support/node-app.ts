// Calls into the app running on Node (api/node/service.ts) for tests: tenants, settings, tests of
// them, invoices through the in-process outbox, and what the fixtures' servers received.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { mailServers, type TenantIdentity } from '../../api/db/schema.ts';
import type { NodeService } from '../../api/node/service.ts';
import type { MailServerResponse, TestResult } from '../../contract/index.ts';
import type { ReceivedMail, SmtpFixturesInfo } from './smtp-servers.ts';
import { contractChecker } from './openapi-contract.ts';
import openapi from '../../openapi.json';

/** The Node runtime's answers are checked against the same document as the Worker's. */
const contract = contractChecker(openapi);

export interface MessageStatus {
  status: string;
  attempts: number;
  route: string | null;
  response: string | null;
  error: { stage: string; code: string; message: string; hint: string } | null;
}

export function nodeApp(service: NodeService, env: Bindings, fixtures: SmtpFixturesInfo) {
  async function call(
    method: string,
    path: string,
    options: { token?: string; operator?: boolean; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { 'accept-language': 'en', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.operator) headers.authorization = `Bearer ${env.OPERATOR_API_KEY}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const response = await service.app.request(`http://api.test${path}`, { method, headers, body }, env);
    await contract(method, `http://api.test${path}`, response);
    return response;
  }

  async function newTenant() {
    const id = `node-${randomUUID().slice(0, 8)}`;
    const tenant: TenantIdentity = { id, email: `owner@${id}.example.com`, name: `Firma ${id}` };
    const res = await call('PUT', `/v1/tenants/${id}`, {
      operator: true,
      body: { name: tenant.name, email: tenant.email },
    });
    expect(res.status).toBe(200);
    return { tenant, token: await mintTenantToken(env.TENANT_TOKEN_SECRET!, tenant) };
  }

  async function save(token: string, settings: Record<string, unknown>): Promise<MailServerResponse> {
    const res = await call('PUT', '/v1/mail-server', { token, body: settings });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as MailServerResponse;
  }

  async function testSettings(token: string, draft?: Record<string, unknown>): Promise<TestResult> {
    const res = await call('POST', '/v1/mail-server/test', { token, body: draft });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as TestResult;
  }

  async function storedPin(tenantId: string): Promise<string | null | undefined> {
    const rows = await service
      .db()
      .select({ pin: mailServers.tlsPinSha256 })
      .from(mailServers)
      .where(eq(mailServers.tenantId, tenantId));
    return rows[0]?.pin;
  }

  /** An invoice through the operator API and the Node outbox; waits until the outbox is done with it. */
  async function sendInvoice(tenantId: string, tag: string, to = 'kunde@kunde.example.com'): Promise<MessageStatus> {
    const res = await call('POST', `/v1/tenants/${tenantId}/messages`, {
      operator: true,
      headers: { 'idempotency-key': randomUUID() },
      body: { kind: 'invoice', to: [to], subject: `Rechnung ${tag}`, text: 'Anbei Ihre Rechnung.' },
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await service.outbox.idle();
    const status = await call('GET', `/v1/tenants/${tenantId}/messages/${id}`, { operator: true });
    return (await status.json()) as MessageStatus;
  }

  async function received(tag: string): Promise<ReceivedMail[]> {
    const mails = (await (await fetch(`${fixtures.controlUrl}/messages`)).json()) as ReceivedMail[];
    return mails.filter((m) => m.parsed.subject?.includes(tag));
  }

  return { call, newTenant, save, testSettings, storedPin, sendInvoice, received };
}

export const tagOf = () => `#${randomUUID().slice(0, 8)}`;
