import { describe, expect, it } from 'vitest';
import { CertificateRefusedError, normalizeSmtpError } from '../../api/smtp/errors.ts';

const reply = (command: string, responseCode: number, response: string) =>
  Object.assign(new Error(response), { code: 'EENVELOPE', command, responseCode, response });
const normalize = (error: unknown) => normalizeSmtpError(error, null, { runtime: 'node', security: 'starttls' });

describe('server replies read as codes', () => {
  it.each([
    ['AUTH PLAIN', 535, '535 5.7.8 Authentication credentials invalid', 'auth', 'auth_failed', false],
    [
      'AUTH PLAIN',
      534,
      '534 5.7.9 Application-specific password required',
      'auth',
      'auth_app_password_required',
      false,
    ],
    ['AUTH PLAIN', 454, '454 4.7.0 Temporary authentication failure', 'auth', 'auth_temporary', true],
    ['MAIL FROM', 550, '550 5.7.1 Sender address rejected: not owned by user', 'mail', 'relay_denied', false],
    ['RCPT TO', 550, '550 5.1.1 User unknown', 'rcpt', 'recipient_rejected', false],
    ['RCPT TO', 451, '451 4.3.0 Try again later', 'rcpt', 'recipient_temporary', true],
    ['DATA', 552, '552 5.3.4 Message size exceeds limit', 'data', 'message_too_large', false],
    ['DATA', 554, '554 5.7.1 Message rejected as spam', 'data', 'message_rejected_policy', false],
    ['DATA', 421, '421 4.3.2 Service shutting down', 'data', 'server_unavailable', true],
  ])('%s → %i %s', (command, responseCode, response, stage, code, transient) => {
    expect(normalize(reply(command, responseCode, response))).toMatchObject({
      stage,
      code,
      responseCode,
      response,
      transient,
    });
  });

  it('a refused connection and an unknown host are transient failures at connect', () => {
    expect(normalize(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({
      stage: 'connect',
      code: 'connection_refused',
      transient: true,
    });
    expect(normalize(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }))).toMatchObject({
      stage: 'connect',
      code: 'host_not_found',
      transient: true,
    });
  });
});

describe('certificate error codes', () => {
  it('names only codes Node really uses: an inherited property name is no certificate code', () => {
    for (const code of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const error = Object.assign(new Error('socket hang up'), { code });
      const normalized = normalize(error);
      expect(typeof normalized.code, code).toBe('string');
      expect(normalized.code, code).not.toMatch(/^certificate_/);
      expect(normalized.stage, code).not.toBe('tls');
    }
  });

  it('reads a real one', () => {
    const error = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    expect(normalize(error)).toMatchObject({ stage: 'tls', code: 'certificate_expired', transient: false });
  });
});

describe('a certificate refused for not being the confirmed one', () => {
  const certificate = {
    sha256: 'AB'.repeat(32),
    subject: 'CN=localhost',
    issuer: 'CN=untrusted test CA',
    validFrom: '2026-11-26T19:33:36.000Z',
    validTo: '2126-11-02T19:33:36.000Z',
  };
  // Nodemailer passes the socket's error on as ESOCKET, keeping the object.
  const asNodemailer = (error: CertificateRefusedError) =>
    Object.assign(error, { code: 'ESOCKET', originalCode: error.code });

  it.each([
    [false, 'certificate_unconfirmed'],
    [true, 'certificate_pin_mismatch'],
  ])('pinned: %s → %s at stage tls, with the certificate presented, not retried', (pinned, code) => {
    expect(normalize(asNodemailer(new CertificateRefusedError(certificate, pinned)))).toMatchObject({
      stage: 'tls',
      code,
      transient: false,
      certificate,
    });
  });
});
