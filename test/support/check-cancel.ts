// The cancel scenario both runtimes' tests share: a streamed check stalled at MAIL FROM on the
// stallsAtMail fixture, cancelled, and how long the fixture's session outlived the cancel.
import { expect } from 'vitest';
import { eventReader, STREAM } from './event-stream.ts';
import type { SmtpFixturesInfo } from './smtp-servers.ts';

/** A POST as the tenant, through the runtime under test. */
export type Post = (path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;

export const stallDraft = (fixtures: SmtpFixturesInfo, from: string) => ({
  host: fixtures.host,
  port: fixtures.ports.stallsAtMail,
  security: 'none',
  auth: { method: 'plain', username: fixtures.username, password: fixtures.password },
  from: { address: from, name: 'Müller & Söhne GmbH' },
});

/** When (epoch ms) the fixture saw the session of sender `from` close; answers once it has. */
export async function closedAt(fixtures: SmtpFixturesInfo, from: string): Promise<number> {
  const res = await fetch(`${fixtures.controlUrl}/closed?from=${encodeURIComponent(from)}`);
  return ((await res.json()) as { closedAt: number }).closedAt;
}

/** Starts a streamed check against the stalling server and waits for its `mail` stage to start. */
export async function stalledCheck(post: Post, fixtures: SmtpFixturesInfo, kind: 'test' | 'verify') {
  const from = `rechnung-${crypto.randomUUID().slice(0, 8)}@firma.example`;
  const res = await post(`/v1/mail-server/${kind}`, stallDraft(fixtures, from), STREAM);
  expect(res.status).toBe(200);
  const events = eventReader(res);
  const start = await events.until((e) => e.event === 'start');
  await events.until((e) => e.event === 'stage' && e.data.stage === 'mail' && e.data.status === 'started');
  return { id: String(start.data.id), from, events };
}

/** Cancels the check (204) and answers how long after it the server saw the session close. */
export async function cancelAndMeasure(
  post: Post,
  fixtures: SmtpFixturesInfo,
  check: { id: string; from: string },
  label: string,
): Promise<number> {
  const cancelled = Date.now();
  expect((await post(`/v1/mail-server/checks/${check.id}/cancel`)).status).toBe(204);
  const ms = (await closedAt(fixtures, check.from)) - cancelled;
  console.log(`${label}: cancel → the server saw the SMTP session close after ${ms} ms`);
  return ms;
}
