import type { SmtpErrorCode } from '../../../contract/index.ts';
import type { Localized } from '../lang.ts';
import { stageLabel } from '../stage-names.ts';
import { at, byPortFit, type ErrorText, isStarttlsPort, type LocalizeContext, named, portFits } from './wording.ts';

const CERT_RUNTIME = (c: LocalizeContext): Localized =>
  c.runtime === 'node'
    ? {
        de: 'Ist es Ihr eigener Server mit selbst signiertem Zertifikat, können Sie „Dem Zertifikat des Servers immer vertrauen“ einschalten und den Fingerabdruck des Zertifikats bestätigen: dann wird genau dieses Zertifikat akzeptiert.',
        en: 'If it is your own server with a self-signed certificate, you can turn on “Always trust the server certificate” and confirm the certificate’s fingerprint: then exactly this certificate is accepted.',
      }
    : {
        de: 'In dieser Umgebung muss der Server ein öffentlich vertrauenswürdiges Zertifikat (z. B. von Let’s Encrypt) mit vollständiger Kette vorweisen; selbst signierte Zertifikate können hier nicht erlaubt werden.',
        en: 'In this environment the server must present a publicly trusted certificate (e.g. from Let’s Encrypt) with its complete chain; self-signed certificates cannot be allowed here.',
      };

const CHECK_PORT: Localized = {
  de: 'Bitte prüfen, ob die Verschlüsselung zum Port passt (465 = SSL/TLS, 587 = STARTTLS).',
  en: 'Please check that the encryption matches the port (465 = SSL/TLS, 587 = STARTTLS).',
};

