import type { OAuthProvider, SmtpErrorCode } from '../../../contract/index.ts';
import type { Localized } from '../lang.ts';
import { type Ctx, type ErrorText, providerOf } from './wording.ts';

const PROVIDER_NAMES: { [P in OAuthProvider]: string } = { microsoft: 'Microsoft', google: 'Google' };

/** "mit Microsoft" / "with Microsoft", or the provider unnamed when the context does not tell. */
export function withProvider(c: Ctx): Localized {
  const provider = providerOf(c);
  return provider
    ? { de: `mit ${PROVIDER_NAMES[provider]}`, en: `with ${PROVIDER_NAMES[provider]}` }
    : { de: 'beim Anbieter', en: 'with the provider' };
}

/** "Microsoft" / "the provider", as the subject of a sentence. */
export function providerName(c: Ctx): Localized {
  const provider = providerOf(c);
  return provider
    ? { de: PROVIDER_NAMES[provider], en: PROVIDER_NAMES[provider] }
    : { de: 'Der Anbieter', en: 'The provider' };
}

const viaToken = (c: Ctx) => c.authMethod === 'xoauth2';

/** Where a Microsoft 365 administrator switches SMTP AUTH on, for one mailbox or the whole organisation. */
const ENABLE_SMTP_AUTH: Localized = {
  de: 'Einschalten kann es ein Administrator Ihrer Organisation: im Microsoft 365 Admin Center unter Benutzer → Aktive Benutzer → (das Postfach) → E-Mail → E-Mail-Apps verwalten → „Authentifiziertes SMTP“, für die ganze Organisation im Exchange Admin Center oder mit „Set-TransportConfig -SmtpClientAuthenticationDisabled $false“.',
  en: 'An administrator of your organisation can switch it on: in the Microsoft 365 admin center under Users → Active users → (the mailbox) → Mail → Manage email apps → “Authenticated SMTP”, for the whole organisation in the Exchange admin center or with “Set-TransportConfig -SmtpClientAuthenticationDisabled $false”.',
};

const APP_PASSWORD: Localized = {
  de: 'Ist bei Gmail oder Microsoft 365 die Zwei-Faktor-Anmeldung eingeschaltet, brauchen Sie ein App-Passwort statt Ihres normalen Passworts.',
  en: 'If two-factor sign-in is on for Gmail or Microsoft 365, you need an app password instead of your normal password.',
};

/** A refused login, by what was sent: a token of a sign-in, or a password to Microsoft, Google or another server. */
function authFailedHint(c: Ctx): Localized {
  if (viaToken(c)) {
    const w = withProvider(c);
    return {
      de: `Bitte erneut ${w.de} anmelden und prüfen, ob der Benutzername zum angemeldeten Konto passt.`,
      en: `Please sign in ${w.en} again and check that the user name fits the signed-in account.`,
    };
  }
  const provider = providerOf(c);
  if (provider === 'microsoft')
    return {
      de: 'Bitte Benutzername (die vollständige E-Mail-Adresse) und Passwort prüfen. Ist für das Konto die mehrstufige Authentifizierung (MFA) aktiv, wird das Passwort hier nicht angenommen: Wählen Sie dann „Mit Microsoft anmelden“ (falls hier angeboten). Außerdem muss für das Postfach „Authentifiziertes SMTP“ eingeschaltet sein.',
      en: 'Please check the user name (the full e-mail address) and password. If multi-factor authentication (MFA) is on for the account, the password is not accepted here: then choose “Sign in with Microsoft” (if offered here). “Authenticated SMTP” must also be switched on for the mailbox.',
    };
  if (provider === 'google')
    return {
      de: 'Bitte die vollständige Google-Adresse und das Passwort prüfen. Google nimmt für SMTP nicht das normale Passwort an: Bitte „Mit Google anmelden“ wählen (falls hier angeboten) oder ein App-Passwort verwenden (Google-Konto → Sicherheit → Bestätigung in zwei Schritten → App-Passwörter).',
      en: 'Please check the full Google address and the password. Google does not accept the normal password for SMTP: please choose “Sign in with Google” (if offered here) or use an app password (Google Account → Security → 2-Step Verification → App passwords).',
    };
  return {
    de: `Bitte Benutzername (oft die vollständige E-Mail-Adresse) und Passwort prüfen. ${APP_PASSWORD.de}`,
    en: `Please check the user name (often the full e-mail address) and password. ${APP_PASSWORD.en}`,
  };
}

