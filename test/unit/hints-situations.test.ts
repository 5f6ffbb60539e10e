// Hints checked against the situation that produces them (#19 item 5): each points where the fault
// is, for what the tenant chose.
import { describe, expect, it } from 'vitest';
import type { SmtpErrorCode } from '../../contract/index.ts';
import type { LocalizeContext } from '../../api/i18n/smtp-error-texts/wording.ts';
import { localizeSmtpError, SMTP_ERROR_CODES } from '../../api/i18n/smtp-errors.ts';
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

// Each cause in the situation that produces it, with what its hint must say (en, de) and what it
// must not (a hint that points elsewhere). Port and encryption that fit each other are the usual
// case: a hint to check them points the wrong way there.
const fits587 = { host: 'smtp.firma.example', port: 587, security: 'starttls', authMethod: 'plain' } as const;
const fits465 = { ...fits587, port: 465, security: 'tls' } as const;
const plain25 = { ...fits587, port: 25, security: 'none', authMethod: 'none' } as const;
const mismatch = { ...fits587, port: 465 } as const; // STARTTLS on the SSL/TLS port
const oauth = { ...fits587, host: 'smtp.office365.com', authMethod: 'xoauth2', oauthProvider: 'microsoft' } as const;
const PORT_CHECK = /encryption (does not )?match|check (that the encryption|port and encryption)/;

