import type { Security, TestWarning, TestWarningCode } from '../../contract/index.ts';
import { asciiDomain, domainOf } from '../smtp/address.ts';
import type { Lang, Localized } from './lang.ts';

/** Setups that work but are risky, which a test warns about. */

interface TestedSetup {
  host: string;
  security: Security;
  auth: { method: string; username?: string | null };
}

/** What travels readable without encryption: CRAM-MD5 sends a hash of the password, PLAIN and LOGIN the password itself. */
const NO_ENCRYPTION: { [K in 'none' | 'cram-md5' | 'plain']: Localized } = {
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
};

const MICROSOFT_BASIC_AUTH: Localized = {
  de: 'Microsoft schaltet die SMTP-Anmeldung mit Passwort (Basic Authentication) bis Ende 2026 standardmäßig ab. Bitte ein App-Passwort verwenden oder den Umstieg auf OAuth einplanen.',
  en: 'Microsoft turns off SMTP password authentication (basic authentication) by default by the end of 2026. Please use an app password or plan the move to OAuth.',
};

const senderDomainMismatch = (senderDomain: string, loginDomain: string): Localized => ({
  de: `Die Absenderadresse (@${senderDomain}) gehört zu einer anderen Domain als der Benutzername (@${loginDomain}). Viele Server lehnen das ab oder die Mails landen im Spam (SPF/DMARC).`,
  en: `The sender address (@${senderDomain}) belongs to a different domain than the user name (@${loginDomain}). Many servers refuse this, or the mails end up as spam (SPF/DMARC).`,
});

function domainOfAddress(value: string | null | undefined): string | null {
  if (!value?.includes('@')) return null;
  const domain = domainOf(value).trim().toLowerCase();
  return asciiDomain(domain) ?? domain;
}

/** Each warning: its text when it applies to the setup, else null (in the order they are shown). */
const WARNINGS: { [K in TestWarningCode]: (setup: TestedSetup, senderAddress: string) => Localized | null } = {
  no_encryption: ({ security, auth }) => {
    if (security !== 'none') return null;
    return NO_ENCRYPTION[auth.method === 'none' || auth.method === 'cram-md5' ? auth.method : 'plain'];
  },
  microsoft_basic_auth_retiring: ({ host, auth }) => {
    const name = host.trim().toLowerCase().replace(/\.$/, '');
    const microsoft = name === 'smtp.office365.com' || name === 'smtp-mail.outlook.com';
    return microsoft && auth.method !== 'none' ? MICROSOFT_BASIC_AUTH : null;
  },
  sender_domain_mismatch: ({ auth }, senderAddress) => {
    const loginDomain = domainOfAddress(auth.username);
    const senderDomain = domainOfAddress(senderAddress);
    if (auth.method === 'none' || !loginDomain || !senderDomain || loginDomain === senderDomain) return null;
    return senderDomainMismatch(senderDomain, loginDomain);
  },
};

/** Warnings for setups that work but are risky. */
export function testWarnings(setup: TestedSetup, senderAddress: string, lang: Lang): TestWarning[] {
  return (Object.keys(WARNINGS) as TestWarningCode[]).flatMap((code) => {
    const text = WARNINGS[code](setup, senderAddress);
    return text ? [{ code, message: text[lang] }] : [];
  });
}
