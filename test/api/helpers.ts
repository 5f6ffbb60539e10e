import { env, exports } from 'cloudflare:workers';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import type { TenantIdentity } from '../../api/db/schema.ts';
import { contractChecker } from '../support/openapi-contract.ts';
import openapi from '../../openapi.json';

export const BASE = 'http://api.test';

let counter = 0;
/** A fresh tenant per test so tests never share state in the one database. */
export function newTenant(overrides: Partial<TenantIdentity> = {}): TenantIdentity {
  counter += 1;
  const id = `t-${crypto.randomUUID().slice(0, 8)}-${counter}`;
  return { id, email: `owner@${id}.example.com`, name: `Firma ${id}`, ...overrides };
}

export function tokenFor(tenant: TenantIdentity, ttlSeconds = 600): Promise<string> {
  return mintTenantToken((env as { TENANT_TOKEN_SECRET: string }).TENANT_TOKEN_SECRET, tenant, ttlSeconds);
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Calls the Worker's own fetch handler, as a browser or portal would over HTTP. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  await contract(method, `${BASE}${path}`, response);
  return response;
}

/** Every response is checked against the committed document (openapi.test.ts: the same the Worker serves). */
const contract = contractChecker(openapi);

/** A client bound to one tenant's token. */
export async function clientFor(tenant: TenantIdentity = newTenant()) {
  const token = await tokenFor(tenant);
  return {
    tenant,
    token,
    get: (path: string, o: Omit<CallOptions, 'token'> = {}) => call('GET', path, { ...o, token }),
    put: (path: string, body: unknown, o: Omit<CallOptions, 'token' | 'body'> = {}) =>
      call('PUT', path, { ...o, body, token }),
    post: (path: string, body?: unknown, o: Omit<CallOptions, 'token' | 'body'> = {}) =>
      call('POST', path, { ...o, body, token }),
    delete: (path: string, o: Omit<CallOptions, 'token'> = {}) => call('DELETE', path, { ...o, token }),
  };
}

export const validSettings = {
  host: 'smtp.example.com',
  security: 'starttls',
  auth: { method: 'plain', username: 'rechnung@example.com', password: 'Grüße-Pässwort-1' },
  from: { address: 'rechnung@example.com', name: 'Müller & Söhne GmbH' },
  replyTo: 'buchhaltung@example.com',
  fallbackToSystem: true,
} as const;