type Row = [SmtpErrorCode, NormalizedSmtpError['stage'], LocalizeContext, RegExp, RegExp, RegExp?];
const situations: Row[] = [
  ['connection_refused', 'connect', fits587, /check host name and port/, /Hostname und Port prüfen/],
  ['connection_timeout', 'connect', fits587, /firewall blocks the port/, /Firewall den Port/],
  ['connection_failed', 'connect', fits587, /check host name and port/, /Hostname und Port prüfen/],
  ['host_not_found', 'connect', fits587, /typos/, /Tippfehler/],
  ['host_unreachable', 'connect', fits587, /cannot be reached from here/, /nicht erreichbar/],
  ['greeting_timeout', 'greeting', fits587, /overloaded, or no SMTP server/, /überlastet/, PORT_CHECK],
  ['greeting_timeout', 'greeting', mismatch, /^Port 465 usually expects SSL\/TLS/, /^Port 465 erwartet/],
  ['greeting_invalid', 'greeting', fits465, /Another service answers/, /anderer Dienst/, PORT_CHECK],
  ['greeting_invalid', 'greeting', mismatch, /check port and encryption/, /Port und Verschlüsselung prüfen/],
  [
    'greeting_rejected',
    'greeting',
    fits587,
    /blocks the IP address this service sends from/,
    /IP-Adresse, von der dieser Dienst sendet/,
  ],
  ['server_unavailable', 'greeting', fits587, /try again later/, /später erneut/],
  ['response_timeout', 'data', fits587, /overloaded/, /überlastet/],
  [
    'total_timeout',
    'data',
    fits587,
    /^The server answers extremely slowly or incompletely\. Please try again later\.$/,
    /später erneut/,
  ],
  ['total_timeout', 'greeting', mismatch, /check port and encryption/, /Port und Verschlüsselung/],
  [
    'connection_closed',
    'ehlo',
    fits587,
    /refuses the IP address this service sends from, or is overloaded/,
    /IP-Adresse ab, von der dieser Dienst sendet/,
    PORT_CHECK,
  ],
  ['connection_closed', 'greeting', mismatch, /^Port 465 usually expects SSL\/TLS/, /^Port 465 erwartet/],
  ['protocol_error', 'ehlo', fits587, /really an SMTP server/, /SMTP-Server/],
  ['ehlo_rejected', 'ehlo', fits587, /sending from outside/, /Versand von außerhalb/],
  ['starttls_unavailable', 'tls', fits587, /SSL\/TLS with port 465/, /SSL\/TLS mit Port 465/],
  ['tls_unavailable_temporary', 'tls', fits587, /try again later/, /später erneut/],
  [
    'certificate_untrusted',
    'tls',
    { ...fits465, runtime: 'node' },
    /Always trust the server certificate/,
    /immer vertrauen/,
  ],
  [
    'certificate_untrusted',
    'tls',
    { ...fits465, runtime: 'workers' },
    /publicly trusted certificate/,
    /öffentlich vertrauenswürdiges/,
    /Always trust/,
  ],
  ['certificate_expired', 'tls', fits465, /renew the certificate/, /Zertifikat zu erneuern/],
  [
    'certificate_name_mismatch',
    'tls',
    fits465,
    /exactly the host name the certificate was issued for/,
    /genau den Hostnamen/,
  ],
  ['certificate_pin_mismatch', 'tls', fits465, /check the new fingerprint/, /neuen Fingerabdruck/],
  ['certificate_unconfirmed', 'tls', fits465, /trust exactly this certificate/, /genau diesem Zertifikat/],
  [
    'tls_failed_workers',
    'tls',
    { ...fits465, runtime: 'workers' },
    /^Usually the server’s certificate is not trusted/,
    /^Meist wird dem Zertifikat/,
    PORT_CHECK,
  ],
  [
    'tls_failed_workers',
    'tls',
    { ...fits587, security: 'tls', runtime: 'workers' },
    /^Port 587 usually uses STARTTLS/,
    /^Port 587 verwendet/,
  ],
  [
    'tls_failed',
    'tls',
    fits465,
    /outdated TLS versions\. Please ask the provider/,
    /veraltete TLS-Versionen/,
    PORT_CHECK,
  ],
  ['tls_failed', 'tls', mismatch, /^Port 465 usually expects SSL\/TLS/, /^Port 465 erwartet/],
  ['tls_closed', 'tls', fits587, /did not complete the encryption/, /nicht zu Ende geführt/, PORT_CHECK],
  [
    'tls_closed',
    'tls',
    { ...fits587, port: 2525, security: 'none' },
    /did not complete the encryption/,
    /nicht zu Ende/,
  ],
  [
    'tls_closed',
    'tls',
    { ...fits587, port: 993 },
    /check that the encryption matches the port/,
    /Verschlüsselung zum Port passt/,
  ],
  ['tls_timeout', 'tls', fits465, /did not complete the encryption/, /nicht zu Ende geführt/, PORT_CHECK],
  ['tls_timeout', 'tls', mismatch, /^Port 465 usually expects SSL\/TLS/, /^Port 465 erwartet/],
  ['auth_method_unsupported', 'auth', fits587, /^Please choose another method \(usually LOGIN\)\.$/, /meist LOGIN/],
  ['auth_method_unsupported', 'auth', { ...fits587, authMethod: 'login' }, /usually PLAIN\)/, /meist PLAIN\)/],
  [
    'auth_method_unsupported',
    'auth',
    { ...fits587, authMethod: 'cram-md5' },
    /usually PLAIN or LOGIN/,
    /PLAIN oder LOGIN/,
  ],
  [
    'auth_unavailable',
    'auth',
    { ...plain25, authMethod: 'plain' },
    /choose STARTTLS \(port 587\) or SSL\/TLS/,
    /STARTTLS \(Port 587\)/,
  ],
  ['auth_unavailable', 'auth', fits587, /choose “None”.*ask the provider/, /„Keine“.*Anbieter/, /encrypted/],
  ['auth_encryption_required', 'auth', { ...plain25, authMethod: 'plain' }, /choose STARTTLS/, /STARTTLS \(Port 587\)/],
  ['auth_temporary', 'auth', fits587, /try again later/, /später erneut/],
  ['auth_credentials_missing', 'auth', fits587, /enter user name and password/, /Benutzername und Passwort eingeben/],
  ['auth_required', 'mail', plain25, /choose a sign-in method/, /Anmeldeverfahren/],
  [
    'relay_denied',
    'mail',
    fits587,
    /sender address is not allowed for this account/,
    /Absenderadresse ist für dieses Konto/,
  ],
  ['relay_denied', 'rcpt', plain25, /Without sign-in.*choose a sign-in method/, /Ohne Anmeldung/, /sender address/],
  ['sender_rejected', 'mail', fits587, /belong to the account/, /zum Konto passen/],
  ['recipient_rejected', 'rcpt', fits587, /check the recipient address/, /Empfängeradresse/],
  ['recipient_temporary', 'rcpt', fits587, /retried later/, /später erneut/],
  ['message_too_large', 'data', fits587, /attachments smaller/, /Anhänge/],
  ['message_rejected_policy', 'data', fits587, /spam or virus filter/, /Spam/],
  ['message_rejected', 'data', fits587, /reply usually names the reason/, /nennt meist den Grund/],
  ['temporary_failure', 'data', fits587, /sent again automatically/, /automatisch/],
  ['rejected', 'data', fits587, /reply usually names the reason/, /nennt meist den Grund/],
  [
    'auth_failed',
    'auth',
    fits587,
    /user name \(often the full e-mail address\) and password/,
    /Benutzername/,
    /sign in with/i,
  ],
  ['auth_failed', 'auth', { ...fits587, host: 'smtp.gmail.com' }, /Sign in with Google|app password/, /App-Passwort/],
  [
    'auth_failed',
    'auth',
    oauth,
    /^Please sign in with Microsoft again/,
    /Microsoft erneut an|mit Microsoft/,
    /password/,
  ],
  ['auth_app_password_required', 'auth', { ...fits587, host: 'smtp.gmail.com' }, /Sign in with Google/, /Google/],
  ['auth_smtp_disabled', 'auth', { ...fits587, host: 'smtp.office365.com' }, /Sign in with Microsoft/, /Microsoft/],
  ['auth_smtp_disabled', 'auth', oauth, /also needs SMTP AUTH switched on/, /SMTP AUTH/],
  ['auth_basic_blocked', 'auth', { ...fits587, host: 'smtp.office365.com' }, /Sign in with Microsoft/, /Microsoft/],
  ['send_as_denied', 'mail', oauth, /“Send As” permission/, /Senden als/],
  ['oauth_not_connected', 'auth', oauth, /sign in with Microsoft first/, /Microsoft/],
  ['oauth_grant_invalid', 'auth', oauth, /sign in with Microsoft again/, /Microsoft/],
  ['oauth_token_unavailable', 'auth', oauth, /provider’s side/, /Anbieter/],
  ['oauth_provider_unavailable', 'auth', oauth, /contact support/, /Support/],
  [
    'oauth_host_not_allowed',
    'connect',
    { ...oauth, host: 'mail.firma.example' },
    /smtp\.office365\.com/,
    /smtp\.office365\.com/,
  ],
  ['recipients_rejected', 'rcpt', fits587, /names the refused recipients/, /Empfänger/],
  ['recipients_refused', 'rcpt', fits587, /check those addresses/, /Adressen/],
  ['test_unconfirmed', 'data', fits587, /check the mailbox/, /Postfach/],
  ['test_interrupted', 'data', fits587, /run the test again/, /Test/],
  ['cancelled', 'data', fits587, /Run the check again/, /Prüfung erneut/],
  ['interrupted', 'data', fits587, /not sent again/, /nicht erneut/],
  ['delivery_unknown', 'data', fits587, /not sent again/, /nicht noch einmal/],
  ['payload_missing', 'data', fits587, /submit it again/, /erneut/],
  ['payload_unusable', 'data', fits587, /contact support/, /Support/],
  ['fallback_turned_off', 'connect', fits587, /test the settings/, /testen/],
  ['system_relay_not_configured', 'connect', {}, /SYSTEM_SMTP_URL/, /SYSTEM_SMTP_URL/],
  ['credentials_unreadable', 'auth', fits587, /enter the password again/, /Passwort .* neu eingeben/],
  ['host_private', 'connect', { host: '10.0.0.1' }, /public name/, /öffentlichen Namen/],
  ['private_address', 'connect', { host: 'intern.firma.example' }, /public addresses/, /öffentliche Adressen/],
  ['port_blocked', 'connect', plain25, /587 \(STARTTLS\) or 465 \(SSL\/TLS\)/, /587/],
  ['not_configured', 'connect', {}, /transcript/, /Protokoll|Transkript/],
  ['unknown', 'data', fits587, /transcript/, /Protokoll|Transkript/],
];

describe('every cause, in the situation that produces it', () => {
  it('has a row for each code', () => {
    expect(new Set(situations.map(([code]) => code))).toEqual(new Set(SMTP_ERROR_CODES));
  });

  it.each(situations)('%s at %s (%o)', (code, stage, context, en, de, wrong) => {
    const hint = (lang: 'de' | 'en') => localizeSmtpError(error(stage, code), lang, context).hint;
    expect(hint('en')).toMatch(en);
    expect(hint('de')).toMatch(de);
    if (wrong) expect(hint('en')).not.toMatch(wrong);
  });
});
