import { describe, expect, it } from 'vitest';
import {
  type AttemptInput,
  type AttemptRow,
  type AttemptServer,
  type AttemptStep,
  attemptsOn,
  nextAttemptStep,
  payloadMissing,
  payloadUnusable,
  type RouteResult,
} from '../../api/outbox/attempt.ts';
import type { SmtpErrorCode } from '../../contract/index.ts';
import type { NormalizedSmtpError } from '../../api/smtp/types.ts';

const NOW = new Date('2026-12-07T10:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const A = 'a@kunde.example';
const B = 'b@kunde.example';
const SERVER = { host: 'mail.tenant.example', port: 587, security: 'starttls' as const };

const row = (overrides: Partial<AttemptRow> = {}): AttemptRow => ({
  route: null,
  recipients: { to: [A, B], cc: [], bcc: [] },
  acceptedRecipients: null,
  attempts: 1,
  routeSinceAttempt: 1,
  fallbackAtAttempt: null,
  interruptions: 0,
  routePinned: false,
  ...overrides,
});
const server = (fallbackToSystem: boolean): AttemptServer => ({
  ...SERVER,
  authMethod: 'plain',
  oauthProvider: null,
  fallbackToSystem,
});

const accepted = (list: string[], refused: { recipient: string; responseCode: number | null }[] = []): RouteResult => ({
  ok: true,
  response: '250 2.0.0 queued',
  accepted: list,
  rejected: refused.map((r) => r.recipient),
  rejectedDetails: refused
    .filter((r) => r.responseCode !== null)
    .map((r) => ({ ...r, response: `${r.responseCode} no` })),
});
const failure = (code: SmtpErrorCode, extra: Partial<NormalizedSmtpError> = {}): RouteResult => ({
  ok: false,
  error: { stage: 'connect', code, responseCode: null, response: null, transient: true, ...extra },
});
const authFailed = failure('auth_failed', { stage: 'auth', responseCode: 535, response: '535 no', transient: false });
const noVerdict = failure('response_timeout', { stage: 'data', deliveryUnknown: true });

/** Runs the attempt as deliver does: each send it asks for gets the next result. */
function run(input: AttemptInput, results: RouteResult[]) {
  const sends: Extract<AttemptStep, { send: unknown }>[] = [];
  for (;;) {
    const step = nextAttemptStep(input, results.slice(0, sends.length));
    if ('outcome' in step) return { sends, outcome: step.outcome };
    if (sends.length >= results.length) throw new Error(`unexpected send ${JSON.stringify(step)}`);
    sends.push(step);
  }
}

interface Case {
  name: string;
  row?: Partial<AttemptRow>;
  server?: AttemptServer;
  results: RouteResult[];
  sends: [send: 'tenant' | 'system', route: AttemptRow['route'], accepted: string[]][];
  outcome: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'all recipients accepted by the tenant server: sent',
    server: server(false),
    results: [accepted([A, B])],
    sends: [['tenant', 'tenant', []]],
    outcome: {
      status: 'sent',
      route: 'tenant',
      smtpResponse: '250 2.0.0 queued',
      acceptedRecipients: [A, B],
      sentAt: NOW,
    },
  },
  {
    name: 'a tenant without a server sends through the system relay',
    results: [accepted([A, B])],
    sends: [['system', 'system', []]],
    outcome: { status: 'sent', route: 'system', acceptedRecipients: [A, B] },
  },
  {
    name: 'some recipients refused with 4xx: retried for them, the accepted kept',
    server: server(true),
    results: [accepted([A], [{ recipient: B, responseCode: 450 }])],
    sends: [['tenant', 'tenant', []]],
    outcome: {
      status: 'retrying',
      acceptedRecipients: [A],
      nextAttemptAt: later(60),
      error: {
        stage: 'rcpt',
        code: 'recipients_rejected',
        responseCode: 450,
        response: `${B}: 450 no`,
        server: SERVER,
      },
    },
  },
  {
    name: 'a refusal listed without a reply counts as temporary',
    server: server(false),
    results: [accepted([A], [{ recipient: B, responseCode: null }])],
    sends: [['tenant', 'tenant', []]],
    outcome: {
      status: 'retrying',
      error: { code: 'recipients_rejected', responseCode: null, response: `${B}: refused` },
    },
  },
  {
    name: 'some recipients refused with 5xx, fallback off: sent to the others, the refusal kept as its error',
    server: server(false),
    results: [accepted([A], [{ recipient: B, responseCode: 550 }])],
    sends: [['tenant', 'tenant', []]],
    outcome: {
      status: 'sent',
      sentAt: NOW,
      acceptedRecipients: [A],
      error: { code: 'recipients_refused', responseCode: 550 },
    },
  },
  {
    name: 'some recipients refused with 5xx, fallback on: the relay takes the rest',
    row: { attempts: 2 },
    server: server(true),
    results: [accepted([A], [{ recipient: B, responseCode: 550 }]), accepted([B])],
    sends: [
      ['tenant', 'tenant', []],
      ['system', 'system-fallback', [A]],
    ],
    outcome: {
      status: 'sent',
      route: 'system-fallback',
      acceptedRecipients: [A, B],
      fallbackAtAttempt: 2,
      fallbackReason: { code: 'recipients_rejected', responseCode: 550 },
    },
  },
  {
    name: 'all recipients refused with 5xx, fallback off: failed',
    server: server(false),
    results: [
      accepted(
        [],
        [
          { recipient: A, responseCode: 550 },
          { recipient: B, responseCode: 551 },
        ],
      ),
    ],
    sends: [['tenant', 'tenant', []]],
    outcome: { status: 'failed', acceptedRecipients: [], error: { code: 'recipients_rejected', responseCode: 550 } },
  },
  {
    name: 'a mix of 4xx and 5xx refusals is retried, naming the temporary one',
    server: server(false),
    results: [
      accepted(
        [],
        [
          { recipient: A, responseCode: 550 },
          { recipient: B, responseCode: 452 },
        ],
      ),
    ],
    sends: [['tenant', 'tenant', []]],
    outcome: { status: 'retrying', error: { code: 'recipients_rejected', responseCode: 452 } },
  },
  {
    name: 'a transient failure with budget left is retried after the next delay',
    row: { route: 'tenant', attempts: 2 },
    server: server(true),
    results: [failure('response_timeout')],
    sends: [['tenant', 'tenant', []]],
    outcome: {
      status: 'retrying',
      route: 'tenant',
      nextAttemptAt: later(300),
      error: { code: 'response_timeout', server: SERVER },
    },
  },
  {
    name: 'a transient failure with the budget spent fails (fallback off)',
    row: { route: 'tenant', attempts: 4 },
    server: server(false),
    results: [failure('response_timeout')],
    sends: [['tenant', 'tenant', []]],
    outcome: { status: 'failed', route: 'tenant', error: { code: 'response_timeout' } },
  },
  {
    name: 'a transient failure with the budget spent goes to the relay (fallback on)',
    row: { route: 'tenant', attempts: 4 },
    server: server(true),
    results: [failure('response_timeout'), accepted([A, B])],
    sends: [
      ['tenant', 'tenant', []],
      ['system', 'system-fallback', []],
    ],
    outcome: {
      status: 'sent',
      route: 'system-fallback',
      fallbackAtAttempt: 4,
      fallbackReason: { code: 'response_timeout' },
    },
  },
  {
    name: 'a permanent failure, fallback off: failed at once',
    server: server(false),
    results: [authFailed],
    sends: [['tenant', 'tenant', []]],
    outcome: { status: 'failed', error: { stage: 'auth', code: 'auth_failed', responseCode: 535, server: SERVER } },
  },
  {
    name: "a permanent failure, fallback on: the relay's transient failure starts its own budget",
    row: { attempts: 3, routeSinceAttempt: 1, route: 'tenant' },
    server: server(true),
    results: [authFailed, failure('connection_refused')],
    sends: [
      ['tenant', 'tenant', []],
      ['system', 'system-fallback', []],
    ],
    outcome: {
      status: 'retrying',
      route: 'system-fallback',
      nextAttemptAt: later(60),
      fallbackAtAttempt: 3,
      fallbackReason: { code: 'auth_failed', server: SERVER },
      error: { code: 'connection_refused' },
    },
  },
  {
    name: 'no verdict after the message, first time: retried once as an interruption, never through the relay',
    server: server(true),
    results: [noVerdict],
    sends: [['tenant', 'tenant', []]],
    outcome: { status: 'retrying', interrupted: true, nextAttemptAt: later(60), error: { code: 'response_timeout' } },
  },
  {
    name: 'no verdict after an earlier interruption: failed as delivery unknown',
    row: { route: 'tenant', attempts: 2, interruptions: 1 },
    server: server(true),
    results: [noVerdict],
    sends: [['tenant', 'tenant', []]],
    outcome: { status: 'failed', error: { code: 'delivery_unknown', server: SERVER } },
  },
  {
    name: 'no verdict with the budget spent: failed as delivery unknown',
    row: { route: 'tenant', attempts: 4 },
    server: server(true),
    results: [noVerdict],
    sends: [['tenant', 'tenant', []]],
    outcome: { status: 'failed', error: { code: 'delivery_unknown' } },
  },
  {
    name: 'a row cut off before never goes through the relay after a permanent failure',
    row: { route: 'tenant', attempts: 2, interruptions: 1 },
    server: server(true),
    results: [authFailed],
    sends: [['tenant', 'tenant', []]],
    outcome: { status: 'failed', route: 'tenant', error: { code: 'auth_failed' } },
  },
  {
    name: 'fallback turned off after the route switched: failed without a send',
    row: { route: 'system-fallback', attempts: 2 },
    server: server(false),
    results: [],
    sends: [],
    outcome: { status: 'failed', route: 'system-fallback', error: { code: 'fallback_turned_off' } },
  },
  {
    name: 'fallback turned off after some recipients had it: sent, with the reason as its error',
    row: { route: 'system-fallback', attempts: 2, acceptedRecipients: [A] },
    server: server(false),
    results: [],
    sends: [],
    outcome: { status: 'sent', sentAt: NOW, error: { code: 'fallback_turned_off' } },
  },
  {
    name: 'recipients a server accepted before are never sent again',
    row: { route: 'tenant', attempts: 2, acceptedRecipients: [A] },
    server: server(false),
    results: [accepted([B])],
    sends: [['tenant', 'tenant', [A]]],
    outcome: { status: 'sent', acceptedRecipients: [A, B] },
  },
  {
    name: 'a row on the fallback stays on the relay, for the recipients left',
    row: { route: 'system-fallback', attempts: 3, routeSinceAttempt: 2, acceptedRecipients: [A] },
    server: server(true),
    results: [accepted([B])],
    sends: [['system', 'system-fallback', [A]]],
    outcome: { status: 'sent', route: 'system-fallback', acceptedRecipients: [A, B] },
  },
  {
    name: "the fallback's own budget: its third attempt waits the third delay",
    row: { route: 'system-fallback', attempts: 4, routeSinceAttempt: 2 },
    server: server(true),
    results: [failure('response_timeout')],
    sends: [['system', 'system-fallback', []]],
    outcome: { status: 'retrying', route: 'system-fallback', nextAttemptAt: later(900) },
  },
  {
    name: "the fallback's own budget spent: failed, never back to the tenant server",
    row: { route: 'system-fallback', attempts: 5, routeSinceAttempt: 2 },
    server: server(true),
    results: [failure('response_timeout')],
    sends: [['system', 'system-fallback', []]],
    outcome: { status: 'failed', route: 'system-fallback', error: { code: 'response_timeout' } },
  },
  {
    name: 'the system route retries within its budget',
    row: { route: 'system', attempts: 3 },
    results: [failure('system_relay_not_configured')],
    sends: [['system', 'system', []]],
    outcome: { status: 'retrying', route: 'system', nextAttemptAt: later(900) },
  },
];

