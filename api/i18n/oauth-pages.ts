import type { OAuthProvider } from '../../contract/index.ts';
import type { Lang, Localized } from './lang.ts';

/** Why a sign-in did not complete, as the callback page and the widget name it. */
export type SignInError =
  | 'access_denied'
  | 'state_invalid'
  | 'provider_error'
  | 'provider_unavailable'
  | 'exchange_failed'
  | 'account_missing';

const PROVIDER_NAMES: Record<OAuthProvider, string> = { microsoft: 'Microsoft', google: 'Google' };

const ERRORS: Record<SignInError, Localized> = {
  access_denied: {
    de: 'Die Anmeldung wurde abgebrochen oder die Zustimmung nicht erteilt. Es wurde nichts gespeichert.',
    en: 'The sign-in was cancelled or consent was not given. Nothing was stored.',
  },
  state_invalid: {
    de: 'Dieser Anmeldelink ist ungültig, abgelaufen (nach 10 Minuten) oder wurde schon verwendet. Bitte starten Sie die Anmeldung in den Einstellungen des Postausgangsservers neu.',
    en: 'This sign-in link is invalid, has expired (after 10 minutes) or was already used. Please start the sign-in again from the outgoing mail server settings.',
  },
  provider_error: {
    de: 'Der Anbieter hat die Anmeldung abgelehnt. Bitte versuchen Sie es erneut. Schlägt sie wieder fehl, wenden Sie sich an den Betreiber.',
    en: 'The provider refused the sign-in. Please try again; if it keeps failing, contact the operator.',
  },
  provider_unavailable: {
    de: 'Der Anbieter war gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut.',
    en: 'The provider could not be reached just now. Please try again in a few minutes.',
  },
  exchange_failed: {
    de: 'Die Anmeldung konnte nicht abgeschlossen werden: Der Anbieter hat den letzten Schritt nicht bestätigt. Bitte starten Sie die Anmeldung neu.',
    en: 'The sign-in could not be completed: the provider did not confirm the last step. Please start the sign-in again.',
  },
  account_missing: {
    de: 'Der Anbieter hat keine E-Mail-Adresse für das Konto genannt. Bitte melden Sie sich mit einem Konto an, zu dem ein Postfach gehört.',
    en: 'The provider named no e-mail address for the account. Please sign in with an account that has a mailbox.',
  },
};

export interface PageText {
  title: string;
  body: string;
  close: string;
}

export function signedInText(provider: OAuthProvider, account: string, lang: Lang): PageText {
  const name = PROVIDER_NAMES[provider];
  return lang === 'de'
    ? {
        title: `Bei ${name} angemeldet`,
        body: `Angemeldet als ${account}. Die Verbindung wird in den Einstellungen des Postausgangsservers abgeschlossen, in denen Sie die Anmeldung begonnen haben. Sie können dieses Fenster jetzt schließen.`,
        close: 'Fenster schließen',
      }
    : {
        title: `Signed in with ${name}`,
        body: `Signed in as ${account}. The connection is completed in the outgoing mail server settings where you started the sign-in. You can close this window now.`,
        close: 'Close window',
      };
}

export function signInFailedText(error: SignInError, lang: Lang): PageText {
  return {
    title: lang === 'de' ? 'Anmeldung nicht abgeschlossen' : 'Sign-in not completed',
    body: ERRORS[error][lang],
    close: lang === 'de' ? 'Fenster schließen' : 'Close window',
  };
}
