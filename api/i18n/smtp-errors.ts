// Texts a tenant reads about an SMTP test or send: what went wrong (message) and what to do
// (hint), in German and English.

import type { Security, SmtpError, SmtpErrorCode, SmtpStage } from '../../contract/index.ts';
import type { Lang, Localized } from './lang.ts';
import { stageLabel } from './stage-names.ts';
import type { MailRuntime, NormalizedSmtpError } from '../mail/types.ts';

export interface LocalizeContext {
  runtime?: MailRuntime;
  host?: string;
  port?: number;
  security?: Security;
}

type Ctx = LocalizeContext & { stage: SmtpStage };

/** " host", or nothing when the server is not to be named (a stored error of the system relay). */
const named = (c: Ctx) => (c.host ? ` ${c.host}` : '');
/** " to host:port" (or " to host"), or nothing. */
const at = (c: Ctx, to: string) => (c.host ? ` ${to} ${c.host}${c.port ? `:${c.port}` : ''}` : '');
type Text = Localized | ((c: Ctx) => Localized);

const APP_PASSWORD: Localized = {
  de: 'Bei Gmail und Microsoft 365 ist mit aktivierter Zwei-Faktor-Anmeldung ein App-Passwort nötig, nicht das normale Kennwort.',
  en: 'With Gmail and Microsoft 365 and two-factor sign-in enabled, an app password is needed, not the normal password.',
};

/** Hints about a port that does not fit the chosen encryption. */
function portHint(c: LocalizeContext): Localized | null {
  if (c.port === 465 && c.security !== 'tls')
    return {
      de: 'Port 465 erwartet in der Regel SSL/TLS – bitte diese Verschlüsselung wählen.',
      en: 'Port 465 usually expects SSL/TLS – please choose that encryption.',
    };
  if ((c.port === 587 || c.port === 25) && c.security === 'tls')
    return {
      de: `Port ${c.port} verwendet in der Regel STARTTLS, nicht SSL/TLS (das meist Port 465 nutzt).`,
      en: `Port ${c.port} usually uses STARTTLS, not SSL/TLS (which mostly uses port 465).`,
    };
  return null;
}

const join = (lang: Lang, ...parts: (Localized | null | undefined)[]) =>
  parts
    .filter((p): p is Localized => Boolean(p))
    .map((p) => p[lang])
    .join(' ');

const CERT_RUNTIME = (c: LocalizeContext): Localized =>
  c.runtime === 'node'
    ? {
        de: 'Ist es Ihr eigener Server mit selbst signiertem Zertifikat, können Sie „Zertifikat des Servers immer vertrauen“ einschalten: dann wird genau dieses Zertifikat akzeptiert.',
        en: 'If it is your own server with a self-signed certificate, you can turn on “Always trust the server certificate”: then exactly this certificate is accepted.',
      }
    : {
        de: 'In dieser Umgebung muss der Server ein öffentlich vertrauenswürdiges Zertifikat (z. B. von Let’s Encrypt) mit vollständiger Kette vorweisen; selbst signierte Zertifikate können hier nicht erlaubt werden.',
        en: 'In this environment the server must present a publicly trusted certificate (e.g. from Let’s Encrypt) with its complete chain; self-signed certificates cannot be allowed here.',
      };

interface ErrorText {
  message: Text;
  hint: Text;
}

const UNKNOWN: ErrorText = {
  message: (c) => ({
    de: `Unerwarteter Fehler bei „${stageLabel(c.stage, 'de')}“.`,
    en: `Unexpected error during “${stageLabel(c.stage, 'en')}”.`,
  }),
  hint: {
    de: 'Bitte die Einstellungen prüfen und erneut versuchen. Das Protokoll unten zeigt den Ablauf.',
    en: 'Please check the settings and try again. The transcript below shows what happened.',
  },
};

