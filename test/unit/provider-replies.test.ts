import { describe, expect, it } from 'vitest';
import type { AuthMethod } from '../../contract/index.ts';
import { localizeSmtpError } from '../../api/i18n/smtp-errors.ts';
import { normalizeSmtpError } from '../../api/smtp/errors.ts';

/** A reply as Nodemailer reports it: the command in flight and the server's text, multi-line joined by "\n". */
function refused(command: string, response: string) {
  const nmCode = command.startsWith('AUTH') ? 'EAUTH' : command === 'DATA' ? 'EMESSAGE' : 'EENVELOPE';
  const responseCode = Number(response.slice(0, 3));
  return Object.assign(new Error(`Refused: ${response}`), { code: nmCode, command, response, responseCode });
}

const M365 = 'smtp.office365.com';
const OUTLOOK = 'smtp-mail.outlook.com';
const GMAIL = 'smtp.gmail.com';
const M365_REFUSED = '535 5.7.3 Authentication unsuccessful [FR0P281CA0077.DEUP281.PROD.OUTLOOK.COM]';
const GMAIL_REFUSED =
  '535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials 5b1f17b1804b1-42cb2f1ab2csm1234567f8a.2 - gsmtp';

interface Case {
  name: string;
  command: string;
  response: string;
  host: string;
  authMethod: AuthMethod;
  stage: string;
  code: string;
  hint: { de: RegExp; en: RegExp };
}

const CASES: Case[] = [
  {
    name: 'M365 535 5.7.139, SMTP AUTH off for the tenant (password)',
    command: 'AUTH LOGIN',
    response:
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [FR3P281CA0042.DEUP281.PROD.OUTLOOK.COM 2026-12-07T08:01:02.345Z 08DE0A1B2C3D4E5F]',
    host: M365,
    authMethod: 'login',
    stage: 'auth',
    code: 'auth_smtp_disabled',
    hint: {
      de: /„Authentifiziertes SMTP“.*SmtpClientAuthenticationDisabled \$false.*„Mit Microsoft anmelden“.*Ende Dezember 2026/s,
      en: /“Authenticated SMTP”.*SmtpClientAuthenticationDisabled \$false.*“Sign in with Microsoft”.*end of December 2026/s,
    },
  },
  {
    name: 'Outlook.com 535 5.7.139, basic authentication disabled',
    command: 'AUTH PLAIN',
    response:
      '535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [VI1PR0102CA0011.eurprd01.prod.exchangelabs.com 2026-12-07T08:01:02.345Z 08DE0A1B2C3D4E5F]',
    host: OUTLOOK,
    authMethod: 'plain',
    stage: 'auth',
    code: 'auth_smtp_disabled',
    hint: { de: /Dauerhaft hilft nur „Mit Microsoft anmelden“/, en: /The lasting way is “Sign in with Microsoft”/ },
  },
  {
    name: 'M365 535 5.7.139 for the mailbox after a sign-in (XOAUTH2)',
    command: 'AUTH XOAUTH2',
    response:
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. [AM0PR02CA0101.eurprd02.prod.outlook.com]',
    host: M365,
    authMethod: 'xoauth2',
    stage: 'auth',
    code: 'auth_smtp_disabled',
    hint: {
      de: /^Auch für die Anmeldung mit Microsoft muss SMTP AUTH für das Postfach eingeschaltet sein\. .*„Authentifiziertes SMTP“/,
      en: /^Sign-in with Microsoft also needs SMTP AUTH switched on for the mailbox\. .*“Authenticated SMTP”/,
    },
  },
  {
    name: 'M365 550 5.7.30, basic auth blocked',
    command: 'AUTH LOGIN',
    response:
      '550 5.7.30 Basic authentication is not supported for Client Submission. [BE1P281CA0123.DEUP281.PROD.OUTLOOK.COM 2026-12-07T08:01:02.345Z 08DE0A1B2C3D4E5F]',
    host: M365,
    authMethod: 'login',
    stage: 'auth',
    code: 'auth_basic_blocked',
    hint: {
      de: /„Mit Microsoft anmelden“ wählen; weder/,
      en: /“Sign in with Microsoft” as the sign-in method; neither/,
    },
  },
  {
    name: 'M365 554 5.2.0 SendAsDenied after the message',
    command: 'DATA',
    response:
      '554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. 0.35250:0E00C186, 1.36674:0A000000, 1.61250:00000000 [Hostname=PAXP193MB1234.EURP193.PROD.OUTLOOK.COM]',
    host: M365,
    authMethod: 'xoauth2',
    stage: 'data',
    code: 'send_as_denied',
    hint: { de: /Berechtigung „Senden als“/, en: /“Send As” permission/ },
  },
  {
    name: 'M365 554 5.2.0 SendAsDenied at MAIL FROM',
    command: 'MAIL FROM',
    response:
      '554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message.',
    host: M365,
    authMethod: 'login',
    stage: 'mail',
    code: 'send_as_denied',
    hint: { de: /Berechtigung „Senden als“/, en: /“Send As” permission/ },
  },
  {
    name: 'M365 550 5.7.60 at MAIL FROM, no permission to send as the sender',
    command: 'MAIL FROM',
    response: '550 5.7.60 SMTP; Client does not have permissions to send as this sender',
    host: M365,
    authMethod: 'login',
    stage: 'mail',
    code: 'send_as_denied',
    hint: { de: /Berechtigung „Senden als“/, en: /“Send As” permission/ },
  },
  {
    name: 'M365 535 5.7.3, password refused',
    command: 'AUTH LOGIN',
    response: '535 5.7.3 Authentication unsuccessful [FR0P281CA0077.DEUP281.PROD.OUTLOOK.COM 2026-12-07T08:01:02.345Z]',
    host: M365,
    authMethod: 'login',
    stage: 'auth',
    code: 'auth_failed',
    hint: {
      de: /mehrstufige Authentifizierung \(MFA\).*„Mit Microsoft anmelden“.*„Authentifiziertes SMTP“/s,
      en: /multi-factor authentication \(MFA\).*“Sign in with Microsoft”.*“Authenticated SMTP”/s,
    },
  },
  {
    name: 'M365 535 5.7.3, token refused (XOAUTH2)',
    command: 'AUTH XOAUTH2',
    response: M365_REFUSED,
    host: M365,
    authMethod: 'xoauth2',
    stage: 'auth',
    code: 'auth_failed',
    hint: { de: /^Bitte erneut mit Microsoft anmelden/, en: /^Please sign in with Microsoft again/ },
  },
  {
    name: 'Gmail 534 5.7.9, multi-line, app password required',
    command: 'AUTH PLAIN',
    response:
      '534-5.7.9 Application-specific password required. For more information, go to\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor 5b1f17b1804b1-42cb2f1ab2csm1234567f8a.1 - gsmtp',
    host: GMAIL,
    authMethod: 'plain',
    stage: 'auth',
    code: 'auth_app_password_required',
    hint: {
      de: /„Mit Google anmelden“.*Bestätigung in zwei Schritten → App-Passwörter/,
      en: /“Sign in with Google”.*2-Step Verification → App passwords/,
    },
  },
  {
    name: 'Gmail 535 5.7.8, multi-line, password refused',
    command: 'AUTH LOGIN',
    response: GMAIL_REFUSED,
    host: GMAIL,
    authMethod: 'login',
    stage: 'auth',
    code: 'auth_failed',
    hint: {
      de: /Google nimmt für SMTP nicht das normale Passwort an/,
      en: /Google does not accept the normal password/,
    },
  },
  {
    name: 'Gmail 535 5.7.8, multi-line, token refused (XOAUTH2)',
    command: 'AUTH XOAUTH2',
    response: GMAIL_REFUSED,
    host: GMAIL,
    authMethod: 'xoauth2',
    stage: 'auth',
    code: 'auth_failed',
    hint: { de: /^Bitte erneut mit Google anmelden/, en: /^Please sign in with Google again/ },
  },
];

