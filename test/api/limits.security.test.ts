// Bodies built to make validation costly (issue 21, item 2): structural limits come before any
// per-item check, a response carries at most 20 field errors, and each limit holds at exactly its
// value and refuses one more.
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../contract/index.ts';
import { MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_JSON_ITEMS } from '../../api/http/body.ts';
import { MAX_FIELD_ERRORS } from '../../api/http/problem.ts';
import { jsonShapeProblem } from '../../api/util/json-depth.ts';
import { MAX_MESSAGE_BODY_BYTES, MAX_RECIPIENTS } from '../../api/features/tenants/schema.ts';
import { call, newTenant } from './helpers.ts';
import { operator, postMessage, tenantWithServer } from './outbox-helpers.ts';

const mail = (extra: Record<string, unknown> = {}) => ({
  kind: 'invoice',
  to: ['kunde@kunde.example.com'],
  subject: 'Rechnung 2026-001',
  text: 'Anbei die Rechnung.',
  ...extra,
});

const addresses = (n: number, valid = true) =>
  Array.from({ length: n }, (_, i) => (valid ? `k${i}@kunde.example.com` : `kein-empfaenger-${i}`));

/** Raw JSON padded with spaces (JSON whitespace) to exactly `bytes` bytes. */
const padded = (body: unknown, bytes: number) => {
  const json = JSON.stringify(body);
  return json.slice(0, -1) + ' '.repeat(bytes - json.length) + json.slice(-1);
};

const postRaw = (tenantId: string, rawBody: string) =>
  call('POST', `/v1/tenants/${tenantId}/messages`, {
    headers: operator({ 'idempotency-key': crypto.randomUUID(), 'content-type': 'application/json' }),
    rawBody,
  });

async function problemOf(res: Response): Promise<{ problem: Problem; bytes: number }> {
  const text = await res.text();
  return { problem: JSON.parse(text) as Problem, bytes: text.length };
}

describe('a huge array', () => {
  it('100,000 invalid cc addresses: refused before validation, a short answer, another tenant served meanwhile', async () => {
    const [{ tenant: attacker }, { tenant: other }] = await Promise.all([tenantWithServer(), tenantWithServer()]);
    const [huge, normal] = await Promise.all([
      postMessage(attacker.id, mail({ cc: addresses(100_000, false) })),
      postMessage(other.id, mail()),
    ]);
    expect(normal.status).toBe(202);
    expect(huge.status).toBe(400);
    const { problem, bytes } = await problemOf(huge);
    expect(problem.code).toBe('json_too_many_items');
    expect(bytes).toBeLessThan(1024);
  });

  it(`${MAX_JSON_ITEMS} items in all reach validation, one more is refused before parsing`, async () => {
    const tenantId = newTenant().id;
    // The object and the array count one each, every comma one more.
    const items = (n: number) => `{"kind":[${'1,'.repeat(n - 2)}1]}`;
    const atLimit = await postRaw(tenantId, items(MAX_JSON_ITEMS));
    expect(atLimit.status).toBe(422);
    expect(((await atLimit.json()) as Problem).errors?.[0]).toMatchObject({ path: 'kind', code: 'kind_invalid' });
    const over = await postRaw(tenantId, items(MAX_JSON_ITEMS + 1));
    expect(over.status).toBe(400);
    expect(((await over.json()) as Problem).code).toBe('json_too_many_items');
  });

  it(`a list of ${MAX_RECIPIENTS} recipients is taken, ${MAX_RECIPIENTS + 1} invalid ones get one error`, async () => {
    const { tenant } = await tenantWithServer();
    const full = await postMessage(tenant.id, mail({ to: addresses(MAX_RECIPIENTS) }));
    expect(full.status).toBe(202);
    for (const field of ['to', 'cc', 'bcc']) {
      const res = await postMessage(tenant.id, mail({ [field]: addresses(MAX_RECIPIENTS + 1, false) }));
      expect(res.status, field).toBe(422);
      expect(((await res.json()) as Problem).errors).toEqual([
        expect.objectContaining({ path: field, code: 'too_many_recipients' }),
      ]);
    }
  });
});

describe('the item count before parsing', () => {
  it('counts the items of arrays and objects, not commas or brackets inside strings', () => {
    expect(jsonShapeProblem(`{"a":"${',[{'.repeat(5000)}"}`, 32, 10)).toBeNull();
    expect(jsonShapeProblem(`{"a\\"${',,'.repeat(5000)}":1}`, 32, 10)).toBeNull(); // an escaped quote does not end it
    expect(jsonShapeProblem(`{"a":[1,2,3],"b":{"c":[]}}`, 32, 7)).toBeNull(); // 2 + 3 + 1 items, and [] counts one
    expect(jsonShapeProblem(`{"a":[1,2,3],"b":{"c":[]}}`, 32, 6)).toBe('too_many_items');
  });
});

