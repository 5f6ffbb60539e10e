import type { Security } from '../../contract/index.ts';
import type { Lang } from './lang.ts';
import { securityName } from './security-names.ts';

/** What the test mail names: the server tested and the sender it went out as. */
export interface TestMailFacts {
  host: string;
  port: number;
  security: Security;
  senderAddress: string;
  sentAt: Date;
  /** The saved settings were tested (invoices go this way now), not a draft that is not saved yet. */
  saved: boolean;
}

/** What the test proves, and what it does not: a test saves nothing. */
const meaning = {
  de: {
    saved: 'Diese Einstellungen sind gespeichert: Ihre Rechnungen werden über diesen Server versendet.',
    draft:
      'Die Einstellungen sind noch nicht gespeichert. Ihre Rechnungen werden erst über diesen Server versendet, wenn Sie sie speichern.',
  },
  en: {
    saved: 'These settings are saved: your invoices are sent through this server.',
    draft: 'These settings are not saved yet. Your invoices are sent through this server only once you save them.',
  },
} as const;

/** Subject and text of the test mail, in the tenant's language. */
export function testMailText(facts: TestMailFacts, lang: Lang): { subject: string; text: string } {
  const { host, port, senderAddress } = facts;
  const sec = securityName(facts.security, lang);
  const when = `${facts.sentAt.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  const means = meaning[lang][facts.saved ? 'saved' : 'draft'];
  return lang === 'de'
    ? {
        subject: `Testnachricht: Mailserver ${host}:${port} (${sec})`,
        text: `Guten Tag,\n\ndies ist eine Testnachricht. Sie bestätigt, dass der Versand mit diesen Mailserver-Einstellungen funktioniert:\n\n  Server: ${host}\n  Port: ${port}\n  Verschlüsselung: ${sec}\n  Absender: ${senderAddress}\n  Gesendet: ${when}\n\n${means}\n`,
      }
    : {
        subject: `Test message: mail server ${host}:${port} (${sec})`,
        text: `Hello,\n\nthis is a test message. It confirms that mail can be sent with these mail server settings:\n\n  Server: ${host}\n  Port: ${port}\n  Encryption: ${sec}\n  Sender: ${senderAddress}\n  Sent: ${when}\n\n${means}\n`,
      };
}

/** The subject of the delivery row a verify leaves (it counts as a test, but sends nothing). */
export function verifySubject(host: string, port: number, lang: Lang): string {
  return lang === 'de'
    ? `Prüfung des Mailservers ${host}:${port} (bis zum Empfänger, es wurde keine E-Mail gesendet)`
    : `Check of mail server ${host}:${port} (up to the recipient, no e-mail was sent)`;
}
