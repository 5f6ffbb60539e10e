import type { SmtpStage } from '../../contract/index.ts';
import type { Lang, Localized } from './lang.ts';

const STAGE: Record<SmtpStage, Localized> = {
  connect: { de: 'Verbindungsaufbau', en: 'connecting' },
  tls: { de: 'Verschlüsselung (TLS)', en: 'encryption (TLS)' },
  greeting: { de: 'Begrüßung des Servers', en: 'server greeting' },
  ehlo: { de: 'EHLO', en: 'EHLO' },
  auth: { de: 'Anmeldung', en: 'login' },
  mail: { de: 'Absender (MAIL FROM)', en: 'sender (MAIL FROM)' },
  rcpt: { de: 'Empfänger (RCPT TO)', en: 'recipient (RCPT TO)' },
  data: { de: 'Übertragung der Nachricht (DATA)', en: 'message transfer (DATA)' },
};

export function stageLabel(stage: SmtpStage, lang: Lang): string {
  return STAGE[stage][lang];
}

export function isSmtpStage(value: string): value is SmtpStage {
  return Object.hasOwn(STAGE, value);
}
