import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDatabase } from '../../api/db/client.ts';
import { tenants } from '../../api/db/schema.ts';
import { makeMessageId, messageIdRandom } from '../../api/smtp/message-id.ts';
import { messageIdSql } from '../../api/outbox/accept.ts';
import { call, newTenant } from './helpers.ts';
import { messageStatus, operator, postMessage, tenantWithServer } from './outbox-helpers.ts';

const ACE = new URL('http://müller-söhne.example').hostname;
const db = () => getDatabase(env.DATABASE_URL!);

/** The Message-ID SQL makes for a tenant with this address (no server of its own). */
async function sqlMessageId(email: string, random: string): Promise<string | null> {
  const { id } = newTenant();
  const now = new Date();
  await db().insert(tenants).values({ id, name: 'Firma', email, createdAt: now, updatedAt: now });
  const row = await db().get<{ m: string | null }>(sql`select ${messageIdSql(id, random)} as m`);
  return row.m;
}

describe('Message-ID made inside the insert (messageIdSql)', () => {
  it.each([
    'rechnung@firma.example',
    'Rechnung@Firma.EXAMPLE.com',
    'a.b+c@mail-01.firma.de',
    'x@a-b.c-d.example',
    'weird@"quoted"@firma.example',
    'no-at-sign',
  ])('is what makeMessageId makes for plain domains: %s', async (email) => {
    const random = messageIdRandom();
    expect(await sqlMessageId(email, random)).toBe(makeMessageId(email, random));
  });

  it.each([
    'rechnung@müller-söhne.example', // IDN: needs IDNA
    `rechnung@${ACE}`, // already an A-label: left to the URL parser's checks
    'rechnung@[192.0.2.1]',
    'rechnung@192.0.2.1',
    'rechnung@firma.example.',
    'rechnung@firma..example',
    'rechnung@firma.0x12',
    'rechnung@',
  ])('is left to JS (NULL) where SQL cannot tell the A-label: %s', async (email) => {
    expect(await sqlMessageId(email, messageIdRandom())).toBeNull();
  });
});

describe('Message-ID of an accepted invoice', () => {
  it('is on the server’s sender domain, lower case, and stays the same for a repeated request', async () => {
    const { tenant } = await tenantWithServer('starttls', {
      from: { address: 'Rechnung@Firma-Beispiel.EXAMPLE', name: 'Firma' },
    });
    const body = { kind: 'invoice', to: ['kunde@kunde.example.com'], subject: 'Rechnung 1', text: 'Anbei.' };
    const first = await postMessage(tenant.id, body, 'key-1');
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    const status = await messageStatus(tenant.id, id);
    expect(status.messageId).toMatch(/^<[0-9a-f]{32}@firma-beispiel\.example>$/);
    const again = await postMessage(tenant.id, body, 'key-1');
    expect(await again.json()).toMatchObject({ id });
    expect((await messageStatus(tenant.id, id)).messageId).toBe(status.messageId);
  });

  it('is made in JS for an IDN sender (A-label) before the 202', async () => {
    const tenant = newTenant({ email: 'rechnung@müller-söhne.example' });
    const put = await call('PUT', `/v1/tenants/${tenant.id}`, {
      headers: operator(),
      body: { name: tenant.name, email: tenant.email },
    });
    expect(put.status).toBe(200);
    const res = await postMessage(tenant.id, {
      kind: 'invoice',
      to: ['kunde@kunde.example.com'],
      subject: 'Rechnung 2',
      text: 'Anbei.',
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await messageStatus(tenant.id, id)).messageId).toMatch(
      new RegExp(`^<[0-9a-f]{32}@${ACE.replace(/\./g, '\\.')}>$`),
    );
  });

  it('is not made for an unknown tenant: 404 and nothing stored', async () => {
    const { id } = newTenant();
    const res = await postMessage(id, {
      kind: 'invoice',
      to: ['kunde@kunde.example.com'],
      subject: 'Rechnung 3',
      text: 'Anbei.',
    });
    expect(res.status).toBe(404);
    const rows = await db().all<{ n: number }>(sql`select count(*) as n from deliveries where tenant_id = ${id}`);
    expect(rows[0]!.n).toBe(0);
  });
});
