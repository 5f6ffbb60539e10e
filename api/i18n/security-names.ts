import type { Security } from '../../contract/index.ts';
import type { Lang, Localized } from './lang.ts';

const SECURITY_NAME: Record<Security, Localized> = {
  none: { de: 'keine Verschlüsselung', en: 'no encryption' },
  starttls: { de: 'STARTTLS', en: 'STARTTLS' },
  tls: { de: 'SSL/TLS', en: 'SSL/TLS' },
};

export function securityName(security: Security, lang: Lang): string {
  return SECURITY_NAME[security][lang];
}
