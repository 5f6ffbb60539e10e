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
    saved: 'Diese Einstellungen sind gespeichert: Ihre Rechnungen und Belege werden über diesen Server versendet.',
    draft:
      'Diese Einstellungen sind noch nicht gespeichert. Erst nach dem Speichern werden Ihre Rechnungen und Belege über diesen Server versendet.',
  },
  en: {
    saved: 'These settings are saved: your invoices and documents are sent through this server.',
    draft:
      'These settings are not saved yet. Your invoices and documents are sent through this server only after you save them.',
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
        subject: `Test-E-Mail: Postausgangsserver ${host}:${port} (${sec})`,
        text: `Guten Tag,\n\ndies ist eine Test-E-Mail. Sie zeigt, dass der Versand über Ihren Postausgangsserver mit diesen Einstellungen funktioniert:\n\n  Server: ${host}\n  Port: ${port}\n  Verschlüsselung: ${sec}\n  Absender: ${senderAddress}\n  Gesendet: ${when}\n\n${means}\n`,
      }
    : {
        subject: `Test e-mail: outgoing mail server ${host}:${port} (${sec})`,
        text: `Hello,\n\nthis is a test e-mail. It shows that sending through your outgoing mail server works with these settings:\n\n  Server: ${host}\n  Port: ${port}\n  Encryption: ${sec}\n  Sender: ${senderAddress}\n  Sent: ${when}\n\n${means}\n`,
      };
}

/** The subject of the delivery row a verify leaves (it counts as a test, but sends nothing). */
export function verifySubject(host: string, port: number, lang: Lang): string {
  return lang === 'de'
    ? `Prüfung des Postausgangsservers ${host}:${port} bis zur Empfängeradresse (es wurde keine E-Mail gesendet)`
    : `Check of the outgoing mail server ${host}:${port} up to the recipient address (no e-mail was sent)`;
}
