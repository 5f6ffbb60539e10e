// The body limits on Node, through a real HTTP server (issue 21, item 2): a body over the route's
// limit is refused with a 413 problem before it has been sent (by its Content-Length) or as soon
// as it passes the limit (chunked), never read to its end; a huge array is refused before
// validation with a short answer while another tenant is served.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Problem } from '../../contract/index.ts';
import { MAX_FIELD_ERRORS } from '../../api/http/problem.ts';
import { MAX_MESSAGE_BODY_BYTES } from '../../api/features/tenants/schema.ts';
import { createNodeService } from '../../api/node/service.ts';
import { nodeTestEnv } from '../support/node-env.ts';

const env = nodeTestEnv(inject('dbUrl'), inject('smtpFixtures'), { ENVIRONMENT: 'test' });
const service = createNodeService(env);
let server: ReturnType<typeof serve>;
let port: number;

beforeAll(async () => {
  server = serve({ fetch: service.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await service.close();
});

const operator = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${env.OPERATOR_API_KEY}`,
  'content-type': 'application/json',
  'accept-language': 'en',
  ...extra,
});

async function newTenant(): Promise<string> {
  const id = `limits-${crypto.randomUUID().slice(0, 8)}`;
  const res = await fetch(`http://127.0.0.1:${port}/v1/tenants/${id}`, {
    method: 'PUT',
    headers: operator(),
    body: JSON.stringify({ name: 'Firma', email: `owner@${id}.example.com` }),
  });
  expect(res.status).toBe(200);
  return id;
}

const mail = (extra: Record<string, unknown> = {}) => ({
  kind: 'invoice',
  to: ['kunde@kunde.example.com'],
  subject: 'Rechnung 2026-001',
  text: 'Anbei die Rechnung.',
  ...extra,
});

const postMessage = (tenantId: string, body: unknown) =>
  fetch(`http://127.0.0.1:${port}/v1/tenants/${tenantId}/messages`, {
    method: 'POST',
    headers: operator({ 'idempotency-key': crypto.randomUUID() }),
    body: JSON.stringify(body),
  });

/**
 * Starts a message POST and writes `pieces` copies of `piece` to it piece by piece until the server answers (or all is
 * written); resolves with the answer and how many bytes had been written by then.
 */
function postUntilAnswered(
  tenantId: string,
  headers: Record<string, string>,
  pieces: number,
  piece: Buffer,
): Promise<{ status: number; body: string; written: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = httpRequest(
      { port, host: '127.0.0.1', method: 'POST', path: `/v1/tenants/${tenantId}/messages`, headers },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, written });
          req.destroy();
        });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const writeMore = (left: number) => {
      if (answered || left === 0) return;
      written += piece.length;
      if (req.write(piece)) setImmediate(() => writeMore(left - 1));
      else req.once('drain', () => writeMore(left - 1));
    };
    req.write('{"kind":"invoice","text":"');
    writeMore(pieces);
  });
}

describe('body limits on Node', () => {
  const piece = Buffer.alloc(64 * 1024, 'a');

  it('a declared length over the limit: 413 before the body is sent', async () => {
    const tenantId = await newTenant();
    const answer = await postUntilAnswered(
      tenantId,
      operator({ 'idempotency-key': 'k', 'content-length': String(MAX_MESSAGE_BODY_BYTES + 1) }),
      0,
      piece,
    );
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as Problem).code).toBe('payload_too_large');
  });

  it('a chunked body: 413 once it passes the limit, not read to its end', async () => {
    const tenantId = await newTenant();
    // Twice the limit on offer; the answer must come before all of it is written.
    const pieces = Math.ceil((2 * MAX_MESSAGE_BODY_BYTES) / piece.length);
    const answer = await postUntilAnswered(tenantId, operator({ 'idempotency-key': 'k' }), pieces, piece);
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as Problem).code).toBe('payload_too_large');
    expect(answer.written).toBeLessThan(pieces * piece.length);
  });

  it('100,000 invalid cc addresses: 400 with a short answer, another tenant served meanwhile', async () => {
    const [attacker, other] = await Promise.all([newTenant(), newTenant()]);
    const cc = Array.from({ length: 100_000 }, (_, i) => `kein-empfaenger-${i}`);
    const [huge, normal] = await Promise.all([postMessage(attacker, mail({ cc })), postMessage(other, mail())]);
    expect(normal.status).toBe(202);
    expect(huge.status).toBe(400);
    const text = await huge.text();
    expect((JSON.parse(text) as Problem).code).toBe('json_too_many_items');
    expect(text.length).toBeLessThan(1024);
  });

  it(`at most ${MAX_FIELD_ERRORS} field errors, the rest counted`, async () => {
    const attachments = Array.from({ length: 60 }, (_, i) => ({
      filename: `../${i}.pdf`,
      contentType: 'application/pdf',
      content: 'AAAA',
    }));
    const res = await postMessage(await newTenant(), mail({ attachments }));
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem;
    expect(problem.errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(problem.errorsOmitted).toBe(60 - MAX_FIELD_ERRORS);
  });
});
