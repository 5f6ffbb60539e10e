import { describe, expect, it } from 'vitest';
import { normalizeSmtpError } from '../../api/smtp/errors.ts';
import { localizeSmtpError, SMTP_ERROR_CODES } from '../../api/i18n/smtp-errors.ts';
import { checkTarget, isPrivateHost } from '../../api/smtp/target.ts';
import { SessionRecorder } from '../../api/smtp/transcript.ts';

describe('checkTarget', () => {
  const workers = { runtime: 'workers' as const, allowPrivateHosts: false };
  const node = { runtime: 'node' as const, allowPrivateHosts: false };

  it('refuses port 25 on Workers only', () => {
    expect(checkTarget({ host: 'smtp.example.com', port: 25 }, workers)).toEqual({
      path: 'port',
      code: 'port_blocked',
    });
    expect(checkTarget({ host: 'smtp.example.com', port: 25 }, node)).toBeNull();
    expect(checkTarget({ host: 'smtp.example.com', port: 587 }, workers)).toBeNull();
  });

  it.each([
    'localhost',
    'LOCALHOST.',
    'mail.localhost',
    '127.0.0.1',
    '127.1',
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '::1',
    '[::1]',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::10.0.0.1',
    'ff02::1',
  ])('refuses private/loopback host %s unless allowed', (host) => {
    expect(isPrivateHost(host)).toBe(true);
    expect(checkTarget({ host, port: 587 }, node)).toEqual({ path: 'host', code: 'host_private' });
    expect(checkTarget({ host, port: 587 }, { ...node, allowPrivateHosts: true })).toBeNull();
  });

  it.each([
    'smtp.gmail.com',
    'smtp.office365.com',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '1.2.3.4',
  ])('accepts public host %s', (host) => {
    expect(isPrivateHost(host)).toBe(false);
    expect(checkTarget({ host, port: 465 }, workers)).toBeNull();
  });
});

describe('transcript redaction', () => {
  const password = 'Grüße-Pässwort-1';
  const user = 'jürgen.müller@example.com';
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

  it('replaces AUTH arguments and the base64 exchange by ***', () => {
    const r = new SessionRecorder([password]);
    const log = r.logger;
    log.debug({ tnx: 'client' }, `AUTH PLAIN ${b64(`\u0000${user}\u0000${password}`)}`);
    log.debug({ tnx: 'server' }, '235 2.7.0 Authentication successful');
    log.debug({ tnx: 'client' }, 'AUTH LOGIN');
    log.debug({ tnx: 'server' }, '334 VXNlcm5hbWU6');
    log.debug({ tnx: 'client' }, b64(user));
    log.debug({ tnx: 'server' }, '334 UGFzc3dvcmQ6');
    log.debug({ tnx: 'client' }, b64(password));
    log.debug({ tnx: 'server' }, '535 5.7.8 Authentication credentials invalid');
    log.debug({ tnx: 'client' }, 'MAIL FROM:<a@example.com>');
    expect(r.transcript()).toEqual([
      { dir: 'c', line: 'AUTH PLAIN ***' },
      { dir: 's', line: '235 2.7.0 Authentication successful' },
      { dir: 'c', line: 'AUTH LOGIN' },
      { dir: 's', line: '334 ***' },
      { dir: 'c', line: '***' },
      { dir: 's', line: '334 ***' },
      { dir: 'c', line: '***' },
      { dir: 's', line: '535 5.7.8 Authentication credentials invalid' },
      { dir: 'c', line: 'MAIL FROM:<a@example.com>' },
    ]);
    expect(r.phase).toBe('mail');
  });

  it('removes the password and its base64 forms wherever they appear', () => {
    const r = new SessionRecorder([password]);
    for (const text of [
      password,
      b64(password),
      b64(`x${password}`),
      b64(`xy${password}`),
      b64(`\u0000${user}\u0000${password}`),
    ]) {
      const out = r.redact(`250 echo ${text} end`);
      expect(out).not.toContain(password);
      expect(out).toContain('***');
    }
  });

  it('shows control characters escaped', () => {
    const r = new SessionRecorder([]);
    expect(r.redact('220 \u0000\u0007ok')).toBe('220 \\x00\\x07ok');
  });
});

