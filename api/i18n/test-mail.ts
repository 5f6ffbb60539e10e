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
}

/** Subject and text of the test mail, in the tenant's language. */
export function testMailText(facts: TestMailFacts, lang: Lang): { subject: string; text: string } {
  const { host, port, senderAddress } = facts;
  const sec = securityName(facts.security, lang);
  const when = `${facts.sentAt.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  return lang === 'de'
    ? {
        subject: `Testnachricht: Mailserver ${host}:${port} (${sec})`,
        text: `Hallo,\n\ndies ist eine Testnachricht. Ihre Mailserver-Einstellungen funktionieren:\n\n  Server: ${host}\n  Port: ${port}\n  Verschlüsselung: ${sec}\n  Absender: ${senderAddress}\n  Gesendet: ${when}\n\nAb jetzt gehen Ihre Belege über diesen Server hinaus.\n`,
      }
    : {
        subject: `Test message: mail server ${host}:${port} (${sec})`,
        text: `Hello,\n\nthis is a test message. Your mail server settings work:\n\n  Server: ${host}\n  Port: ${port}\n  Encryption: ${sec}\n  Sender: ${senderAddress}\n  Sent: ${when}\n\nFrom now on your documents are sent through this server.\n`,
      };
}
