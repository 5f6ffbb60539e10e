// The streamed test and verify on Node (api/node/service.ts): the same events as in the Worker.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { TestResult } from '../../contract/index.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { createNodeService } from '../../api/node/service.ts';
import { nodeApp } from '../support/node-app.ts';
import { nodeTestEnv } from '../support/node-env.ts';
import { eventsOf, STREAM } from '../support/event-stream.ts';

const fixtures = inject('smtpFixtures');
const env: Bindings = nodeTestEnv(inject('dbUrl'), fixtures, { ENVIRONMENT: 'test' });
const service = createNodeService(env, {
  timeouts: { connectMs: 5_000, greetingMs: 5_000, socketMs: 5_000, totalMs: 10_000 },
});
afterAll(() => service.close());
const { call, newTenant } = nodeApp(service, env, fixtures);

// No CA here vouches for the fixtures' certificate on Node: the test trusts it by its SHA-256.
const serverSha256 = new X509Certificate(
  readFileSync(new URL('../fixtures/tls/server.pem', import.meta.url)),
).fingerprint256.replace(/:/g, '');

const draft = {
  allowUntrustedCertificate: true,
  trustedCertificateSha256: serverSha256,
  host: fixtures.host,
  port: fixtures.ports.starttls,
  security: 'starttls',
  auth: { method: 'plain', username: fixtures.username, password: fixtures.password },
  from: { address: 'rechnung@kunde-node.example.com', name: 'Müller & Söhne GmbH' },
};

describe('streamed checks on Node', () => {
  it('a streamed test: start, each stage started and passed in order, then the result', async () => {
    const { token } = await newTenant();
    const res = await call('POST', '/v1/mail-server/test', { token, body: draft, headers: STREAM });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const events = await eventsOf(res);
    expect(events[0]).toMatchObject({ event: 'start', data: { kind: 'test' } });
    const stages = events.filter((e) => e.event === 'stage').map((e) => `${e.data.stage}:${e.data.status}`);
    expect(stages).toEqual(
      ['connect', 'greeting', 'ehlo', 'tls', 'auth', 'mail', 'rcpt', 'data'].flatMap((s) => [
        `${s}:started`,
        `${s}:passed`,
      ]),
    );
    const result = events.at(-1)!;
    expect(result.event).toBe('result');
    expect((result.data as unknown as TestResult).ok).toBe(true);
  });

  it('a streamed verify ends with rcpt passed and a passing result', async () => {
    const { token } = await newTenant();
    const events = await eventsOf(
      await call('POST', '/v1/mail-server/verify', { token, body: draft, headers: STREAM }),
    );
    expect(events[0]).toMatchObject({ event: 'start', data: { kind: 'verify' } });
    expect(events.at(-2)).toMatchObject({ event: 'stage', data: { stage: 'rcpt', status: 'passed' } });
    expect(events.at(-1)).toMatchObject({ event: 'result', data: { ok: true } });
  });
});