const TEXTS: { [K in SmtpErrorCode]: ErrorText } = {
  connection_refused: {
    message: (c) => ({
      de: `Der Server${named(c)} hat die Verbindung${c.port ? ` auf Port ${c.port}` : ''} abgelehnt.`,
      en: `The server${named(c)} refused the connection${c.port ? ` on port ${c.port}` : ''}.`,
    }),
    hint: {
      de: 'Bitte Hostname und Port prüfen (üblich: 587 mit STARTTLS oder 465 mit SSL/TLS). Auf diesem Port läuft dort kein Mailserver, oder eine Firewall lehnt ab.',
      en: 'Please check host name and port (usual: 587 with STARTTLS or 465 with SSL/TLS). No mail server listens on this port there, or a firewall rejects it.',
    },
  },
  connection_timeout: {
    message: (c) => ({
      de: `Keine Verbindung${at(c, 'zu')} – der Server antwortet nicht.`,
      en: `Could not connect${at(c, 'to')} – the server does not answer.`,
    }),
    hint: {
      de: 'Bitte Hostname und Port prüfen. Oft blockiert eine Firewall den Port, oder der Server ist nicht erreichbar.',
      en: 'Please check host name and port. Often a firewall blocks the port, or the server is unreachable.',
    },
  },
  connection_failed: {
    message: (c) => ({ de: `Keine Verbindung${at(c, 'zu')}.`, en: `Could not connect${at(c, 'to')}.` }),
    hint: {
      de: 'Bitte Hostname und Port prüfen; der Server ist nicht erreichbar, lehnt ab oder der Port ist durch eine Firewall gesperrt.',
      en: 'Please check host name and port; the server is unreachable, refuses, or the port is blocked by a firewall.',
    },
  },
  host_not_found: {
    message: (c) => ({
      de: c.host ? `Der Hostname ${c.host} wurde nicht gefunden.` : 'Der Hostname des Servers wurde nicht gefunden.',
      en: c.host ? `The host name ${c.host} was not found.` : 'The server’s host name was not found.',
    }),
    hint: {
      de: 'Bitte den Hostnamen auf Tippfehler prüfen (z. B. smtp.ihr-anbieter.at).',
      en: 'Please check the host name for typos (e.g. smtp.your-provider.com).',
    },
  },
  host_unreachable: {
    message: (c) => ({
      de: `Der Server${named(c)} ist nicht erreichbar.`,
      en: `The server${named(c)} is unreachable.`,
    }),
    hint: {
      de: 'Bitte Hostnamen prüfen; das Netz des Servers ist von hier aus nicht erreichbar.',
      en: 'Please check the host name; the server’s network cannot be reached from here.',
    },
  },
  greeting_timeout: {
    message: {
      de: 'Der Server hat die Verbindung angenommen, aber sich nicht gemeldet.',
      en: 'The server accepted the connection but never greeted.',
    },
    hint: {
      de: 'Meist passt die Verschlüsselung nicht zum Port: Port 465 braucht SSL/TLS, Port 587 STARTTLS. Sonst ist der Server überlastet oder es ist kein Mailserver.',
      en: 'Usually the encryption does not match the port: port 465 needs SSL/TLS, port 587 STARTTLS. Otherwise the server is overloaded or it is not a mail server.',
    },
  },
  greeting_invalid: {
    message: {
      de: 'Auf diesem Port antwortet kein Mailserver (unverständliche Antwort).',
      en: 'No mail server answers on this port (unintelligible reply).',
    },
    hint: {
      de: 'Bitte Port und Verschlüsselung prüfen: Port 465 braucht SSL/TLS, 587 STARTTLS.',
      en: 'Please check port and encryption: port 465 needs SSL/TLS, 587 STARTTLS.',
    },
  },
  greeting_rejected: {
    message: { de: 'Der Server lehnt Verbindungen von hier ab.', en: 'The server refuses connections from here.' },
    hint: {
      de: 'Der Anbieter sperrt vermutlich diese Absender-IP oder verlangt einen anderen Port. Bitte beim Anbieter nachfragen.',
      en: 'The provider probably blocks this sender IP or requires another port. Please ask the provider.',
    },
  },
  server_unavailable: {
    message: { de: 'Der Server ist vorübergehend nicht verfügbar.', en: 'The server is temporarily unavailable.' },
    hint: { de: 'Bitte später erneut versuchen.', en: 'Please try again later.' },
  },
  response_timeout: {
    message: (c) => ({
      de: `Der Server hat bei „${stageLabel(c.stage, 'de')}“ nicht mehr geantwortet.`,
      en: `The server stopped answering during “${stageLabel(c.stage, 'en')}”.`,
    }),
    hint: {
      de: 'Der Server ist überlastet oder die Verbindung wird unterbrochen. Bitte später erneut versuchen.',
      en: 'The server is overloaded or the connection is being interrupted. Please try again later.',
    },
  },
  total_timeout: {
    message: {
      de: 'Der Server war zu langsam; der Versuch wurde abgebrochen.',
      en: 'The server was too slow; the attempt was stopped.',
    },
    hint: {
      de: 'Der Server antwortet extrem langsam oder unvollständig. Bitte Port und Verschlüsselung prüfen oder später erneut versuchen.',
      en: 'The server answers extremely slowly or incompletely. Please check port and encryption or try again later.',
    },
  },
  connection_closed: {
    message: (c) => ({
      de: `Der Server hat die Verbindung bei „${stageLabel(c.stage, 'de')}“ getrennt.`,
      en: `The server closed the connection during “${stageLabel(c.stage, 'en')}”.`,
    }),
    hint: {
      de: 'Oft passt die Verschlüsselung nicht zum Port (465 = SSL/TLS, 587 = STARTTLS), oder der Server lehnt diese Absender-IP ab.',
      en: 'Often the encryption does not match the port (465 = SSL/TLS, 587 = STARTTLS), or the server refuses this sender IP.',
    },
  },
  protocol_error: {
    message: { de: 'Der Server hat unerwartet geantwortet.', en: 'The server replied unexpectedly.' },
    hint: {
      de: 'Bitte Port und Verschlüsselung prüfen; ist es wirklich ein SMTP-Server?',
      en: 'Please check port and encryption; is it really an SMTP server?',
    },
  },
  ehlo_rejected: {
    message: {
      de: 'Der Server hat die Anmeldung der Sitzung (EHLO) abgelehnt.',
      en: 'The server rejected the session start (EHLO).',
    },
    hint: {
      de: 'Bitte beim Anbieter nachfragen, ob Versand von außen erlaubt ist.',
      en: 'Please ask the provider whether sending from outside is allowed.',
    },
  },
  starttls_unavailable: {
    message: {
      de: 'Der Server bietet keine Verschlüsselung per STARTTLS an.',
      en: 'The server does not offer encryption via STARTTLS.',
    },
    hint: {
      de: 'Bitte SSL/TLS mit Port 465 wählen oder beim Anbieter nachfragen. Ohne Verschlüsselung wird das Passwort nicht gesendet.',
      en: 'Please choose SSL/TLS with port 465 or ask the provider. The password is not sent without encryption.',
    },
  },
  tls_unavailable_temporary: {
    message: {
      de: 'Der Server kann die Verschlüsselung gerade nicht aufbauen.',
      en: 'The server cannot set up encryption right now.',
    },
    hint: { de: 'Bitte später erneut versuchen.', en: 'Please try again later.' },
  },
  certificate_untrusted: {
    message: { de: 'Dem Zertifikat des Servers wird nicht vertraut.', en: 'The server’s certificate is not trusted.' },
    hint: (c) => ({
      de: `Das Zertifikat ist selbst signiert, die Zertifikatskette ist unvollständig oder es ist abgelaufen. ${CERT_RUNTIME(c).de}`,
      en: `The certificate is self-signed, its chain is incomplete, or it has expired. ${CERT_RUNTIME(c).en}`,
    }),
  },
  certificate_expired: {
    message: {
      de: 'Das Zertifikat des Servers ist abgelaufen (oder noch nicht gültig).',
      en: 'The server’s certificate has expired (or is not yet valid).',
    },
    hint: {
      de: 'Bitte den Betreiber des Mailservers bitten, das Zertifikat zu erneuern.',
      en: 'Please ask the mail server’s operator to renew the certificate.',
    },
  },
  certificate_name_mismatch: {
    message: (c) => ({
      de: `Das Zertifikat des Servers gilt nicht für ${c.host ?? 'seinen Hostnamen'}.`,
      en: `The server’s certificate is not valid for ${c.host ?? 'its host name'}.`,
    }),
    hint: {
      de: 'Bitte genau den Hostnamen eintragen, auf den das Zertifikat ausgestellt ist (z. B. smtp.anbieter.at statt einer IP-Adresse oder eines Alias).',
      en: 'Please enter exactly the host name the certificate was issued for (e.g. smtp.provider.com rather than an IP address or an alias).',
    },
  },
  certificate_pin_mismatch: {
    message: {
      de: 'Der Server zeigt ein anderes Zertifikat als beim Test.',
      en: 'The server presents a different certificate than at the test.',
    },
    hint: {
      de: 'Wurde das Zertifikat erneuert, bitte die Einstellungen erneut testen und speichern. Sonst könnte jemand die Verbindung abfangen.',
      en: 'If the certificate was renewed, please test and save the settings again. Otherwise someone might be intercepting the connection.',
    },
  },
  tls_failed_workers: {
    message: {
      de: 'Die verschlüsselte Verbindung (TLS) konnte nicht aufgebaut werden.',
      en: 'The encrypted connection (TLS) could not be established.',
    },
    hint: (c) => ({
      de: `Meist wird dem Zertifikat des Servers nicht vertraut (selbst signiert, unvollständige Kette oder abgelaufen). ${CERT_RUNTIME(c).de} Passt die Verschlüsselung zum Port (465 = SSL/TLS, 587 = STARTTLS)?`,
      en: `Usually the server’s certificate is not trusted (self-signed, incomplete chain, or expired). ${CERT_RUNTIME(c).en} Does the encryption match the port (465 = SSL/TLS, 587 = STARTTLS)?`,
    }),
  },
  tls_failed: {
    message: {
      de: 'Die verschlüsselte Verbindung (TLS) konnte nicht aufgebaut werden.',
      en: 'The encrypted connection (TLS) could not be established.',
    },
    hint: {
      de: 'Bitte prüfen, ob die Verschlüsselung zum Port passt (465 = SSL/TLS, 587 = STARTTLS). Der Server unterstützt eventuell nur veraltete TLS-Versionen.',
      en: 'Please check that the encryption matches the port (465 = SSL/TLS, 587 = STARTTLS). The server may support only outdated TLS versions.',
    },
  },
  tls_closed: {
    message: {
      de: 'Der Server hat die Verbindung während der Verschlüsselung getrennt.',
      en: 'The server closed the connection while setting up encryption.',
    },
    hint: {
      de: 'Bitte prüfen, ob die Verschlüsselung zum Port passt (465 = SSL/TLS, 587 = STARTTLS).',
      en: 'Please check that the encryption matches the port (465 = SSL/TLS, 587 = STARTTLS).',
    },
  },
  tls_timeout: {
    message: {
      de: 'Der Aufbau der Verschlüsselung hat zu lange gedauert.',
      en: 'Setting up encryption took too long.',
    },
    hint: {
      de: 'Bitte prüfen, ob die Verschlüsselung zum Port passt (465 = SSL/TLS, 587 = STARTTLS).',
      en: 'Please check that the encryption matches the port (465 = SSL/TLS, 587 = STARTTLS).',
    },
  },
  auth_failed: {
    message: {
      de: 'Der Server hat Benutzername oder Passwort abgelehnt.',
      en: 'The server rejected the user name or password.',
    },
    hint: {
      de: `Bitte Benutzername (oft die vollständige E-Mail-Adresse) und Passwort prüfen. ${APP_PASSWORD.de}`,
      en: `Please check the user name (often the full e-mail address) and password. ${APP_PASSWORD.en}`,
    },
  },
  auth_app_password_required: {
    message: { de: 'Der Server verlangt ein App-Passwort.', en: 'The server requires an app password.' },
    hint: {
      de: 'Bitte im Konto des Anbieters (Google, Microsoft …) ein App-Passwort erzeugen und hier statt des normalen Kennworts eintragen.',
      en: 'Please create an app password in the provider’s account (Google, Microsoft …) and enter it here instead of the normal password.',
    },
  },
  auth_method_unsupported: {
    message: {
      de: 'Der Server unterstützt die gewählte Anmeldemethode nicht.',
      en: 'The server does not support the chosen authentication method.',
    },
    hint: {
      de: 'Bitte eine andere Methode wählen (meist PLAIN oder LOGIN).',
      en: 'Please choose another method (usually PLAIN or LOGIN).',
    },
  },
  auth_unavailable: {
    message: { de: 'Der Server bietet keine Anmeldung an.', en: 'The server does not offer authentication.' },
    hint: {
      de: 'Bitte bei der Authentifizierung das Verfahren „Keine“ wählen, falls der Server ohne Anmeldung versendet, oder Port/Verschlüsselung prüfen (manche Server erlauben die Anmeldung nur verschlüsselt).',
      en: 'Please choose the authentication method “None” if the server sends without login, or check port/encryption (some servers allow login only when encrypted).',
    },
  },
  auth_encryption_required: {
    message: {
      de: 'Der Server erlaubt die Anmeldung nur über eine verschlüsselte Verbindung.',
      en: 'The server allows login only over an encrypted connection.',
    },
    hint: {
      de: 'Bitte STARTTLS (Port 587) oder SSL/TLS (Port 465) wählen.',
      en: 'Please choose STARTTLS (port 587) or SSL/TLS (port 465).',
    },
  },
  auth_temporary: {
    message: { de: 'Die Anmeldung ist vorübergehend nicht möglich.', en: 'Login is temporarily not possible.' },
    hint: { de: 'Bitte später erneut versuchen.', en: 'Please try again later.' },
  },
  auth_credentials_missing: {
    message: {
      de: 'Für die Anmeldung fehlen Benutzername oder Passwort.',
      en: 'User name or password for the login are missing.',
    },
    hint: { de: 'Bitte Benutzername und Passwort eingeben.', en: 'Please enter user name and password.' },
  },
  auth_required: {
    message: { de: 'Der Server verlangt eine Anmeldung.', en: 'The server requires authentication.' },
    hint: {
      de: 'Bitte eine Authentifizierung (z. B. PLAIN) mit Benutzername und Passwort wählen.',
      en: 'Please choose an authentication (e.g. PLAIN) with user name and password.',
    },
  },
  relay_denied: {
    message: {
      de: 'Der Server lehnt den Versand mit dieser Absenderadresse ab.',
      en: 'The server refuses to send with this sender address.',
    },
    hint: {
      de: 'Die Absenderadresse ist für dieses Konto nicht erlaubt. Bitte die Adresse des Postfachs als Absender verwenden oder beim Anbieter die Adresse freischalten („Senden als“).',
      en: 'The sender address is not allowed for this account. Please use the mailbox’s own address as sender or have the provider allow it (“send as”).',
    },
  },
  sender_rejected: {
    message: { de: 'Der Server hat die Absenderadresse abgelehnt.', en: 'The server rejected the sender address.' },
    hint: {
      de: 'Bitte die Absenderadresse prüfen; sie muss zum Konto passen.',
      en: 'Please check the sender address; it must belong to the account.',
    },
  },
  recipient_rejected: {
    message: { de: 'Der Server hat den Empfänger abgelehnt.', en: 'The server rejected the recipient.' },
    hint: {
      de: 'Bitte die Empfängeradresse prüfen. Die Antwort des Servers nennt meist den Grund.',
      en: 'Please check the recipient address. The server’s reply usually names the reason.',
    },
  },
  recipient_temporary: {
    message: {
      de: 'Der Empfänger ist vorübergehend nicht erreichbar.',
      en: 'The recipient is temporarily unavailable.',
    },
    hint: { de: 'Der Versand wird später erneut versucht.', en: 'Sending will be retried later.' },
  },
  message_too_large: {
    message: { de: 'Die Nachricht ist für den Server zu groß.', en: 'The message is too large for the server.' },
    hint: {
      de: 'Bitte Anhänge verkleinern oder auf mehrere Nachrichten aufteilen.',
      en: 'Please make attachments smaller or split them across messages.',
    },
  },
  message_rejected_policy: {
    message: {
      de: 'Der Server hat die Nachricht aus Richtliniengründen abgelehnt.',
      en: 'The server rejected the message for policy reasons.',
    },
    hint: {
      de: 'Die Antwort des Servers nennt den Grund (z. B. Spam- oder Virenfilter, Absenderrichtlinie).',
      en: 'The server’s reply names the reason (e.g. spam or virus filter, sender policy).',
    },
  },
  message_rejected: {
    message: { de: 'Der Server hat die Nachricht abgelehnt.', en: 'The server rejected the message.' },
    hint: { de: 'Die Antwort des Servers nennt meist den Grund.', en: 'The server’s reply usually names the reason.' },
  },
  temporary_failure: {
    message: { de: 'Der Server hat vorübergehend abgelehnt.', en: 'The server refused temporarily.' },
    hint: {
      de: 'Bitte später erneut versuchen; Sendungen werden automatisch wiederholt.',
      en: 'Please try again later; sends are retried automatically.',
    },
  },
  rejected: {
    message: { de: 'Der Server hat abgelehnt.', en: 'The server refused.' },
    hint: { de: 'Die Antwort des Servers nennt meist den Grund.', en: 'The server’s reply usually names the reason.' },
  },
  // Outbox outcomes that are not a server's reply.
  recipients_rejected: {
    message: {
      de: 'Einige Empfänger wurden abgelehnt; die übrigen haben die Nachricht erhalten.',
      en: 'Some recipients were refused; the others received the message.',
    },
    hint: {
      de: 'Die Antwort nennt die abgelehnten Empfänger und den Grund. Vorübergehende Ablehnungen (4xx) werden später erneut versucht.',
      en: 'The response names the refused recipients and why. Temporary refusals (4xx) are tried again later.',
    },
  },
  recipients_refused: {
    message: {
      de: 'Die Nachricht wurde gesendet, aber einige Empfänger wurden endgültig abgelehnt.',
      en: 'The message was sent, but some recipients were refused for good.',
    },
    hint: {
      de: 'Die Antwort nennt die abgelehnten Adressen und den Grund; an sie wird nicht erneut gesendet. Bitte die Adressen prüfen.',
      en: 'The response names the refused addresses and the reason; they are not tried again. Please check those addresses.',
    },
  },
  test_unconfirmed: {
    message: {
      de: 'Der Server hat die Testnachricht erhalten, aber nicht rechtzeitig bestätigt.',
      en: 'The server received the test message but did not confirm it in time.',
    },
    hint: {
      de: 'Bitte im Postfach nachsehen: Ist die Test-E-Mail angekommen, funktionieren die Einstellungen, der Server antwortet nur langsam (z. B. wegen einer Viren- oder Spamprüfung). Rechnungen werden in diesem Fall höchstens ein zweites Mal gesendet.',
      en: 'Please check the mailbox: if the test email arrived, the settings work and the server is just slow to answer (for example because of a virus or spam check). Invoices are then sent a second time at most.',
    },
  },
  test_interrupted: {
    message: {
      de: 'Der Test wurde abgebrochen, bevor sein Ergebnis gespeichert war.',
      en: 'The test was cut off before its result was recorded.',
    },
    hint: {
      de: 'Die Test-E-Mail kam vielleicht trotzdem an. Bitte das Postfach prüfen oder den Test wiederholen.',
      en: 'The test email may have arrived anyway. Please check the mailbox or run the test again.',
    },
  },
  interrupted: {
    message: {
      de: 'Der Versand wurde zweimal mitten im Senden unterbrochen.',
      en: 'Sending was cut off twice while in progress.',
    },
    hint: {
      de: 'Die Nachricht wurde möglicherweise schon zugestellt; damit sie nicht ein drittes Mal ankommt, wird sie nicht erneut gesendet. Bitte beim Empfänger oder im Gesendet-Ordner nachsehen und bei Bedarf neu senden.',
      en: 'The message may already have been delivered; to avoid a third copy it is not sent again. Please check with the recipient or in the Sent folder and send it again if needed.',
    },
  },
  delivery_unknown: {
    message: {
      de: 'Der Server hat die Nachricht erhalten, den Empfang aber nicht bestätigt (keine Antwort).',
      en: 'The server received the message but did not confirm it (no reply).',
    },
    hint: {
      de: 'Die Nachricht wurde möglicherweise zugestellt; damit sie nicht mehrfach ankommt, wird sie nicht noch einmal gesendet. Bitte beim Empfänger nachsehen und bei Bedarf neu senden.',
      en: 'The message may have been delivered; to avoid more copies it is not sent again. Please check with the recipient and send it again if needed.',
    },
  },
  payload_missing: {
    message: {
      de: 'Der Inhalt der Nachricht ist nicht mehr gespeichert.',
      en: 'The message content is no longer stored.',
    },
    hint: {
      de: 'Die Nachricht wurde nicht gesendet (statt einer leeren Nachricht). Bitte erneut übergeben.',
      en: 'The message was not sent (rather than sending an empty one). Please hand it over again.',
    },
  },
  payload_unusable: {
    message: {
      de: 'Die gespeicherte Nachricht ist beschädigt und kann nicht erstellt werden.',
      en: 'The stored message is damaged and cannot be built.',
    },
    hint: {
      de: 'Die Nachricht wurde nicht gesendet. Bitte erneut übergeben; tritt das wieder auf, bitte an den Support wenden.',
      en: 'The message was not sent. Please hand it over again; if this happens again, please contact support.',
    },
  },
  fallback_turned_off: {
    message: {
      de: 'Nicht über den System-Mailserver gesendet: Die Ausweichmöglichkeit wurde ausgeschaltet, nachdem Ihr Server gescheitert war.',
      en: 'Not sent through the system mail server: the fallback was turned off after your server had failed.',
    },
    hint: {
      de: 'Warum Ihr Server gescheitert ist, steht beim ursprünglichen Fehler. Bitte die Einstellungen prüfen, testen und die Nachricht erneut übergeben.',
      en: 'Why your server failed is shown with the original error. Please check and test the settings, then hand the message over again.',
    },
  },
  system_relay_not_configured: {
    message: { de: 'Der System-Mailserver ist nicht eingerichtet.', en: 'The system mail server is not set up.' },
    hint: {
      de: 'Der Betreiber muss SYSTEM_SMTP_URL setzen. Bitte wenden Sie sich an den Support.',
      en: 'The operator must set SYSTEM_SMTP_URL. Please contact support.',
    },
  },
  credentials_unreadable: {
    message: {
      de: 'Das gespeicherte Passwort kann nicht entschlüsselt werden.',
      en: 'The stored password cannot be decrypted.',
    },
    hint: {
      de: 'Bitte das Passwort in den Mailserver-Einstellungen neu eingeben und speichern.',
      en: 'Please enter the password again in the mail server settings and save.',
    },
  },
  host_private: {
    message: {
      de: 'Dieser Server ist eine interne Adresse und darf nicht verwendet werden.',
      en: 'This server is an internal address and may not be used.',
    },
    hint: {
      de: 'Bitte den öffentlichen Namen Ihres Mailservers eintragen.',
      en: 'Please enter the public name of your mail server.',
    },
  },
  private_address: {
    message: (c) => ({
      de: `Der Server${named(c)} ist oder verweist auf eine interne Adresse (privat, Loopback oder link-lokal); dorthin wird keine Verbindung aufgebaut.`,
      en: `The server${named(c)} is or resolves to an internal address (private, loopback or link-local); no connection is made to it.`,
    }),
    hint: {
      de: 'Bitte den öffentlichen Namen Ihres Mailservers eintragen, dessen DNS-Einträge auf öffentliche Adressen zeigen.',
      en: 'Please enter the public name of your mail server, whose DNS records point to public addresses.',
    },
  },
  port_blocked: {
    message: {
      de: 'Port 25 ist für ausgehende Verbindungen gesperrt.',
      en: 'Port 25 is blocked for outgoing connections.',
    },
    hint: {
      de: 'Bitte Port 587 (STARTTLS) oder 465 (SSL/TLS) verwenden.',
      en: 'Please use port 587 (STARTTLS) or 465 (SSL/TLS).',
    },
  },
  // No text of its own: a tenant route without settings reads as an unexpected error.
  not_configured: UNKNOWN,
  unknown: UNKNOWN,
};