/** Reaching the server, its greeting, encryption and certificates. */
export const CONNECTION_TEXTS = {
  connection_refused: {
    message: (c) => ({
      de: `Der Server${named(c)} hat die Verbindung${c.port ? ` auf Port ${c.port}` : ''} abgelehnt.`,
      en: `The server${named(c)} refused the connection${c.port ? ` on port ${c.port}` : ''}.`,
    }),
    hint: {
      de: 'Bitte Hostname und Port prüfen (üblich: 587 mit STARTTLS oder 465 mit SSL/TLS). Auf diesem Port ist dort kein SMTP-Server erreichbar, oder eine Firewall blockiert die Verbindung.',
      en: 'Please check host name and port (usual: 587 with STARTTLS or 465 with SSL/TLS). No SMTP server listens on this port there, or a firewall blocks the connection.',
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
      de: 'Der Server hat die Verbindung angenommen, sich aber nicht gemeldet.',
      en: 'The server accepted the connection but never sent its greeting.',
    },
    hint: byPortFit(
      {
        de: 'Der Server ist vermutlich überlastet, oder unter diesem Namen und Port läuft kein SMTP-Server. Bitte später erneut versuchen oder beim Anbieter nachfragen.',
        en: 'The server is probably overloaded, or no SMTP server runs under this name and port. Please try again later or ask the provider.',
      },
      {
        de: 'Meist passt die Verschlüsselung nicht zum Port: Port 465 braucht SSL/TLS, Port 587 STARTTLS. Sonst ist der Server überlastet, oder es ist kein SMTP-Server.',
        en: 'Usually the encryption does not match the port: port 465 needs SSL/TLS, port 587 STARTTLS. Otherwise the server is overloaded, or it is not an SMTP server.',
      },
    ),
  },
  greeting_invalid: {
    message: {
      de: 'Auf diesem Port antwortet kein SMTP-Server (unverständliche Antwort).',
      en: 'No SMTP server answers on this port (the reply makes no sense as SMTP).',
    },
    hint: byPortFit(
      {
        de: 'Unter diesem Namen und Port antwortet ein anderer Dienst. Bitte Hostnamen und Port beim Anbieter erfragen.',
        en: 'Another service answers under this name and port. Please ask the provider for the host name and port.',
      },
      {
        de: 'Bitte Port und Verschlüsselung prüfen: Port 465 braucht SSL/TLS, 587 STARTTLS.',
        en: 'Please check port and encryption: port 465 needs SSL/TLS, 587 STARTTLS.',
      },
    ),
  },
  greeting_rejected: {
    message: { de: 'Der Server lehnt Verbindungen von hier ab.', en: 'The server refuses connections from here.' },
    hint: {
      de: 'Der Anbieter sperrt vermutlich die IP-Adresse, von der dieser Dienst sendet, oder verlangt einen anderen Port. Bitte beim Anbieter nachfragen.',
      en: 'The provider probably blocks the IP address this service sends from, or requires another port. Please ask the provider.',
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
    hint: byPortFit(
      {
        de: 'Der Server antwortet extrem langsam oder unvollständig. Bitte später erneut versuchen.',
        en: 'The server answers extremely slowly or incompletely. Please try again later.',
      },
      {
        de: 'Der Server antwortet extrem langsam oder unvollständig. Bitte Port und Verschlüsselung prüfen oder später erneut versuchen.',
        en: 'The server answers extremely slowly or incompletely. Please check port and encryption or try again later.',
      },
    ),
  },
  connection_closed: {
    message: (c) => ({
      de: `Der Server hat die Verbindung bei „${stageLabel(c.stage, 'de')}“ getrennt.`,
      en: `The server closed the connection during “${stageLabel(c.stage, 'en')}”.`,
    }),
    hint: byPortFit(
      {
        de: 'Der Server lehnt vermutlich die IP-Adresse ab, von der dieser Dienst sendet, oder ist überlastet. Bitte später erneut versuchen oder beim Anbieter nachfragen.',
        en: 'The server probably refuses the IP address this service sends from, or is overloaded. Please try again later or ask the provider.',
      },
      {
        de: 'Oft passt die Verschlüsselung nicht zum Port (465 = SSL/TLS, 587 = STARTTLS), oder der Server lehnt die IP-Adresse ab, von der dieser Dienst sendet.',
        en: 'Often the encryption does not match the port (465 = SSL/TLS, 587 = STARTTLS), or the server refuses the IP address this service sends from.',
      },
    ),
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
      de: 'Der Server hat den Beginn der Sitzung (EHLO) abgelehnt.',
      en: 'The server rejected the session start (EHLO).',
    },
    hint: {
      de: 'Bitte beim Anbieter nachfragen, ob der Versand von außerhalb erlaubt ist.',
      en: 'Please ask the provider whether sending from outside is allowed.',
    },
  },
  starttls_unavailable: {
    message: {
      de: 'Der Server bietet keine Verschlüsselung per STARTTLS an.',
      en: 'The server does not offer encryption via STARTTLS.',
    },
    // The password sentence only where a password would be sent.
    hint: (c) =>
      c.authMethod === 'plain' || c.authMethod === 'login' || c.authMethod === 'cram-md5'
        ? {
            de: 'Bitte SSL/TLS mit Port 465 wählen oder beim Anbieter nachfragen. Ohne Verschlüsselung wird das Passwort nicht gesendet.',
            en: 'Please choose SSL/TLS with port 465 or ask the provider. The password is not sent without encryption.',
          }
        : {
            de: 'Bitte SSL/TLS mit Port 465 wählen oder beim Anbieter nachfragen.',
            en: 'Please choose SSL/TLS with port 465 or ask the provider.',
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
      de: 'Bitte den Betreiber des Servers bitten, das Zertifikat zu erneuern.',
      en: 'Please ask the server’s operator to renew the certificate.',
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
      de: 'Der Server legt ein anderes Zertifikat vor als das, dem Sie vertraut haben. Es wurden keine Zugangsdaten gesendet.',
      en: 'The server presents a different certificate than the one you trusted. No credentials were sent.',
    },
    hint: {
      de: 'Wurde das Zertifikat erneuert, gleichen Sie bitte den neuen Fingerabdruck mit dem Betreiber des Servers ab, vertrauen Sie dem neuen Zertifikat und speichern Sie die Einstellungen mit dem Passwort. Wurde es nicht erneuert, könnte jemand die Verbindung abfangen.',
      en: 'If the certificate was renewed, please check the new fingerprint with the server’s operator, trust the new certificate and save the settings with the password. If it was not renewed, someone may be intercepting the connection.',
    },
  },
  certificate_unconfirmed: {
    message: {
      de: 'Der Server legt ein Zertifikat vor, dem Sie noch nicht vertraut haben. Es wurden keine Zugangsdaten gesendet.',
      en: 'The server presents a certificate you have not trusted yet. No credentials were sent.',
    },
    hint: {
      de: 'Bitte gleichen Sie Aussteller, Inhaber, Gültigkeit und Fingerabdruck (SHA-256) mit dem Betreiber des Servers ab und vertrauen Sie dann genau diesem Zertifikat.',
      en: 'Please check the issuer, subject, validity and fingerprint (SHA-256) with the server’s operator, then trust exactly this certificate.',
    },
  },
  tls_failed_workers: {
    message: {
      de: 'Die verschlüsselte Verbindung (TLS) konnte nicht aufgebaut werden.',
      en: 'The encrypted connection (TLS) could not be established.',
    },
    // SSL/TLS chosen for a STARTTLS port: the port hint (smtp-errors.ts) comes first, and the
    // certificate only if the port is right (workerd reports that handshake like a refused certificate).
    hint: (c) =>
      c.security === 'tls' && isStarttlsPort(c.port)
        ? {
            de: `Stimmt der Port, wird meist dem Zertifikat des Servers nicht vertraut. ${CERT_RUNTIME(c).de}`,
            en: `If the port is right, the server’s certificate is usually not trusted. ${CERT_RUNTIME(c).en}`,
          }
        : {
            de: `Meist wird dem Zertifikat des Servers nicht vertraut (selbst signiert, unvollständige Kette oder abgelaufen). ${CERT_RUNTIME(c).de}${portFits(c) ? '' : ' Passt die Verschlüsselung zum Port (465 = SSL/TLS, 587 = STARTTLS)?'}`,
            en: `Usually the server’s certificate is not trusted (self-signed, incomplete chain, or expired). ${CERT_RUNTIME(c).en}${portFits(c) ? '' : ' Does the encryption match the port (465 = SSL/TLS, 587 = STARTTLS)?'}`,
          },
  },
  tls_failed: {
    message: {
      de: 'Die verschlüsselte Verbindung (TLS) konnte nicht aufgebaut werden.',
      en: 'The encrypted connection (TLS) could not be established.',
    },
    hint: byPortFit(
      {
        de: 'Der Server unterstützt möglicherweise nur veraltete TLS-Versionen. Bitte beim Anbieter nachfragen.',
        en: 'The server may support only outdated TLS versions. Please ask the provider.',
      },
      {
        de: 'Bitte prüfen, ob die Verschlüsselung zum Port passt (465 = SSL/TLS, 587 = STARTTLS). Der Server unterstützt möglicherweise nur veraltete TLS-Versionen.',
        en: 'Please check that the encryption matches the port (465 = SSL/TLS, 587 = STARTTLS). The server may support only outdated TLS versions.',
      },
    ),
  },
  tls_closed: {
    message: {
      de: 'Der Server hat die Verbindung während der Verschlüsselung getrennt.',
      en: 'The server closed the connection while setting up encryption.',
    },
    hint: byPortFit(
      {
        de: 'Der Server hat die Verschlüsselung nicht zu Ende geführt; er unterstützt möglicherweise nur veraltete TLS-Versionen. Bitte später erneut versuchen oder beim Anbieter nachfragen.',
        en: 'The server did not complete the encryption; it may support only outdated TLS versions. Please try again later or ask the provider.',
      },
      CHECK_PORT,
    ),
  },
  tls_timeout: {
    message: {
      de: 'Der Aufbau der Verschlüsselung hat zu lange gedauert.',
      en: 'Setting up encryption took too long.',
    },
    hint: byPortFit(
      {
        de: 'Der Server hat die Verschlüsselung nicht zu Ende geführt; er unterstützt möglicherweise nur veraltete TLS-Versionen. Bitte später erneut versuchen oder beim Anbieter nachfragen.',
        en: 'The server did not complete the encryption; it may support only outdated TLS versions. Please try again later or ask the provider.',
      },
      CHECK_PORT,
    ),
  },
} satisfies { [K in SmtpErrorCode]?: ErrorText };
