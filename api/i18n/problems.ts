import type { Lang, Localized } from './lang.ts';

interface ProblemText {
  title: Localized;
  detail: Localized;
}

const problems = {
  bad_request: {
    title: { de: 'Ungültige Anfrage', en: 'Bad request' },
    detail: { de: 'Die Anfrage konnte nicht verarbeitet werden.', en: 'The request could not be processed.' },
  },
  invalid_json: {
    title: { de: 'Ungültiges JSON', en: 'Invalid JSON' },
    detail: { de: 'Der Inhalt der Anfrage ist kein gültiges JSON.', en: 'The request body is not valid JSON.' },
  },
  unsupported_media_type: {
    title: { de: 'Nicht unterstützter Inhaltstyp', en: 'Unsupported media type' },
    detail: {
      de: 'Bitte senden Sie JSON (Content-Type: application/json).',
      en: 'Please send JSON (Content-Type: application/json).',
    },
  },
  validation_failed: {
    title: { de: 'Eingaben ungültig', en: 'Invalid input' },
    detail: { de: 'Bitte korrigieren Sie die markierten Felder.', en: 'Please correct the fields marked.' },
  },
  unauthorized: {
    title: { de: 'Nicht angemeldet', en: 'Not authenticated' },
    detail: {
      de: 'Das Zugangstoken fehlt, ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu.',
      en: 'The access token is missing, expired or invalid. Please reload the page.',
    },
  },
  not_found: {
    title: { de: 'Nicht gefunden', en: 'Not found' },
    detail: { de: 'Diese Adresse gibt es nicht.', en: 'There is nothing at this address.' },
  },
  method_not_allowed: {
    title: { de: 'Methode nicht erlaubt', en: 'Method not allowed' },
    detail: {
      de: 'Diese Adresse unterstützt diese Methode nicht; welche erlaubt sind, steht im Allow-Header.',
      en: 'This address does not support this method; the Allow header lists those it does.',
    },
  },
  precondition_failed: {
    title: { de: 'Inzwischen geändert', en: 'Changed in the meantime' },
    detail: {
      de: 'Die Einstellungen wurden inzwischen an anderer Stelle geändert. Bitte laden Sie sie neu und wiederholen Sie Ihre Änderung.',
      en: 'The settings were changed elsewhere in the meantime. Please reload them and apply your change again.',
    },
  },
  tenant_not_found: {
    title: { de: 'Mandant unbekannt', en: 'Unknown tenant' },
    detail: {
      de: 'Diesen Mandanten gibt es noch nicht. Legen Sie ihn mit PUT /v1/tenants/{id} an.',
      en: 'This tenant does not exist yet. Create it with PUT /v1/tenants/{id}.',
    },
  },
  not_configured: {
    title: { de: 'Kein eigener Postausgangsserver', en: 'No outgoing mail server of your own' },
    detail: {
      de: 'Es ist kein eigener Postausgangsserver gespeichert. Geben Sie die Einstellungen ein, um sie zu testen.',
      en: 'No outgoing mail server of your own is saved. Enter the settings to test them.',
    },
  },
  rate_limited: {
    title: { de: 'Zu viele Versuche', en: 'Too many attempts' },
    detail: {
      de: 'Bitte warten Sie kurz und versuchen Sie es dann erneut.',
      en: 'Please wait a moment and try again.',
    },
  },
  idempotency_conflict: {
    title: { de: 'Idempotency-Key bereits verwendet', en: 'Idempotency-Key already used' },
    detail: {
      de: 'Dieser Idempotency-Key wurde bereits für eine andere Nachricht verwendet.',
      en: 'This Idempotency-Key was already used for a different message.',
    },
  },
  payload_too_large: {
    title: { de: 'Anfrage zu groß', en: 'Request too large' },
    detail: {
      de: 'Die Anfrage ist zu groß: höchstens 64 KiB JSON, bei Nachrichten etwa 14 MiB (darin höchstens 10 MiB Text und Anhänge).',
      en: 'The request is too large: at most 64 KiB of JSON, for messages about 14 MiB (holding at most 10 MiB of text and attachments).',
    },
  },
  operator_unauthorized: {
    title: { de: 'Nicht angemeldet', en: 'Not authenticated' },
    detail: {
      de: 'Der Betreiberschlüssel (OPERATOR_API_KEY) fehlt oder stimmt nicht.',
      en: 'The operator key (OPERATOR_API_KEY) is missing or wrong.',
    },
  },
  json_too_deep: {
    title: { de: 'JSON zu tief verschachtelt', en: 'JSON nested too deeply' },
    detail: {
      de: 'Der Inhalt der Anfrage ist tiefer als 32 Ebenen verschachtelt.',
      en: 'The request body is nested deeper than 32 levels.',
    },
  },
  json_too_many_items: {
    title: { de: 'Zu viele Einträge', en: 'Too many items' },
    detail: {
      de: 'Die Listen und Objekte im Inhalt der Anfrage haben zusammen mehr als 1000 Einträge.',
      en: 'The lists and objects in the request body have more than 1,000 items together.',
    },
  },
  invalid_encoding: {
    title: { de: 'Ungültige Kodierung', en: 'Invalid encoding' },
    detail: { de: 'Der Inhalt der Anfrage ist kein gültiges UTF-8.', en: 'The request body is not valid UTF-8.' },
  },
  message_too_large: {
    title: { de: 'Nachricht zu groß', en: 'Message too large' },
    detail: {
      de: 'Text und Anhänge der Nachricht sind zusammen größer als 10 MiB.',
      en: 'The message’s text and attachments together are larger than 10 MiB.',
    },
  },
  forbidden: {
    title: { de: 'Nicht erlaubt', en: 'Forbidden' },
    detail: {
      de: 'Dieser Zugang darf diese Aktion nicht ausführen.',
      en: 'These credentials may not perform this action.',
    },
  },
  service_unavailable: {
    title: { de: 'Dienst nicht verfügbar', en: 'Service unavailable' },
    detail: { de: 'Der Dienst ist vorübergehend nicht verfügbar.', en: 'The service is temporarily unavailable.' },
  },
  database_unavailable: {
    title: { de: 'Datenbank nicht erreichbar', en: 'Database unavailable' },
    detail: {
      de: 'Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Sekunden erneut.',
      en: 'The database cannot be reached right now. Please try again in a few seconds.',
    },
  },
  outcome_unknown: {
    title: { de: 'Ergebnis unbekannt', en: 'Outcome unknown' },
    detail: {
      de: 'Die Datenbank hat nicht geantwortet; die Nachricht kann gespeichert worden sein oder nicht. Bitte senden Sie die Anfrage mit demselben Idempotency-Key erneut: Wurde sie gespeichert, kommt die gespeicherte Nachricht zurück, sonst wird sie jetzt angenommen. Mit einem neuen Schlüssel kann sie doppelt versendet werden.',
      en: 'The database did not answer; the message may or may not have been stored. Please repeat the request with the same Idempotency-Key: if it was stored, the stored message is returned, otherwise it is accepted now. With a new key it may be sent twice.',
    },
  },
  internal: {
    title: { de: 'Interner Fehler', en: 'Internal error' },
    detail: {
      de: 'Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.',
      en: 'An unexpected error occurred. Please try again later.',
    },
  },
  loopback_host_required: {
    title: { de: 'Nur über localhost', en: 'Only via localhost' },
    detail: {
      de: 'Entwicklungs-Tokens gibt es nur für Anfragen an localhost, 127.0.0.1 oder [::1], damit keine Webseite sie über DNS-Rebinding abrufen kann.',
      en: 'Development tokens are issued only to requests addressed to localhost, 127.0.0.1 or [::1], so that no web page can obtain them through DNS rebinding.',
    },
  },
  token_audience_mismatch: {
    title: { de: 'Token für einen anderen Dienst', en: 'Token for another service' },
    detail: {
      de: 'Das Zugangstoken ist nicht für diesen Dienst ausgestellt (Claim „aud“ fehlt oder nennt einen anderen). Bitte wenden Sie sich an den Betreiber des Portals.',
      en: 'The access token was not issued for this service (its "aud" claim is missing or names another). Please contact the portal\'s operator.',
    },
  },
  token_issuer_mismatch: {
    title: { de: 'Unbekannter Aussteller', en: 'Unknown issuer' },
    detail: {
      de: 'Das Zugangstoken stammt nicht vom erwarteten Aussteller (Claim „iss“ fehlt oder nennt einen anderen). Bitte wenden Sie sich an den Betreiber des Portals.',
      en: 'The access token does not come from the expected issuer (its "iss" claim is missing or names another). Please contact the portal\'s operator.',
    },
  },
  token_lifetime_too_long: {
    title: { de: 'Token zu lange gültig', en: 'Token valid for too long' },
    detail: {
      de: 'Das Zugangstoken ist länger gültig, als dieser Dienst erlaubt (exp − iat). Das Portal muss kürzer gültige Tokens ausstellen.',
      en: 'The access token is valid for longer than this service allows (exp − iat). The portal must issue shorter-lived tokens.',
    },
  },
  // The tenant's actions on a delivery (#19).
  delivery_in_progress: {
    title: { de: 'Wird gerade versendet', en: 'Being sent right now' },
    detail: {
      de: 'Diese E-Mail wird gerade versendet. Bitte warten Sie das Ergebnis ab.',
      en: 'This e-mail is being sent right now. Please wait for the result.',
    },
  },
  delivery_already_sent: {
    title: { de: 'Bereits versendet', en: 'Already sent' },
    detail: {
      de: 'Der Server hat diese E-Mail bereits angenommen; sie wird nicht noch einmal versendet.',
      en: 'The server has already accepted this e-mail; it will not be sent again.',
    },
  },
  delivery_not_resendable: {
    title: { de: 'Nicht erneut versendbar', en: 'Cannot be sent again' },
    detail: {
      de: 'Diese E-Mail kann nicht erneut versendet werden: Sie ist möglicherweise schon angekommen, oder ihr Inhalt ist nicht mehr gespeichert. Bitte fragen Sie beim Empfänger nach und senden Sie sie gegebenenfalls neu.',
      en: 'This e-mail cannot be sent again: it may have arrived already, or its content is no longer stored. Please check with the recipient and send it again if needed.',
    },
  },
  system_relay_unavailable: {
    title: { de: 'System-Mailserver nicht verfügbar', en: 'System mail server unavailable' },
    detail: {
      de: 'Der Betreiber hat keinen System-Mailserver eingerichtet; E-Mails können nur über Ihren eigenen Server gehen.',
      en: 'The operator has not set up a system mail server; e-mails can only go through your own server.',
    },
  },
} satisfies Record<string, ProblemText>;

export type ProblemCode = keyof typeof problems;

export function problemText(code: ProblemCode, lang: Lang): { title: string; detail: string } {
  const text = problems[code];
  return { title: text.title[lang], detail: text.detail[lang] };
}