describe('outbox attempt outcome rules', () => {
  it.each(cases)('$name', ({ row: overrides, server, results, sends, outcome }) => {
    const result = run({ row: row(overrides), server, retryDelays: [60, 300, 900], now: NOW }, results);
    expect(result.sends.map((s) => [s.send, s.route, s.accepted])).toEqual(sends);
    expect(result.outcome).toMatchObject(outcome);
  });

  it('stores the relay error without naming the tenant server', () => {
    const { outcome } = run({ row: row(), server: undefined, retryDelays: [], now: NOW }, [
      failure('response_timeout'),
    ]);
    expect(outcome).toEqual({
      status: 'failed',
      route: 'system',
      error: { stage: 'connect', code: 'response_timeout', responseCode: null, response: null },
    });
  });

  it.each([
    { name: 'a new row', row: {}, route: 'tenant', expected: 1 },
    { name: 'a row that changes route', row: { route: 'system', attempts: 5 }, route: 'tenant', expected: 1 },
    {
      name: 'the same route since the first attempt',
      row: { route: 'tenant', attempts: 3 },
      route: 'tenant',
      expected: 3,
    },
    {
      name: 'the same route since a later attempt (routeSinceAttempt)',
      row: { route: 'tenant', attempts: 5, routeSinceAttempt: 3 },
      route: 'tenant',
      expected: 3,
    },
    {
      name: 'a fallback recorded before routeSinceAttempt existed counts from fallbackAtAttempt',
      row: { route: 'system-fallback', attempts: 4, routeSinceAttempt: 1, fallbackAtAttempt: 3 },
      route: 'system-fallback',
      expected: 2,
    },
    {
      name: 'fallbackAtAttempt only counts for the fallback route',
      row: { route: 'tenant', attempts: 4, fallbackAtAttempt: 3 },
      route: 'tenant',
      expected: 4,
    },
  ] as const)('route attempts: $name', ({ row: overrides, route, expected }) => {
    expect(attemptsOn(row(overrides), route)).toBe(expected);
  });

  it('a row whose payload is gone or unusable ends failed on its route, saying which', () => {
    expect(payloadMissing({ route: 'tenant' })).toEqual({
      status: 'failed',
      route: 'tenant',
      error: { stage: 'data', code: 'payload_missing', responseCode: null, response: null },
    });
    expect(payloadUnusable({ route: null }).error?.code).toBe('payload_unusable');
  });
});
