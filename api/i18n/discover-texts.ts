import type { DiscoverSource } from '../../contract/index.ts';
import type { Lang, Localized } from './lang.ts';

/** What a discovered candidate's source means for the tenant: how far to trust it. */
const sourceNotes: Record<DiscoverSource, Localized> = {
  ispdb: {
    de: 'Aus der Anbieterliste von Thunderbird übernommen.',
    en: "Filled in from Thunderbird's provider list.",
  },
  autoconfig: {
    de: 'Aus der Konfiguration Ihrer Domain übernommen.',
    en: "Filled in from your domain's configuration.",
  },
  mx: {
    de: 'Aus dem MX-Eintrag Ihrer Domain abgeleitet. Bitte prüfen Sie die Angaben.',
    en: "Guessed from your domain's MX record. Please check the details.",
  },
  srv: {
    de: 'Aus den SRV-Einträgen Ihrer Domain übernommen.',
    en: "Filled in from your domain's SRV records.",
  },
  probe: {
    de: 'Durch Ausprobieren gefunden: Unter dieser Adresse antwortet ein Server. Bitte prüfen Sie, ob es Ihr Postausgangsserver ist.',
    en: 'Found by trying: a server answers at this address. Please check that it is your outgoing mail server.',
  },
};

export function discoverNote(source: DiscoverSource, lang: Lang): string {
  return sourceNotes[source][lang];
}

/** For a server that takes OAuth2 where this deployment cannot sign in with its provider. */
export function noSignInNote(lang: Lang): string {
  return lang === 'de'
    ? 'Die Anmeldung bei diesem Anbieter ist hier nicht eingerichtet. Verwenden Sie ein Passwort oder ein App-Passwort, sofern Ihr Anbieter das zulässt.'
    : 'Signing in with this provider is not set up here. Use a password or an app password, if your provider allows it.';
}

/** The subject of the delivery row a probe leaves (it counts as a test, but sends nothing). */
export function probeSubject(domain: string, lang: Lang): string {
  return lang === 'de'
    ? `Suche nach dem Postausgangsserver für ${domain} (nur ein Verbindungstest, es wurde keine E-Mail gesendet)`
    : `Search for the outgoing mail server of ${domain} (a connection test only, no e-mail was sent)`;
}
