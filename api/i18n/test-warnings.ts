import type { Security, TestWarning } from '../../contract/index.ts';
import { asciiDomain, domainOf } from '../mail/address.ts';
import type { Lang } from './lang.ts';

/** Warnings for setups that work but are risky. */
export function testWarnings(
  settings: { host: string; security: Security; auth: { method: string; username?: string | null } },
  senderAddress: string,
  lang: Lang,
): TestWarning[] {
  const warnings: TestWarning[] = [];
  if (settings.security === 'none') {
    warnings.push({
      code: 'no_encryption',
      // What travels readable: CRAM-MD5 sends a hash of the password, PLAIN and LOGIN the password itself.
      message: {
        none: {
          de: 'Die Verbindung ist nicht verschlüsselt: Nachrichten gehen im Klartext über das Netz. Bitte STARTTLS oder SSL/TLS wählen.',
          en: 'The connection is not encrypted: messages travel in clear text. Please choose STARTTLS or SSL/TLS.',
        },
        'cram-md5': {
          de: 'Die Verbindung ist nicht verschlüsselt: Benutzername und Nachrichten gehen im Klartext über das Netz. Bitte STARTTLS oder SSL/TLS wählen.',
          en: 'The connection is not encrypted: user name and messages travel in clear text. Please choose STARTTLS or SSL/TLS.',
        },
        plain: {
          de: 'Die Verbindung ist nicht verschlüsselt: Passwort und Nachrichten gehen im Klartext über das Netz. Bitte STARTTLS oder SSL/TLS wählen.',
          en: 'The connection is not encrypted: password and messages travel in clear text. Please choose STARTTLS or SSL/TLS.',
        },
      }[settings.auth.method === 'none' || settings.auth.method === 'cram-md5' ? settings.auth.method : 'plain'][lang],
    });
  }
  const host = settings.host.trim().toLowerCase().replace(/\.$/, '');
  if ((host === 'smtp.office365.com' || host === 'smtp-mail.outlook.com') && settings.auth.method !== 'none') {
    warnings.push({
      code: 'microsoft_basic_auth',
      message: {
        de: 'Microsoft schaltet die SMTP-Anmeldung mit Passwort (Basic Authentication) bis Ende 2026 standardmäßig ab. Bitte ein App-Passwort verwenden oder den Umstieg auf OAuth einplanen.',
        en: 'Microsoft turns off SMTP password authentication (basic authentication) by default by the end of 2026. Please use an app password or plan the move to OAuth.',
      }[lang],
    });
  }
  const loginDomain = domainOfAddress(settings.auth.username);
  const senderDomain = domainOfAddress(senderAddress);
  if (settings.auth.method !== 'none' && loginDomain && senderDomain && loginDomain !== senderDomain) {
    warnings.push({
      code: 'sender_domain_mismatch',
      message: {
        de: `Die Absenderadresse (@${senderDomain}) gehört zu einer anderen Domain als der Benutzername (@${loginDomain}). Viele Server lehnen das ab oder die Mails landen im Spam (SPF/DMARC).`,
        en: `The sender address (@${senderDomain}) belongs to a different domain than the user name (@${loginDomain}). Many servers refuse this, or the mails end up as spam (SPF/DMARC).`,
      }[lang],
    });
  }
  return warnings;
}

function domainOfAddress(value: string | null | undefined): string | null {
  if (!value?.includes('@')) return null;
  const domain = domainOf(value).trim().toLowerCase();
  return asciiDomain(domain) ?? domain;
}
