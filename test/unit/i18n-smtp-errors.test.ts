import { describe, expect, it } from 'vitest';
import { isSmtpErrorCode, localizeSmtpError, SMTP_ERROR_CODES } from '../../api/i18n/smtp-errors.ts';

const error = (code: string) => ({
  stage: 'connect' as const,
  code,
  responseCode: null,
  response: null,
  transient: false,
});

describe('SMTP error texts', () => {
  it.each(SMTP_ERROR_CODES)('%s has a German and an English message and hint, not the same', (code) => {
    const context = { host: 'smtp.example.com', port: 587, security: 'starttls' as const, runtime: 'node' as const };
    const de = localizeSmtpError(error(code), 'de', context);
    const en = localizeSmtpError(error(code), 'en', context);
    for (const text of [de.message, de.hint, en.message, en.hint]) expect(text.trim()).not.toBe('');
    expect(de.message).not.toBe(en.message);
    expect(de.hint).not.toBe(en.hint);
    expect(de.code).toBe(code);
  });

  it('a stored code that is not one of today’s reads as unknown', () => {
    expect(isSmtpErrorCode('EAUTH')).toBe(false);
    expect(localizeSmtpError(error('EAUTH'), 'en')).toEqual(localizeSmtpError(error('unknown'), 'en'));
  });

  it('adds the port hint only to failures a mismatched port causes', () => {
    const context = { port: 465, security: 'starttls' as const };
    expect(localizeSmtpError(error('greeting_timeout'), 'en', context).hint).toMatch(
      /^Port 465 usually expects SSL\/TLS/,
    );
    expect(localizeSmtpError(error('auth_failed'), 'en', context).hint).not.toMatch(/Port 465/);
  });
});
