import type { SmtpErrorCode } from '../../../contract/index.ts';
import { providerName, withProvider } from './providers.ts';
import type { ErrorText } from './wording.ts';

/** Failures of the sign-in itself (the grant and its tokens), before the server is asked. */
export const OAUTH_TEXTS = {
  oauth_not_connected: {
    message: (c) => ({
      de: `Die Einstellungen verwenden die Anmeldung ${withProvider(c).de}, es ist aber kein Konto verbunden.`,
      en: `The settings use the sign-in ${withProvider(c).en}, but no account is connected.`,
    }),
    hint: (c) => ({
      de: `Bitte melden Sie sich zuerst ${withProvider(c).de} an und testen oder senden Sie dann erneut.`,
      en: `Please sign in ${withProvider(c).en} first, then test or send again.`,
    }),
  },
  oauth_grant_invalid: {
    message: (c) => ({
      de: `Die Anmeldung ${withProvider(c).de} ist nicht mehr gültig.`,
      en: `The sign-in ${withProvider(c).en} is no longer valid.`,
    }),
    hint: (c) => ({
      de: `${providerName(c).de} nimmt die Freigabe nicht mehr an: Sie wurde widerrufen, das Passwort des Kontos wurde geändert, die Zustimmung wurde entzogen, oder sie ist abgelaufen. Bitte melden Sie sich erneut ${withProvider(c).de} an.`,
      en: `${providerName(c).en} no longer accepts the grant: it was revoked, the account’s password was changed, consent was withdrawn, or it expired. Please sign in ${withProvider(c).en} again.`,
    }),
  },
  oauth_token_unavailable: {
    message: (c) => ({
      de: `${providerName(c).de} hat gerade kein Zugangstoken ausgestellt (keine oder eine fehlerhafte Antwort).`,
      en: `${providerName(c).en} did not issue an access token just now (no answer or a failure).`,
    }),
    hint: {
      de: 'Das liegt beim Anbieter und ist meist vorübergehend; Rechnungen und Belege werden später automatisch noch einmal gesendet. Bitte wiederholen Sie den Test später.',
      en: 'This is on the provider’s side and usually temporary; invoices and documents are sent again automatically later. Please run the test again later.',
    },
  },
  oauth_provider_unavailable: {
    message: (c) => ({
      de: `Die Anmeldung ${withProvider(c).de} wird hier nicht mehr angeboten.`,
      en: `The sign-in ${withProvider(c).en} is no longer offered here.`,
    }),
    hint: {
      de: 'Der Betreiber hat sie abgeschaltet oder nicht vollständig eingerichtet. Bitte wenden Sie sich an den Support. Der Versand von Rechnungen und Belegen wird eine Zeit lang wiederholt (standardmäßig etwa zwei Stunden); ist der Ausweichweg über den System-Mailserver eingeschaltet, gehen sie danach über diesen.',
      en: 'The operator has turned it off or not set it up completely. Please contact support. Invoices and documents are retried for a while (about two hours by default); if the fallback to the system mail server is on, they then go out through it.',
    },
  },
  oauth_host_not_allowed: {
    message: (c) => ({
      de: `Die Anmeldung ${withProvider(c).de} gilt nur für den Server des Anbieters; eingetragen ist ein anderer (oder „Dem Zertifikat des Servers immer vertrauen“ ist an).`,
      en: `The sign-in ${withProvider(c).en} is only for the provider’s own server; another one is set (or “Always trust the server certificate” is on).`,
    }),
    hint: {
      de: 'Damit Ihre Anmeldung an keinen fremden Server geht, wurde nichts gesendet. Bitte als Server smtp.office365.com (Microsoft) oder smtp.gmail.com (Google) eintragen, „Dem Zertifikat des Servers immer vertrauen“ ausschalten und speichern.',
      en: 'So that your sign-in never goes to another server, nothing was sent. Please set the server to smtp.office365.com (Microsoft) or smtp.gmail.com (Google), turn off “Always trust the server certificate” and save.',
    },
  },
} satisfies { [K in SmtpErrorCode]?: ErrorText };
