import type { SmtpErrorCode } from '../../../contract/index.ts';
import { stageLabel } from '../stage-names.ts';
import { type ErrorText, named } from './wording.ts';

/** An error the engine could not name, at the stage it happened. */
export const UNKNOWN: ErrorText = {
  message: (c) => ({
    de: `Unerwarteter Fehler bei „${stageLabel(c.stage, 'de')}“.`,
    en: `Unexpected error during “${stageLabel(c.stage, 'en')}”.`,
  }),
  hint: {
    de: 'Bitte die Einstellungen prüfen und erneut versuchen. Das SMTP-Protokoll unten zeigt den Ablauf.',
    en: 'Please check the settings and try again. The SMTP transcript below shows what happened.',
  },
};

/** Outbox outcomes that are not a server's reply, and settings refused before connecting. */
export const OUTCOME_TEXTS = {
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
      de: 'Der Server hat die Test-E-Mail erhalten, aber nicht rechtzeitig bestätigt.',
      en: 'The server received the test e-mail but did not confirm it in time.',
    },
    hint: {
      de: 'Bitte im Postfach nachsehen: Ist die Test-E-Mail angekommen, funktionieren die Einstellungen; der Server antwortet nur langsam (z. B. wegen einer Viren- oder Spamprüfung). Antwortet er auch bei einer Rechnung so spät, wird sie höchstens ein zweites Mal gesendet.',
      en: 'Please check the mailbox: if the test e-mail arrived, the settings work and the server is just slow to answer (for example because of a virus or spam check). If it answers this late for an invoice, the invoice is sent a second time at most.',
    },
  },
  test_interrupted: {
    message: {
      de: 'Der Test wurde abgebrochen, bevor sein Ergebnis gespeichert war.',
      en: 'The test was cut off before its result was recorded.',
    },
    hint: {
      de: 'Die Test-E-Mail kam vielleicht trotzdem an. Bitte das Postfach prüfen oder den Test wiederholen.',
      en: 'The test e-mail may have arrived anyway. Please check the mailbox or run the test again.',
    },
  },
  cancelled: {
    message: {
      de: 'Die Prüfung wurde abgebrochen.',
      en: 'The check was cancelled.',
    },
    hint: {
      de: 'Die Verbindung zum Server wurde sofort beendet. Ob die Einstellungen funktionieren, ist damit noch offen. Starten Sie die Prüfung erneut, wenn Sie ein Ergebnis brauchen.',
      en: 'The connection to the server was ended at once, so it is still open whether the settings work. Run the check again when you need a result.',
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
      de: 'Die Nachricht wurde nicht gesendet, damit keine leere E-Mail hinausgeht. Bitte übergeben Sie sie erneut.',
      en: 'The message was not sent, so that no empty e-mail goes out. Please submit it again.',
    },
  },
  payload_unusable: {
    message: {
      de: 'Die gespeicherte Nachricht ist beschädigt und kann nicht zusammengesetzt werden.',
      en: 'The stored message is damaged and cannot be put together.',
    },
    hint: {
      de: 'Die Nachricht wurde nicht gesendet. Bitte übergeben Sie sie erneut; tritt der Fehler wieder auf, wenden Sie sich bitte an den Support.',
      en: 'The message was not sent. Please submit it again; if this happens again, please contact support.',
    },
  },
  fallback_turned_off: {
    message: {
      de: 'Nicht über den System-Mailserver gesendet: Der Ausweichweg wurde ausgeschaltet, nachdem Ihr Server gescheitert war.',
      en: 'Not sent through the system mail server: the fallback was turned off after your server had failed.',
    },
    hint: {
      de: 'Warum Ihr Server gescheitert ist, steht beim ursprünglichen Fehler. Bitte die Einstellungen prüfen und testen und die Nachricht dann erneut übergeben.',
      en: 'Why your server failed is shown with the original error. Please check and test the settings, then submit the message again.',
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
      de: 'Bitte das Passwort in den Einstellungen Ihres Postausgangsservers neu eingeben und speichern.',
      en: 'Please enter the password again in your outgoing mail server settings and save.',
    },
  },
  host_private: {
    message: {
      de: 'Dieser Server hat eine interne Adresse und darf nicht verwendet werden.',
      en: 'This server has an internal address and may not be used.',
    },
    hint: {
      de: 'Bitte den öffentlichen Namen Ihres Postausgangsservers eintragen.',
      en: 'Please enter the public name of your outgoing mail server.',
    },
  },
  private_address: {
    message: (c) => ({
      de: `Der Server${named(c)} ist oder verweist auf eine interne Adresse (privat, Loopback oder link-lokal); dorthin wird keine Verbindung aufgebaut.`,
      en: `The server${named(c)} is or resolves to an internal address (private, loopback or link-local); no connection is made to it.`,
    }),
    hint: {
      de: 'Bitte den öffentlichen Namen Ihres Postausgangsservers eintragen, dessen DNS-Einträge auf öffentliche Adressen zeigen.',
      en: 'Please enter the public name of your outgoing mail server, whose DNS records point to public addresses.',
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
} satisfies { [K in SmtpErrorCode]?: ErrorText };
