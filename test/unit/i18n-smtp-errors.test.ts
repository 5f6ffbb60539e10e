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

describe('sign-in texts', () => {
  const auth = (code: string) => ({ ...error(code), stage: 'auth' as const });

  it('name the provider signed in with, else the one the server belongs to, else none', () => {
    const grant = auth('oauth_grant_invalid');
    expect(localizeSmtpError(grant, 'de', { oauthProvider: 'google' })).toMatchObject({
      message: 'Die Anmeldung mit Google ist nicht mehr gültig.',
      hint: expect.stringMatching(
        /^Google nimmt die Freigabe nicht mehr an: .* Bitte melden Sie sich erneut mit Google an\.$/,
      ),
    });
    expect(localizeSmtpError(grant, 'en', { host: 'SMTP.Office365.com.' }).message).toBe(
      'The sign-in with Microsoft is no longer valid.',
    );
    expect(localizeSmtpError(grant, 'en', { host: 'mail.firma.at' }).hint).toMatch(
      /^The provider no longer accepts the grant: .* Please sign in with the provider again\.$/,
    );
  });

  it('say what to do for each failure of the grant', () => {
    const say = (code: string, lang: 'de' | 'en') =>
      localizeSmtpError(auth(code), lang, { host: 'smtp.office365.com', oauthProvider: 'microsoft' });
    expect(say('oauth_not_connected', 'de').hint).toBe(
      'Bitte melden Sie sich zuerst mit Microsoft an und testen oder senden Sie dann erneut.',
    );
    expect(say('oauth_not_connected', 'en').message).toMatch(/sign-in with Microsoft, but no account is connected/);
    expect(say('oauth_token_unavailable', 'en').hint).toMatch(
      /usually temporary; invoices and documents are sent again automatically/,
    );
    expect(say('oauth_provider_unavailable', 'de')).toMatchObject({
      message: 'Die Anmeldung mit Microsoft wird hier nicht mehr angeboten.',
      hint: expect.stringMatching(
        /Betreiber .* Support\. Der Versand von Rechnungen und Belegen wird eine Zeit lang wiederholt/,
      ),
    });
  });
});