/** Logins refused by what the provider demands, and Microsoft 365's refusals of a sender. */
export const PROVIDER_TEXTS = {
  auth_failed: {
    message: (c) =>
      viaToken(c)
        ? {
            de: `Der Server hat die Anmeldung ${withProvider(c).de} abgelehnt.`,
            en: `The server refused the sign-in ${withProvider(c).en}.`,
          }
        : {
            de: 'Der Server hat Benutzername oder Passwort abgelehnt.',
            en: 'The server rejected the user name or password.',
          },
    hint: authFailedHint,
  },
  auth_app_password_required: {
    message: { de: 'Der Server verlangt ein App-Passwort.', en: 'The server requires an app password.' },
    hint: (c) =>
      providerOf(c) === 'google'
        ? {
            de: 'Bitte „Mit Google anmelden“ wählen (falls hier angeboten) oder in Ihrem Google-Konto unter Sicherheit → Bestätigung in zwei Schritten → App-Passwörter ein App-Passwort erzeugen und hier statt des normalen Passworts eintragen.',
            en: 'Please choose “Sign in with Google” (if offered here), or create an app password in your Google Account under Security → 2-Step Verification → App passwords and enter it here instead of the normal password.',
          }
        : {
            de: 'Bitte im Konto des Anbieters (Google, Microsoft …) ein App-Passwort erzeugen und hier statt des normalen Passworts eintragen.',
            en: 'Please create an app password in the provider’s account (Google, Microsoft …) and enter it here instead of the normal password.',
          },
  },
  auth_smtp_disabled: {
    message: {
      de: 'Microsoft 365 hat die Anmeldung abgelehnt: SMTP AUTH (authentifiziertes SMTP) ist für diese Organisation oder dieses Postfach ausgeschaltet.',
      en: 'Microsoft 365 refused the sign-in: SMTP AUTH (authenticated SMTP) is switched off for this organisation or mailbox.',
    },
    hint: (c) =>
      viaToken(c)
        ? {
            de: `Auch für die Anmeldung mit Microsoft muss SMTP AUTH für das Postfach eingeschaltet sein. ${ENABLE_SMTP_AUTH.de}`,
            en: `Sign-in with Microsoft also needs SMTP AUTH switched on for the mailbox. ${ENABLE_SMTP_AUTH.en}`,
          }
        : {
            de: `${ENABLE_SMTP_AUTH.de} Dauerhaft hilft nur „Mit Microsoft anmelden“: Ende Dezember 2026 schaltet Microsoft die Anmeldung mit Passwort für SMTP standardmäßig ab.`,
            en: `${ENABLE_SMTP_AUTH.en} The lasting way is “Sign in with Microsoft”: at the end of December 2026 Microsoft switches sign-in with a password for SMTP off by default.`,
          },
  },
  auth_basic_blocked: {
    message: {
      de: 'Microsoft 365 lässt die Anmeldung mit Passwort beim Versand nicht zu (Basic Authentication ist gesperrt).',
      en: 'Microsoft 365 does not accept sign-in with a password for sending (Basic Authentication is blocked).',
    },
    hint: {
      de: 'Bitte als Anmeldeverfahren „Mit Microsoft anmelden“ wählen; weder das normale Passwort noch ein App-Passwort funktioniert hier. Wird die Anmeldung mit Microsoft hier nicht angeboten, fragen Sie bitte beim Support danach.',
      en: 'Please choose “Sign in with Microsoft” as the sign-in method; neither the normal password nor an app password works here. If sign-in with Microsoft is not offered here, please ask support for it.',
    },
  },
  send_as_denied: {
    message: {
      de: 'Das angemeldete Konto darf nicht mit dieser Absenderadresse senden.',
      en: 'The account you log in with may not send as this sender address.',
    },
    hint: {
      de: 'Bitte die Adresse des Kontos selbst als Absender verwenden oder einen Administrator bitten, dem Konto für diese Adresse die Berechtigung „Senden als“ zu erteilen.',
      en: 'Please use the account’s own address as sender, or ask an administrator to grant the account the “Send As” permission for this address.',
    },
  },
} satisfies { [K in SmtpErrorCode]?: ErrorText };