describe('field errors per response', () => {
  const badAttachments = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ filename: `../${i}.pdf`, contentType: 'application/pdf', content: 'AAAA' }));

  it(`at most ${MAX_FIELD_ERRORS}, and the rest counted`, async () => {
    const res = await postMessage(newTenant().id, mail({ attachments: badAttachments(45) }));
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem;
    expect(problem.errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(problem.errorsOmitted).toBe(45 - MAX_FIELD_ERRORS);
  });

  it(`exactly ${MAX_FIELD_ERRORS}: all shown, none omitted`, async () => {
    const problem = (await (
      await postMessage(newTenant().id, mail({ attachments: badAttachments(MAX_FIELD_ERRORS) }))
    ).json()) as Problem;
    expect(problem.errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(problem.errorsOmitted).toBeUndefined();
  });
});

describe('string lengths come before the checks of the content', () => {
  const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(58)}.de`; // 189 characters
  const cases: [string, (n: number) => Record<string, unknown>, number, string][] = [
    ['subject', (n) => ({ subject: 'R'.repeat(n) }), 998, 'subject'],
    ['reference', (n) => ({ reference: 'R'.repeat(n) }), 200, 'reference'],
    ['address', (n) => ({ to: [`${'k'.repeat(n - 190)}@${domain}`] }), 254, 'to.0'],
    [
      'content type',
      (n) => ({
        attachments: [{ filename: 'a.pdf', contentType: `application/${'x'.repeat(n - 12)}`, content: 'AAAA' }],
      }),
      255,
      'attachments.0.contentType',
    ],
  ];
  for (const [name, body, max, path] of cases) {
    it(`${name}: ${max} characters taken, ${max + 1} too long`, async () => {
      const { tenant } = await tenantWithServer();
      expect((await postMessage(tenant.id, mail(body(max)))).status).toBe(202);
      const over = (await (await postMessage(tenant.id, mail(body(max + 1)))).json()) as Problem;
      expect(over.errors).toEqual([expect.objectContaining({ path, code: 'too_long' })]);
    });
  }

  it('a subject too long with a line break in it is "too long": its content was not read', async () => {
    const res = await postMessage(newTenant().id, mail({ subject: `Rechnung\n${'R'.repeat(1_000_000)}` }));
    expect(((await res.json()) as Problem).errors).toEqual([
      expect.objectContaining({ path: 'subject', code: 'too_long' }),
    ]);
  });
});

describe('nesting', () => {
  const nested = (depth: number) => `{"kind":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

  it(`${MAX_JSON_DEPTH} levels reach validation, ${MAX_JSON_DEPTH + 1} are refused before parsing`, async () => {
    const tenantId = newTenant().id;
    expect((await postRaw(tenantId, nested(MAX_JSON_DEPTH))).status).toBe(422);
    const over = await postRaw(tenantId, nested(MAX_JSON_DEPTH + 1));
    expect(over.status).toBe(400);
    expect(((await over.json()) as Problem).code).toBe('json_too_deep');
  });
});

describe('body size per route', () => {
  it(`a message of exactly ${MAX_MESSAGE_BODY_BYTES} bytes is taken, one byte more is refused unparsed`, async () => {
    const { tenant } = await tenantWithServer();
    const pdf = { filename: 'rechnung.pdf', contentType: 'application/pdf', content: 'JVBE'.repeat(2_500_000) };
    const body = mail({ attachments: [pdf] });
    expect((await postRaw(tenant.id, padded(body, MAX_MESSAGE_BODY_BYTES))).status).toBe(202);
    // Not JSON at all: a 413, not a 400, shows that it was refused before it was parsed.
    const over = await postRaw(tenant.id, `{${'x'.repeat(MAX_MESSAGE_BODY_BYTES)}`);
    expect(over.status).toBe(413);
    expect(((await over.json()) as Problem).code).toBe('payload_too_large');
  });

  it(`a tenant profile of exactly ${MAX_JSON_BYTES} bytes is taken, one byte more is refused`, async () => {
    const tenant = newTenant();
    const put = (rawBody: string) =>
      call('PUT', `/v1/tenants/${tenant.id}`, {
        headers: operator({ 'content-type': 'application/json' }),
        rawBody,
      });
    const profile = { name: tenant.name, email: tenant.email };
    expect((await put(padded(profile, MAX_JSON_BYTES))).status).toBe(200);
    const over = await put(padded(profile, MAX_JSON_BYTES + 1));
    expect(over.status).toBe(413);
  });
});