describe('Microsoft 365 and Gmail replies', () => {
  it.each(CASES)('$name', ({ command, response, host, authMethod, stage, code, hint }) => {
    const normalized = normalizeSmtpError(refused(command, response), null, { runtime: 'node', security: 'starttls' });
    expect(normalized).toMatchObject({ stage, code, responseCode: Number(response.slice(0, 3)), transient: false });
    const context = { host, port: 587, security: 'starttls' as const, authMethod };
    expect(localizeSmtpError(normalized, 'de', context).hint).toMatch(hint.de);
    expect(localizeSmtpError(normalized, 'en', context).hint).toMatch(hint.en);
  });

  it('names the sign-in, not the password, when a token was refused', () => {
    const normalized = normalizeSmtpError(refused('AUTH XOAUTH2', M365_REFUSED), null, {
      runtime: 'workers',
      security: 'starttls',
    });
    const context = { host: M365, authMethod: 'xoauth2' as const, oauthProvider: 'microsoft' as const };
    expect(localizeSmtpError(normalized, 'de', context).message).toBe(
      'Der Server hat die Anmeldung mit Microsoft abgelehnt.',
    );
    expect(localizeSmtpError(normalized, 'en', context).message).toBe('The server refused the sign-in with Microsoft.');
  });

  it('other servers keep the general hints', () => {
    const normalized = normalizeSmtpError(refused('AUTH PLAIN', GMAIL_REFUSED), null, {
      runtime: 'node',
      security: 'tls',
    });
    const hint = localizeSmtpError(normalized, 'en', { host: 'mail.firma.at', authMethod: 'plain' }).hint;
    expect(hint).toMatch(/^Please check the user name \(often the full e-mail address\)/);
    expect(hint).not.toMatch(/Google|Sign in with/);
  });

  it('a temporary Microsoft refusal stays temporary', () => {
    const normalized = normalizeSmtpError(
      refused('AUTH LOGIN', '454 4.7.0 Temporary authentication failure [FR0P281CA0077.DEUP281.PROD.OUTLOOK.COM]'),
      null,
      { runtime: 'node', security: 'starttls' },
    );
    expect(normalized).toMatchObject({ code: 'auth_temporary', transient: true });
  });
});
