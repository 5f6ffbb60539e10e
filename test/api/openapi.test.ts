import { describe, expect, it } from 'vitest';
import { exports } from 'cloudflare:workers';
import committed from '../../openapi.json';
import { contractChecker } from '../support/openapi-contract.ts';
import { createApp } from '../../api/app.ts';
import { defaultDeps } from '../../api/wiring.ts';
import { BASE, call, clientFor } from './helpers.ts';

const served = async () => (await exports.default.fetch(new Request(`${BASE}/openapi.json`))).json();
const json = (body: unknown, status = 200, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('the OpenAPI document', () => {
  // Its validity is checked in test/unit/openapi-document.test.ts (the validator reads its schemas from disk).
  it('is served at /openapi.json as committed', async () => {
    expect(await served()).toEqual(committed);
  });

  it('documents every API route of the app, with both auth schemes', async () => {
    // Every path the app routes (but the development, document and static ones) is in the document.
    const routed = createApp(defaultDeps('workers'))
      .routes.filter((r) => r.method !== 'ALL') // middleware (`use`), not routes
      .map((r) => r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/')
      .filter((path) => path.startsWith('/v1/') || path === '/healthz');
    const paths = Object.keys(committed.paths).sort();
    expect(paths).toEqual([...new Set(routed)].sort());
    expect(paths).toContain('/v1/mail-server/verify');
    expect(paths).toContain('/v1/webhook-deliveries/{id}/replay');
    expect(Object.keys(committed.components.securitySchemes).sort()).toEqual(['operatorKey', 'tenantToken']);
    expect(committed.paths['/v1/mail-server'].get.security).toEqual([{ tenantToken: [] }]);
    expect(committed.paths['/v1/tenants/{tenantId}'].put.security).toEqual([{ operatorKey: [] }]);
  });

  it('serves the reference page at /docs in development', async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/docs`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('/openapi.json');
  });
});

describe('the contract check of the test helpers', () => {
  const check = contractChecker(committed);

  it('names the route and the schema error of a body that drifted', async () => {
    const { get } = await clientFor();
    const body = (await (await get('/v1/mail-server')).json()) as object;
    await expect(
      check('GET', `${BASE}/v1/mail-server`, json({ ...body, version: 'three', surprise: true })),
    ).rejects.toThrow(/GET \/v1\/mail-server → 200 does not match openapi\.json: .*version must be number/);
    await expect(check('GET', `${BASE}/v1/mail-server`, json({ ...body, surprise: true }))).rejects.toThrow(
      /must NOT have additional properties/,
    );
  });

  it('fails an undocumented status, route or body type', async () => {
    await expect(check('GET', `${BASE}/v1/mail-server`, json({}, 418))).rejects.toThrow(
      'GET /v1/mail-server answered 418, which openapi.json does not document',
    );
    await expect(check('PATCH', `${BASE}/v1/mail-server`, json({}, 200))).rejects.toThrow(
      'PATCH /v1/mail-server is not in openapi.json',
    );
    await expect(check('GET', `${BASE}/v1/mail-server`, new Response('ok'))).rejects.toThrow(
      'GET /v1/mail-server → 200: openapi.json does not document the body type text/plain',
    );
  });

  it('checks problem responses against their status’s codes', async () => {
    const res = await call('GET', '/v1/mail-server');
    expect(res.status).toBe(401);
    const problem = (await res.json()) as object;
    await expect(check('GET', `${BASE}/v1/mail-server`, json(problem, 401, 'application/problem+json'))).resolves.toBe(
      undefined,
    );
    await expect(
      check('GET', `${BASE}/v1/mail-server`, json({ ...problem, code: 'internal' }, 401, 'application/problem+json')),
    ).rejects.toThrow(/code must be equal to one of the allowed values/);
  });
});
