// Hints checked against the situation that produces them (#19 item 5): each points where the fault
// is, for what the tenant chose.
import { describe, expect, it } from 'vitest';
import { localizeSmtpError } from '../../api/i18n/smtp-errors.ts';
import type { NormalizedSmtpError } from '../../api/smtp/types.ts';

const error = (stage: NormalizedSmtpError['stage'], code: NormalizedSmtpError['code']) =>
  ({ stage, code, responseCode: null, response: null, transient: false }) as NormalizedSmtpError;

describe('hints that fit the situation', () => {
  it.each([587, 25, 2525])(
    'SSL/TLS chosen for port %i: the port first, the certificate only if the port is right',
    (port) => {
      const context = { host: 'smtp.firma.example', port, security: 'tls' as const, runtime: 'workers' as const };
      const en = localizeSmtpError(error('tls', 'tls_failed_workers'), 'en', context).hint;
      expect(en).toMatch(new RegExp(`^Port ${port} usually uses STARTTLS, not SSL/TLS`));
      expect(en).toContain('If the port is right, the server’s certificate is usually not trusted.');
      expect(en).not.toMatch(/^Usually the server’s certificate/);
      const de = localizeSmtpError(error('tls', 'tls_failed_workers'), 'de', context).hint;
      expect(de).toMatch(new RegExp(`^Port ${port} verwendet in der Regel STARTTLS`));
      expect(de).toContain('Stimmt der Port, wird meist dem Zertifikat des Servers nicht vertraut.');
    },
  );

  it('SSL/TLS on 465 failing: the certificate is the likely cause', () => {
    const context = { port: 465, security: 'tls' as const, runtime: 'workers' as const };
    expect(localizeSmtpError(error('tls', 'tls_failed_workers'), 'en', context).hint).toMatch(
      /^Usually the server’s certificate is not trusted/,
    );
  });

  it.each([
    ['none', false],
    ['xoauth2', false],
    ['plain', true],
    ['login', true],
    ['cram-md5', true],
  ] as const)(
    'STARTTLS missing with login %s: the password is named only when one would be sent (%s)',
    (method, named) => {
      const context = { port: 587, security: 'starttls' as const, authMethod: method };
      for (const lang of ['de', 'en'] as const) {
        const hint = localizeSmtpError(error('tls', 'starttls_unavailable'), lang, context).hint;
        expect(/Passwort|password/.test(hint)).toBe(named);
      }
    },
  );
});
