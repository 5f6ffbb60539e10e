import { describe, expect, it } from 'vitest';
import { breaksRoute } from '../../api/outbox/policy.ts';
import type { NormalizedSmtpError } from '../../api/smtp/types.ts';

const error = (stage: NormalizedSmtpError['stage'], code: NormalizedSmtpError['code'], transient: boolean) =>
  ({ stage, code, transient, responseCode: null, response: null }) as NormalizedSmtpError;

describe('breaksRoute: which failure ends a route for the rest of its batch', () => {
  it.each([
    ['a refused login', error('auth', 'auth_failed', false), true],
    ['a server that answers the greeting too slowly (a tarpit)', error('greeting', 'total_timeout', true), true],
    ['a connection that is never answered', error('connect', 'connection_timeout', true), true],
    ['EHLO answered too slowly', error('ehlo', 'response_timeout', true), true],
    ['a busy server (421), which the next message may not meet', error('greeting', 'server_unavailable', true), false],
    ['a slow final reply after DATA: that message only', error('data', 'total_timeout', true), false],
    ['a refused recipient: that message only', error('rcpt', 'recipient_rejected', false), false],
  ])('%s', (_, failure, breaks) => {
    expect(breaksRoute(failure)).toBe(breaks);
  });
});
