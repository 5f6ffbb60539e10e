import { describe, expect, it } from 'vitest';
import { testWarnings } from '../../api/i18n/test-warnings.ts';

type Setup = Parameters<typeof testWarnings>[0];
const setup = (s: Partial<Setup> & Pick<Setup, 'auth'>): Setup => ({
  host: 'smtp.firma.at',
  security: 'starttls',
  microsoftSignInOffered: true,
  ...s,
});
const codes = (s: Setup, sender = 'rechnung@firma.at') => testWarnings(s, sender, 'en').map((w) => w.code);

describe('test warnings', () => {
  it('no encryption, Microsoft 365 basic auth, sender domain differs from login', () => {
    const w = testWarnings(
      setup({
        host: 'smtp.office365.com',
        security: 'none',
        auth: { method: 'login', username: 'max@firma.onmicrosoft.com' },
      }),
      'rechnung@firma.at',
      'de',
    );
    expect(w.map((x) => x.code)).toEqual(['no_encryption', 'microsoft_basic_auth_retiring', 'sender_domain_mismatch']);
    expect(codes(setup({ security: 'tls', auth: { method: 'none' } }), 'a@b.at')).toEqual([]);
  });

  it('no encryption: says what travels readable, by login method', () => {
    const say = (method: string) =>
      testWarnings(setup({ security: 'none', auth: { method, username: 'a@firma.at' } }), 'a@firma.at', 'en')[0]!
        .message;
    expect(say('none')).toBe(
      'The connection is not encrypted: messages cross the internet in clear text. Please choose STARTTLS or SSL/TLS.',
    );
    expect(say('plain')).toMatch(/: your password and messages cross/);
    expect(say('login')).toMatch(/: your password and messages cross/);
    expect(say('cram-md5')).toMatch(/: your user name and messages cross/);
    expect(testWarnings(setup({ security: 'none', auth: { method: 'none' } }), 'a@firma.at', 'de')[0]!.message).toMatch(
      /: Nachrichten gehen im Klartext/,
    );
  });
});

describe('Microsoft 365 basic auth warning', () => {
  const login = { method: 'login', username: 'rechnung@firma.at' };

  it.each(['smtp.office365.com', 'SMTP.Office365.com.', 'smtp-mail.outlook.com', ' Smtp-Mail.Outlook.COM. '])(
    'applies to %j with any password method',
    (host) => {
      for (const method of ['plain', 'login', 'cram-md5'])
        expect(codes(setup({ host, auth: { ...login, method } })), method).toEqual(['microsoft_basic_auth_retiring']);
    },
  );

  it('not to a sign-in with Microsoft, no login, or another server', () => {
    expect(
      codes(setup({ host: 'smtp.office365.com', auth: { method: 'xoauth2', username: 'rechnung@firma.at' } })),
    ).toEqual([]);
    expect(codes(setup({ host: 'smtp.office365.com', auth: { method: 'none' } }))).toEqual([]);
    expect(codes(setup({ host: 'smtp.gmail.com', auth: login }))).toEqual([]);
    expect(codes(setup({ host: 'office365.com.firma.at', auth: login }))).toEqual([]);
  });

  const warning = (microsoftSignInOffered: boolean, lang: 'de' | 'en') =>
    testWarnings(
      setup({ host: 'smtp.office365.com', auth: login, microsoftSignInOffered }),
      'rechnung@firma.at',
      lang,
    )[0]!.message;

  it('offers the switch to sign-in with Microsoft where the operator offers it', () => {
    expect(warning(true, 'de')).toBe(
      'Microsoft schaltet die SMTP-Anmeldung mit Passwort Ende Dezember 2026 standardmäßig ab; danach scheitert der Versand mit diesen Einstellungen. Wechseln Sie zu „Mit Microsoft anmelden“, damit der Versand weiter funktioniert.',
    );
    expect(warning(true, 'en')).toBe(
      'Microsoft switches SMTP sign-in with a password off by default at the end of December 2026; sending with these settings fails after that. Switch to “Sign in with Microsoft” to keep sending.',
    );
  });

  it('else names the final date in 2027 and asks for sign-in with Microsoft', () => {
    expect(warning(false, 'de')).toMatch(
      /^Microsoft schaltet .* Ende Dezember 2026 .* bis zu Microsofts endgültigem Termin in der zweiten Jahreshälfte 2027 eingeschaltet lassen\. Bitten Sie den Betreiber dieses Dienstes, die Anmeldung mit Microsoft anzubieten\.$/,
    );
    expect(warning(false, 'en')).toMatch(
      /^Microsoft switches .* end of December 2026; .* until Microsoft’s final date in the second half of 2027\. Please ask the operator of this service to offer sign-in with Microsoft\.$/,
    );
    expect(warning(false, 'de')).not.toMatch(/Wechseln Sie/);
  });
});
