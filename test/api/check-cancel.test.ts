// Cancel of a running streamed test or verify in the Worker: the API ends the SMTP session at
// once (the stalling server sees its client hang up within the 1 s), the stream's result
// and the delivery row say `cancelled`, and the session's own end does not overwrite that.
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import type { TestResult } from '../../contract/index.ts';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries } from '../../api/db/schema.ts';
import { cancelAndMeasure, closedAt, type Post, stalledCheck } from '../support/check-cancel.ts';
import { eventsOf, STREAM } from '../support/event-stream.ts';
import { clientFor } from './helpers.ts';
import { fixtures, leakForms } from './smtp-helpers.ts';

const db = () => getDatabase((env as { DATABASE_URL: string }).DATABASE_URL);
const rowOf = async (id: string) => (await db().select().from(deliveries).where(eq(deliveries.id, id)))[0];
/** The row once the session's own end was recorded too (after the response, waitUntil): it fills in the subject. */
const endedRow = (id: string) =>
  vi.waitFor(
    async () => {
      const row = await rowOf(id);
      if (!row?.subject) throw new Error('the session’s end is not recorded yet');
      return row;
    },
    { timeout: 2_000, interval: 10 },
  );

async function tenantPost() {
  const api = await clientFor();
  const post: Post = (path, body, headers) => api.post(path, body, headers ? { headers } : {});
  return { api, post };
}

describe('POST /v1/mail-server/checks/{id}/cancel (Workers)', () => {
  for (const kind of ['test', 'verify'] as const) {
    it(`a streamed ${kind} stalled at MAIL FROM: 204, the session ends within 1 s, result and row say cancelled`, async () => {
      const { post } = await tenantPost();
      const check = await stalledCheck(post, fixtures(), kind);
      const ms = await cancelAndMeasure(post, fixtures(), check, `Workers ${kind}`);
      expect(ms).toBeLessThanOrEqual(1_000);
      const result = (await check.events.until((e) => e.event === 'result')).data as unknown as TestResult;
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toMatchObject({
        stage: 'mail',
        code: 'cancelled',
        message: 'Die Prüfung wurde abgebrochen.',
      });
      const row = await endedRow(check.id);
      expect(row).toMatchObject({ status: 'failed', kind: 'test', error: { stage: 'mail', code: 'cancelled' } });
      // A second cancel: 204, nothing changes.
      expect((await post(`/v1/mail-server/checks/${check.id}/cancel`)).status).toBe(204);
      expect(await rowOf(check.id)).toEqual(row);
    });
  }

  it('the client going away (the response body cancelled) ends the session too, recorded as cancelled', async () => {
    const { post } = await tenantPost();
    const check = await stalledCheck(post, fixtures(), 'test');
    const gone = Date.now();
    await check.events.cancel();
    const ms = (await closedAt(fixtures(), check.from)) - gone;
    console.log(`Workers, client gone: the server saw the SMTP session close after ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(1_000);
    expect(await endedRow(check.id)).toMatchObject({ status: 'failed', error: { stage: 'mail', code: 'cancelled' } });
  });

  it('another tenant’s cancel and an unknown id are 404 problems; the check runs on until its own cancel', async () => {
    const owner = await tenantPost();
    const other = await tenantPost();
    const check = await stalledCheck(owner.post, fixtures(), 'test');
    for (const id of [check.id, crypto.randomUUID()]) {
      const res = await other.post(`/v1/mail-server/checks/${id}/cancel`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(await rowOf(check.id)).toMatchObject({ status: 'sending', error: null });
    expect(await cancelAndMeasure(owner.post, fixtures(), check, 'Workers test')).toBeLessThanOrEqual(1_000);
    expect(await endedRow(check.id)).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
  });

  it('a finished check: 204 and its outcome stays', async () => {
    const { post } = await tenantPost();
    const f = fixtures();
    const draft = {
      host: f.host,
      port: f.ports.starttls,
      security: 'starttls',
      auth: { method: 'login', username: f.username, password: f.password },
      from: { address: 'rechnung@firma.example', name: 'Müller & Söhne GmbH' },
    };
    const events = await eventsOf(await post('/v1/mail-server/test', draft, STREAM));
    const id = String(events[0]!.data.id);
    const row = await endedRow(id);
    expect(row.status).toBe('sent');
    expect((await post(`/v1/mail-server/checks/${id}/cancel`)).status).toBe(204);
    expect(await rowOf(id)).toEqual(row);
  });

  it('the cancelled stream never contains the password the server says back', async () => {
    const { post } = await tenantPost();
    const f = fixtures();
    const check = await stalledCheck(post, f, 'test');
    await cancelAndMeasure(post, f, check, 'Workers test');
    await check.events.until((e) => e.event === 'result');
    const streamed = JSON.stringify(check.events.seen);
    for (const form of leakForms(f.password, f.username)) expect(streamed).not.toContain(form);
    const auth = check.events.seen.find(
      (e) => e.event === 'stage' && e.data.stage === 'auth' && e.data.status === 'passed',
    );
    expect(auth?.data.reply).toMatch(/^235 2\.7\.0 Welcome, .* with \*\*\*$/);
  });
});