describe('error normalisation and localisation', () => {
  const ctx = { runtime: 'workers' as const, security: 'starttls' as const };

  it('stage from the command, code from the reply', () => {
    const relay = normalizeSmtpError(
      Object.assign(new Error('Mail command failed'), {
        code: 'EENVELOPE',
        command: 'MAIL FROM',
        responseCode: 554,
        response: '554 5.7.1 <x@y>: Relay access denied',
      }),
      null,
      ctx,
    );
    expect(relay).toMatchObject({ stage: 'mail', code: 'relay_denied', responseCode: 554, transient: false });
    const appPassword = normalizeSmtpError(
      Object.assign(new Error('Invalid login'), {
        code: 'EAUTH',
        command: 'AUTH PLAIN',
        responseCode: 534,
        response: '534-5.7.9 Application-specific password required',
      }),
      null,
      ctx,
    );
    expect(appPassword).toMatchObject({ stage: 'auth', code: 'auth_app_password_required' });
    const busy = normalizeSmtpError(
      Object.assign(new Error('x'), {
        code: 'EENVELOPE',
        command: 'RCPT TO',
        responseCode: 451,
        response: '451 4.7.1 greylisted',
      }),
      null,
      ctx,
    );
    expect(busy).toMatchObject({ stage: 'rcpt', code: 'recipient_temporary', transient: true });
  });

  it('vague workerd TLS errors get their stage from the session phase', () => {
    const session = {
      phase: 'tls' as const,
      connected: true,
      tlsHandshake: false,
      starttlsPending: true,
      serverLines: 3,
    };
    const e = normalizeSmtpError(
      Object.assign(new Error('internal error; reference = abc'), { code: 'ESOCKET', command: 'CONN' }),
      session,
      ctx,
    );
    expect(e).toMatchObject({ stage: 'tls', code: 'tls_failed_workers', transient: false });
    const implicit = normalizeSmtpError(
      new Error('proxy request failed, cannot connect to the specified address'),
      { ...session, phase: 'connect', connected: false, tlsHandshake: true, starttlsPending: false },
      { ...ctx, security: 'tls' },
    );
    expect(implicit).toMatchObject({ stage: 'tls', code: 'tls_failed_workers' });
  });

  it('after 354 only a reply is a verdict: a timeout or a closed connection leaves the delivery unknown', () => {
    const inFlight = {
      phase: 'data' as const,
      connected: true,
      tlsHandshake: false,
      starttlsPending: false,
      serverLines: 9,
      messageInFlight: true,
    };
    const timeout = normalizeSmtpError(
      Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT', command: 'CONN' }),
      inFlight,
      ctx,
    );
    expect(timeout).toMatchObject({ stage: 'data', code: 'response_timeout', transient: true, deliveryUnknown: true });
    const closed = normalizeSmtpError(
      Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'CONN' }),
      inFlight,
      ctx,
    );
    expect(closed).toMatchObject({ stage: 'data', code: 'connection_closed', deliveryUnknown: true });
    const refused = normalizeSmtpError(
      Object.assign(new Error('x'), {
        code: 'EMESSAGE',
        command: 'DATA',
        responseCode: 451,
        response: '451 4.3.0 try later',
      }),
      inFlight,
      ctx,
    );
    expect(refused.deliveryUnknown).toBeUndefined();
    // Before 354 (waiting for the reply to DATA) nothing was handed over.
    const beforeBody = normalizeSmtpError(
      Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT', command: 'CONN' }),
      { ...inFlight, messageInFlight: false },
      ctx,
    );
    expect(beforeBody.deliveryUnknown).toBeUndefined();
  });

  it('every code has a German and an English message and hint', () => {
    for (const code of SMTP_ERROR_CODES) {
      for (const lang of ['de', 'en'] as const) {
        const out = localizeSmtpError(
          { stage: 'connect', code, responseCode: null, response: null, transient: false },
          lang,
          { host: 'smtp.example.com', port: 587, security: 'starttls', runtime: 'workers' },
        );
        expect(out.message.length, `${code} ${lang}`).toBeGreaterThan(10);
        expect(out.hint.length, `${code} ${lang}`).toBeGreaterThan(10);
      }
    }
  });

  it('hints say what to do', () => {
    const l = (code: string, lang: 'de' | 'en', extra = {}) =>
      localizeSmtpError({ stage: 'tls', code, responseCode: null, response: null, transient: false }, lang, {
        host: 'mail.firma.at',
        port: 587,
        security: 'starttls',
        runtime: 'workers',
        ...extra,
      });
    expect(l('certificate_untrusted', 'en').hint).toMatch(/self-signed.*incomplete.*expired.*publicly trusted/s);
    expect(l('tls_failed_workers', 'de').hint).toMatch(/selbst signiert.*öffentlich vertrauenswürdiges/s);
    expect(l('certificate_untrusted', 'en', { runtime: 'node' }).hint).toMatch(/Always trust/);
    expect(l('starttls_unavailable', 'de').hint).toMatch(/SSL\/TLS mit Port 465/);
    expect(l('relay_denied', 'en').hint).toMatch(/sender address is not allowed for this account/);
    expect(l('greeting_timeout', 'en', { port: 465, security: 'starttls' }).hint).toMatch(
      /^Port 465 usually expects SSL\/TLS/,
    );
  });
});
