import type { SmtpErrorCode } from '../../../contract/index.ts';
import type { ErrorText } from './wording.ts';

/** Replies to login, sender, recipients and the message itself. */
export const SESSION_TEXTS = {
  auth_method_unsupported: {
    message: {
      de: 'Der Server unterstützt das gewählte Anmeldeverfahren nicht.',
      en: 'The server does not support the chosen sign-in method.',
    },
    // The other one of the two every server knows, not the one that was just refused.
    hint: (c) => {
      const other = c.authMethod === 'plain' ? 'LOGIN' : c.authMethod === 'login' ? 'PLAIN' : null;
      return {
        de: `Bitte ein anderes Verfahren wählen (meist ${other ?? 'PLAIN oder LOGIN'}).`,
        en: `Please choose another method (usually ${other ?? 'PLAIN or LOGIN'}).`,
      };
    },
  },
  auth_unavailable: {
    message: { de: 'Der Server bietet keine Anmeldung an.', en: 'The server does not offer sign-in.' },
    // Servers that offer login only once encrypted: the encryption is the fault only when there is none.
    hint: (c) =>
      c.security === 'none'
        ? {
            de: 'Viele Server bieten die Anmeldung nur über eine verschlüsselte Verbindung an: Bitte STARTTLS (Port 587) oder SSL/TLS (Port 465) wählen. Versendet der Server ohne Anmeldung, als Anmeldeverfahren „Keine“ wählen.',
            en: 'Many servers offer sign-in only over an encrypted connection: please choose STARTTLS (port 587) or SSL/TLS (port 465). If the server sends without sign-in, choose “None” as the sign-in method.',
          }
        : {
            de: 'Versendet der Server ohne Anmeldung, bitte als Anmeldeverfahren „Keine“ wählen; sonst beim Anbieter nach dem richtigen Server und Port fragen.',
            en: 'If the server sends without sign-in, please choose “None” as the sign-in method; otherwise ask the provider for the right server and port.',
          },
  },
  auth_encryption_required: {
    message: {
      de: 'Der Server erlaubt die Anmeldung nur über eine verschlüsselte Verbindung.',
      en: 'The server allows sign-in only over an encrypted connection.',
    },
    hint: {
      de: 'Bitte STARTTLS (Port 587) oder SSL/TLS (Port 465) wählen.',
      en: 'Please choose STARTTLS (port 587) or SSL/TLS (port 465).',
    },
  },
  auth_temporary: {
    message: { de: 'Die Anmeldung ist vorübergehend nicht möglich.', en: 'Sign-in is temporarily not possible.' },
    hint: { de: 'Bitte später erneut versuchen.', en: 'Please try again later.' },
  },
  auth_credentials_missing: {
    message: {
      de: 'Für die Anmeldung fehlen Benutzername oder Passwort.',
      en: 'The user name or password for the sign-in is missing.',
    },
    hint: { de: 'Bitte Benutzername und Passwort eingeben.', en: 'Please enter user name and password.' },
  },
  auth_required: {
    message: { de: 'Der Server verlangt eine Anmeldung.', en: 'The server requires sign-in.' },
    hint: {
      de: 'Bitte ein Anmeldeverfahren (z. B. PLAIN) mit Benutzername und Passwort wählen.',
      en: 'Please choose a sign-in method (e.g. PLAIN) with a user name and password.',
    },
  },
  relay_denied: {
    message: {
      de: 'Der Server lehnt den Versand mit dieser Absenderadresse ab.',
      en: 'The server refuses to send with this sender address.',
    },
    // Without a login, a server relays for nobody: the sender address is not the fault then.
    hint: (c) =>
      c.authMethod === 'none'
        ? {
            de: 'Ohne Anmeldung versendet der Server nicht an fremde Domains. Bitte ein Anmeldeverfahren mit Benutzername und Passwort wählen.',
            en: 'Without sign-in, the server does not send to other domains. Please choose a sign-in method with a user name and password.',
          }
        : {
            de: 'Die Absenderadresse ist für dieses Konto nicht erlaubt. Bitte die Adresse des Postfachs als Absender verwenden oder beim Anbieter die Adresse freischalten lassen („Senden als“).',
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
      en: 'Please make the attachments smaller or spread them over several messages.',
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
      de: 'Bitte später erneut versuchen. Rechnungen und Belege werden später automatisch noch einmal gesendet.',
      en: 'Please try again later. Invoices and documents are sent again automatically later.',
    },
  },
  rejected: {
    message: { de: 'Der Server hat abgelehnt.', en: 'The server refused.' },
    hint: { de: 'Die Antwort des Servers nennt meist den Grund.', en: 'The server’s reply usually names the reason.' },
  },
} satisfies { [K in SmtpErrorCode]?: ErrorText };
