import type { SmtpStage } from '../../contract/index.ts';
import type { Lang, Localized } from './lang.ts';

const STAGE: Record<SmtpStage, Localized> = {
  connect: { de: 'Verbindungsaufbau', en: 'Connection' },
  tls: { de: 'Verschlüsselung (TLS)', en: 'Encryption (TLS)' },
  greeting: { de: 'Begrüßung', en: 'Greeting' },
  ehlo: { de: 'EHLO', en: 'EHLO' },
  auth: { de: 'Anmeldung', en: 'Sign-in' },
  mail: { de: 'Absender (MAIL FROM)', en: 'Sender (MAIL FROM)' },
  rcpt: { de: 'Empfänger (RCPT TO)', en: 'Recipient (RCPT TO)' },
  data: { de: 'Nachricht (DATA)', en: 'Message (DATA)' },
};

export function stageLabel(stage: SmtpStage, lang: Lang): string {
  return STAGE[stage][lang];
}

export function isSmtpStage(value: string): value is SmtpStage {
  return Object.hasOwn(STAGE, value);
}
