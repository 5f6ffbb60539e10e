import type { Lang, Localized } from './lang.ts';

/** Messages for field errors, by code; each says what is wrong and, where useful, what to do. */
const fieldMessages = {
  required: { de: 'Bitte ausfüllen.', en: 'Please fill in this field.' },
  invalid_type: { de: 'Dieser Wert hat den falschen Typ.', en: 'This value has the wrong type.' },
  invalid_object: { de: 'Hier wird ein Objekt erwartet.', en: 'An object is expected here.' },
  password_unreadable: {
    de: 'Das gespeicherte Passwort lässt sich nicht mehr entschlüsseln (der Schlüssel des Dienstes wurde gewechselt). Bitte das Passwort erneut eingeben und speichern.',
    en: "The stored password can no longer be decrypted (the service's key has changed). Please enter the password again and save.",
  },
  unknown_field: {
    de: 'Dieses Feld gibt es hier nicht. Bitte die Schreibweise prüfen oder das Feld weglassen.',
    en: 'There is no such field here. Please check the spelling or leave the field out.',
  },
  invalid_boolean: {
    de: 'Hier wird ja oder nein (true/false) erwartet.',
    en: 'Yes or no (true/false) is expected here.',
  },
  host_invalid: {
    de: 'Bitte einen gültigen Hostnamen ohne Port (z. B. smtp.example.com) oder eine IP-Adresse eingeben.',
    en: 'Please enter a valid host name without the port (e.g. smtp.example.com) or an IP address.',
  },
  host_private: {
    de: 'Interne, private oder Loopback-Adressen sind nicht erlaubt. Bitte den öffentlichen Namen Ihres Postausgangsservers eingeben.',
    en: 'Internal, private or loopback addresses are not allowed. Please enter the public name of your outgoing mail server.',
  },
  port_range: {
    de: 'Der Port muss eine ganze Zahl von 1 bis 65535 sein.',
    en: 'The port must be a whole number from 1 to 65535.',
  },
  port_blocked: {
    de: 'Port 25 ist in dieser Umgebung für ausgehende Verbindungen gesperrt. Bitte Port 587 (STARTTLS) oder 465 (SSL/TLS) verwenden.',
    en: 'Port 25 is blocked for outgoing connections here. Please use port 587 (STARTTLS) or 465 (SSL/TLS).',
  },
  security_invalid: {
    de: 'Bitte eine Verschlüsselung wählen: keine, STARTTLS oder SSL/TLS.',
    en: 'Please choose the encryption: none, STARTTLS or SSL/TLS.',
  },
  auth_method_invalid: {
    de: 'Bitte ein Anmeldeverfahren wählen: keines, PLAIN, LOGIN, CRAM-MD5 oder die Anmeldung beim Anbieter (xoauth2).',
    en: 'Please choose a sign-in method: none, PLAIN, LOGIN, CRAM-MD5 or signing in with the provider (xoauth2).',
  },
  oauth_provider_invalid: {
    de: 'Bitte einen Anbieter für die Anmeldung wählen: microsoft oder google.',
    en: 'Please choose a provider to sign in with: microsoft or google.',
  },
  oauth_provider_unavailable: {
    de: 'Die Anmeldung bei diesem Anbieter ist hier nicht eingerichtet. Bitte wählen Sie ein anderes Anmeldeverfahren oder wenden Sie sich an den Betreiber.',
    en: 'Signing in with this provider is not set up here. Please choose another sign-in method or contact the operator.',
  },
  oauth_needs_tls: {
    de: 'Die Anmeldung beim Anbieter braucht eine verschlüsselte Verbindung: Bitte STARTTLS oder SSL/TLS wählen.',
    en: 'Signing in with the provider needs an encrypted connection: please choose STARTTLS or SSL/TLS.',
  },
  oauth_completion_invalid: {
    de: 'Diese Anmeldung lässt sich hier nicht abschließen: Sie ist abgelaufen (nach 10 Minuten), schon abgeschlossen oder wurde in einem anderen Fenster begonnen. Bitte melden Sie sich erneut an.',
    en: 'This sign-in cannot be completed here: it has expired (after 10 minutes), was already completed or was started in another window. Please sign in again.',
  },
  oauth_host_mismatch: {
    de: 'Mit der Anmeldung beim Anbieter wird nur über dessen eigenen Server gesendet (Microsoft: smtp.office365.com, Google: smtp.gmail.com), damit Ihre Anmeldung an keinen anderen Server geht.',
    en: "Signing in with the provider sends only through the provider's own server (Microsoft: smtp.office365.com, Google: smtp.gmail.com), so that your sign-in never goes to another server.",
  },
  oauth_untrusted_certificate: {
    de: 'Mit der Anmeldung beim Anbieter muss das Zertifikat des Servers gültig sein: Bitte „Dem Zertifikat des Servers immer vertrauen“ ausschalten.',
    en: "Signing in with the provider needs the server's certificate to be valid: please turn off “Always trust the server certificate”.",
  },
  origin_required: {
    de: 'Die Anmeldung kann nur von einer Webseite aus gestartet werden (der Origin-Header fehlt oder ist nicht erlaubt).',
    en: 'Signing in can only be started from a web page (the Origin header is missing or not allowed).',
  },
  return_to_invalid: {
    de: 'returnTo muss eine Adresse auf derselben Webseite (demselben Origin) sein, von der aus die Anmeldung gestartet wird.',
    en: 'returnTo must be a URL of the same web page (origin) that starts the sign-in.',
  },
  mode_invalid: { de: 'Erlaubt sind „popup“ und „redirect“.', en: 'The allowed values are “popup” and “redirect”.' },
  email_invalid: {
    de: 'Bitte eine gültige E-Mail-Adresse eingeben (z. B. rechnung@firma.at).',
    en: 'Please enter a valid e-mail address (e.g. billing@company.com).',
  },
  too_long: { de: 'Dieser Wert ist zu lang.', en: 'This value is too long.' },
  invalid_text: {
    de: 'Dieser Text enthält ein ungültiges Zeichen (eine halbe UTF-16-Zeichenfolge). Bitte den Text neu eingeben oder einfügen.',
    en: 'This text contains an invalid character (half of a UTF-16 pair). Please type or paste the text again.',
  },
  control_chars: {
    de: 'Zeilenumbrüche und Steuerzeichen sind hier nicht erlaubt.',
    en: 'Line breaks and control characters are not allowed here.',
  },
  username_required: {
    de: 'Für das gewählte Anmeldeverfahren ist ein Benutzername nötig.',
    en: 'The chosen sign-in method needs a user name.',
  },
  password_required: {
    de: 'Für das gewählte Anmeldeverfahren ist ein Passwort nötig.',
    en: 'The chosen sign-in method needs a password.',
  },
  password_required_for_new_server: {
    de: 'Das gespeicherte Passwort wird nur für den gespeicherten Server verwendet, und nur über eine mindestens ebenso sichere Verbindung. Bitte geben Sie das Passwort erneut ein, um zu testen oder zu speichern, wenn Sie Host, Port oder Benutzername ändern, die Verschlüsselung oder die Zertifikatsprüfung ausschalten oder ohne Verschlüsselung von CRAM-MD5 auf PLAIN/LOGIN wechseln.',
    en: 'The stored password is only used for the saved server, and only over a connection at least as safe. Please enter the password again to test or save if you change the host, port or user name, turn off encryption or the certificate check, or switch from CRAM-MD5 to PLAIN/LOGIN without encryption.',
  },
  untrusted_certificate_unsupported: {
    de: 'In dieser Umgebung kann die Zertifikatsprüfung nicht abgeschaltet werden. Ihr Postausgangsserver braucht ein öffentlich vertrauenswürdiges Zertifikat (z. B. von Let’s Encrypt) mit vollständiger Kette.',
    en: 'Certificate checks cannot be turned off in this environment. Your outgoing mail server needs a publicly trusted certificate (e.g. from Let’s Encrypt) with its complete chain.',
  },
  password_required_for_new_certificate: {
    de: 'Das gespeicherte Passwort wird nur an das Zertifikat gesendet, dem Sie vertraut haben. Um einem anderen Zertifikat zu vertrauen, geben Sie bitte das Passwort erneut ein.',
    en: 'The stored password is only sent to the certificate you trusted. To trust another certificate, please enter the password again.',
  },
  fingerprint_invalid: {
    de: 'Bitte den SHA-256-Fingerabdruck als 64 Hexadezimalziffern angeben (Doppelpunkte sind erlaubt).',
    en: 'Please give the SHA-256 fingerprint as 64 hexadecimal digits (colons are allowed).',
  },
  untrusted_certificate_needs_tls: {
    de: 'Einem Zertifikat zu vertrauen ist nur mit STARTTLS oder SSL/TLS möglich.',
    en: 'Trusting the certificate only applies with STARTTLS or SSL/TLS.',
  },
  invalid_value: { de: 'Dieser Wert ist ungültig.', en: 'This value is invalid.' },
  filename_invalid: {
    de: 'Dateinamen dürfen keine Schrägstriche, Steuer- oder Richtungszeichen enthalten und nicht nur aus Punkten bestehen.',
    en: 'File names must not contain slashes, control or text-direction characters, or be only dots.',
  },
  too_many_attachments: { de: 'Höchstens 100 Anhänge.', en: 'At most 100 attachments.' },
  content_type_invalid: {
    de: 'Bitte einen MIME-Typ wie application/pdf angeben.',
    en: 'Please give a MIME type such as application/pdf.',
  },
  base64_invalid: { de: 'Der Inhalt muss Base64-kodiert sein.', en: 'The content must be base64-encoded.' },
  kind_invalid: {
    de: 'Erlaubt sind invoice, reminder und document.',
    en: 'Allowed are invoice, reminder and document.',
  },
  recipients_required: { de: 'Mindestens ein Empfänger ist nötig.', en: 'At least one recipient is needed.' },
  too_many_recipients: {
    de: 'Höchstens 50 Empfänger (An, Cc und Bcc zusammen).',
    en: 'At most 50 recipients (To, Cc and Bcc together).',
  },
  body_required: { de: 'Text oder HTML ist nötig.', en: 'Text or HTML is needed.' },
  idempotency_key_invalid: {
    de: 'Der Idempotency-Key muss 1 bis 255 sichtbare ASCII-Zeichen lang sein.',
    en: 'The Idempotency-Key must be 1 to 255 visible ASCII characters.',
  },
  limit_invalid: {
    de: 'limit muss eine ganze Zahl von 1 bis 100 sein.',
    en: 'limit must be a whole number from 1 to 100.',
  },
  cursor_invalid: { de: 'Der Cursor ist ungültig.', en: 'The cursor is invalid.' },
  webhook_status_invalid: {
    de: 'status muss pending, delivering, delivered, retrying oder failed sein.',
    en: 'status must be pending, delivering, delivered, retrying or failed.',
  },
  webhook_type_invalid: { de: 'type ist kein bekanntes Ereignis.', en: 'type is not a known event.' },
  // The delivery log's filters and the acknowledge call (#19).
  delivery_kind_invalid: {
    de: 'kind muss „business“ (Geschäftspost) oder „test“ sein.',
    en: 'kind must be “business” (business e-mails) or “test”.',
  },
  delivery_status_invalid: {
    de: 'status muss einer der Werte queued, sending, sent, retrying oder failed sein (mehrere durch Komma getrennt).',
    en: 'status must be one of queued, sending, sent, retrying or failed (several separated by commas).',
  },
  delivery_ids_invalid: {
    de: 'ids muss eine Liste von 1 bis 100 Kennungen aus dem Versandprotokoll sein.',
    en: 'ids must be a list of 1 to 100 delivery ids.',
  },
} satisfies Record<string, Localized>;

export type FieldCode = keyof typeof fieldMessages;
export const FIELD_CODES = Object.keys(fieldMessages) as FieldCode[];

export function isFieldCode(code: string): code is FieldCode {
  return Object.hasOwn(fieldMessages, code);
}

export function fieldMessage(code: FieldCode, lang: Lang): string {
  return fieldMessages[code][lang];
}

/** `too_long` with its limit. */
export function tooLongMessage(max: number, lang: Lang): string {
  return lang === 'de'
    ? `Dieser Wert ist zu lang: höchstens ${max} Zeichen.`
    : `This value is too long: at most ${max} characters.`;
}

/** An unknown field that is probably a typo of `meant`. */
export function unknownFieldMessage(meant: string, lang: Lang): string {
  return lang === 'de'
    ? `Dieses Feld gibt es hier nicht. Meinten Sie „${meant}“?`
    : `There is no such field here. Did you mean "${meant}"?`;
}
