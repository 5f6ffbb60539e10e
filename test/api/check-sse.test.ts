import { describe, expect, it } from 'vitest';
import type { TestResult, VerifyResult } from '../../contract/index.ts';
import { clientFor } from './helpers.ts';
import { starttlsDraftFor as draftFor } from './smtp-helpers.ts';
import { eventsOf, STREAM as EVENT_STREAM } from '../support/event-stream.ts';

const STREAM = { headers: EVENT_STREAM };

/** What a result says apart from its timing and per-session details. */
const gist = (body: TestResult | VerifyResult) => ({
  ok: body.ok,
  keys: Object.keys(body).sort(),
  warnings: body.warnings,
  commands: body.transcript.filter((l) => l.dir === 'c').map((l) => l.line.replace(/<[^>]*@/, '<…@')),
  error: body.ok ? null : { stage: body.error.stage, code: body.error.code, responseCode: body.error.responseCode },
});

describe('POST /v1/mail-server/test and /verify as Server-Sent Events', () => {
  it('a streamed test: start with the row id, the stages in order with the server’s replies, then the plain answer', async () => {
    const api = await clientFor();
    const res = await api.post('/v1/mail-server/test', draftFor('starttls'), STREAM);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const events = await eventsOf(res);
    expect(events[0]).toEqual({ event: 'start', data: { id: expect.any(String), kind: 'test' } });
    const stages = events.filter((e) => e.event === 'stage').map((e) => e.data);
    expect(stages.map((s) => `${s.stage}:${s.status}`)).toEqual(
      ['connect', 'greeting', 'ehlo', 'tls', 'auth', 'mail', 'rcpt', 'data'].flatMap((s) => [
        `${s}:started`,
        `${s}:passed`,
      ]),
    );
    const reply = (stage: string) => stages.find((s) => s.stage === stage && s.status === 'passed')!.reply;
    expect(reply('connect')).toBeUndefined();
    expect(reply('greeting')).toMatch(/^220 /);
    expect(reply('tls')).toMatch(/^220 /);
    expect(reply('auth')).toMatch(/^235 /);
    expect(reply('data')).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const elapsed = stages.map((s) => s.elapsedMs as number);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    const last = events.at(-1)!;
    expect(last.event).toBe('result');
    expect(events.filter((e) => e.event === 'result')).toHaveLength(1);

    const plain = (await (await api.post('/v1/mail-server/test', draftFor('starttls'))).json()) as TestResult;
    expect(gist(last.data as unknown as TestResult)).toEqual(gist(plain));
    expect((last.data as unknown as TestResult).ok && reply('data')).toBe(
      (last.data as unknown as { response: string }).response,
    );
  });

  it('a streamed verify that the server refuses at MAIL FROM: mail failed with its reply, then the result', async () => {
    const api = await clientFor();
    const res = await api.post('/v1/mail-server/verify', draftFor('relayDenied'), STREAM);
    expect(res.status).toBe(200);
    const events = await eventsOf(res);
    expect(events[0]!.data).toMatchObject({ kind: 'verify' });
    const stages = events.filter((e) => e.event === 'stage').map((e) => e.data);
    expect(stages.at(-2)).toMatchObject({ stage: 'mail', status: 'started' });
    expect(stages.at(-1)).toMatchObject({ stage: 'mail', status: 'failed', reply: expect.stringMatching(/^550 /) });
    expect(stages.some((s) => s.stage === 'rcpt')).toBe(false);
    const result = events.at(-1)!;
    expect(result.event).toBe('result');
    const plain = (await (await api.post('/v1/mail-server/verify', draftFor('relayDenied'))).json()) as VerifyResult;
    expect(gist(result.data as unknown as VerifyResult)).toEqual(gist(plain));
  });

  it('a streamed verify that passes ends with rcpt passed on the RCPT reply, not the RSET one', async () => {
    const api = await clientFor();
    const events = await eventsOf(await api.post('/v1/mail-server/verify', draftFor('starttls'), STREAM));
    const stages = events.filter((e) => e.event === 'stage').map((e) => e.data);
    expect(stages.at(-1)).toMatchObject({ stage: 'rcpt', status: 'passed' });
    const result = events.at(-1)!.data as unknown as VerifyResult;
    expect(result.ok).toBe(true);
    expect(stages.at(-1)!.reply).toBe(result.ok ? result.response : null);
  });

  it('errors before the session stay problem+json: 422 for a bad draft, 429 with retry-after past the limit', async () => {
    const api = await clientFor();
    const bad = await api.post('/v1/mail-server/test', { ...draftFor('starttls'), port: 0 }, STREAM);
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    for (let i = 0; i < 5; i++)
      await (await api.post('/v1/mail-server/verify', draftFor('relayDenied'), STREAM)).text();
    const limited = await api.post('/v1/mail-server/test', draftFor('starttls'), STREAM);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
