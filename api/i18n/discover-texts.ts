import type { DiscoverSource } from '../../contract/index.ts';
import type { Lang, Localized } from './lang.ts';

/** What a discovered candidate's source means for the tenant: how far to trust it. */
const sourceNotes: Record<DiscoverSource, Localized> = {
  ispdb: {
    de: 'Aus der Anbieterliste von Thunderbird.',
    en: "From Thunderbird's provider list.",
  },
  autoconfig: {
    de: 'Aus der Konfiguration Ihrer Domain.',
    en: "From your domain's configuration.",
  },
  mx: {
    de: 'Aus dem MX-Eintrag Ihrer Domain abgeleitet – bitte prüfen.',
    en: "Guessed from your domain's MX record – please check.",
  },
  srv: {
    de: 'Aus den SRV-Einträgen Ihrer Domain.',
    en: "From your domain's SRV records.",
  },
  probe: {
    de: 'Durch Ausprobieren gefunden: Der Server antwortet hier – bitte prüfen, ob es Ihr Mailserver ist.',
    en: 'Found by trying: the server answers here – please check that it is your mail server.',
  },
};

export function discoverNote(source: DiscoverSource, lang: Lang): string {
  return sourceNotes[source][lang];
}

/** For a server that takes OAuth2 where this deployment cannot sign in with its provider. */
export function noSignInNote(lang: Lang): string {
  return lang === 'de'
    ? 'Die Anmeldung über den Anbieter ist hier nicht eingerichtet: Verwenden Sie ein Passwort oder App-Passwort, sofern Ihr Anbieter das zulässt.'
    : 'Signing in with the provider is not set up here: use a password or app password, if your provider allows it.';
}

/** The subject of the delivery row a probe leaves (it counts as a test, but sends nothing). */
export function probeSubject(domain: string, lang: Lang): string {
  return lang === 'de'
    ? `Serversuche für ${domain} (Verbindungstest, es wurde keine E-Mail gesendet)`
    : `Server search for ${domain} (connection test, no e-mail was sent)`;
}