/** The codes the engine and the outbox can produce (for tests and docs). */
export const SMTP_ERROR_CODES = Object.keys(TEXTS) as SmtpErrorCode[];

export function isSmtpErrorCode(code: string): code is SmtpErrorCode {
  return Object.hasOwn(TEXTS, code);
}

/** Failures a port that does not fit the chosen encryption typically causes. */
const PORT_MISMATCH_SYMPTOMS = new Set<SmtpErrorCode>([
  'greeting_timeout',
  'connection_closed',
  'tls_failed',
  'tls_failed_workers',
  'tls_timeout',
  'greeting_invalid',
  'total_timeout',
  'connection_timeout',
]);

/** An engine error, or one read back from a delivery row, whose code may predate today's codes. */
export type ReportedSmtpError = Omit<NormalizedSmtpError, 'code'> & { code: string };

/** Contract `SmtpError` (message + hint in the request's language) for an engine error; unknown codes read as `unknown`. */
export function localizeSmtpError(error: ReportedSmtpError, lang: Lang, context: LocalizeContext = {}): SmtpError {
  const code = isSmtpErrorCode(error.code) ? error.code : 'unknown';
  const entry = TEXTS[code];
  const c: Ctx = { ...context, stage: error.stage };
  const resolve = (t: Text) => (typeof t === 'function' ? t(c) : t);
  const extra = PORT_MISMATCH_SYMPTOMS.has(code) ? portHint(context) : null;
  return {
    stage: error.stage,
    code,
    responseCode: error.responseCode,
    response: error.response,
    message: resolve(entry.message)[lang],
    hint: join(lang, extra, resolve(entry.hint)),
  };
}
