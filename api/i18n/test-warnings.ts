import type { Security, TestWarning, TestWarningCode } from '../../contract/index.ts';
import { asciiDomain, domainOf } from '../smtp/address.ts';
import type { Lang, Localized } from './lang.ts';
import { providerOfHost } from './smtp-error-texts/wording.ts';

/** Setups that work but are risky, which a test warns about. */

interface TestedSetup {
  host: string;
  security: Security;
  auth: { method: string; username?: string | null };
  /** The operator offers "Sign in with Microsoft", so the warning can point to it. */
  microsoftSignInOffered: boolean;
}

/** What travels readable without encryption: CRAM-MD5 sends a hash of the password, PLAIN and LOGIN the password itself. */
const NO_ENCRYPTION: { [K in 'none' | 'cram-md5' | 'plain']: Localized } = {
  none: {
    de: 'Die Verbindung ist nicht verschlüsselt: Nachrichten gehen im Klartext über das Internet. Bitte STARTTLS oder SSL/TLS wählen.',
    en: 'The connection is not encrypted: messages cross the internet in clear text. Please choose STARTTLS or SSL/TLS.',
  },
  'cram-md5': {
    de: 'Die Verbindung ist nicht verschlüsselt: Benutzername und Nachrichten gehen im Klartext über das Internet. Bitte STARTTLS oder SSL/TLS wählen.',
    en: 'The connection is not encrypted: your user name and messages cross the internet in clear text. Please choose STARTTLS or SSL/TLS.',
  },
  plain: {
    de: 'Die Verbindung ist nicht verschlüsselt: Passwort und Nachrichten gehen im Klartext über das Internet. Bitte STARTTLS oder SSL/TLS wählen.',
    en: 'The connection is not encrypted: your password and messages cross the internet in clear text. Please choose STARTTLS or SSL/TLS.',
  },
};

const PASSWORD_LOGIN_ENDS: Localized = {
  de: 'Microsoft schaltet die SMTP-Anmeldung mit Passwort Ende Dezember 2026 standardmäßig ab; danach scheitert der Versand mit diesen Einstellungen.',
  en: 'Microsoft switches SMTP sign-in with a password off by default at the end of December 2026; sending with these settings fails after that.',
};

/** What the tenant can do about it: sign in with Microsoft where offered, else buy time and ask for it. */
const MICROSOFT_BASIC_AUTH: { offered: Localized; notOffered: Localized } = {
  offered: {
    de: `${PASSWORD_LOGIN_ENDS.de} Wechseln Sie zu „Mit Microsoft anmelden“, damit der Versand weiter funktioniert.`,
    en: `${PASSWORD_LOGIN_ENDS.en} Switch to “Sign in with Microsoft” to keep sending.`,
  },
  notOffered: {
    de: `${PASSWORD_LOGIN_ENDS.de} Ein Administrator Ihrer Organisation kann SMTP AUTH mit Passwort für das Postfach nur noch bis zu Microsofts endgültigem Termin in der zweiten Jahreshälfte 2027 eingeschaltet lassen. Bitten Sie den Betreiber dieses Dienstes, die Anmeldung mit Microsoft anzubieten.`,
    en: `${PASSWORD_LOGIN_ENDS.en} An administrator of your organisation can keep SMTP AUTH with a password on for the mailbox only until Microsoft’s final date in the second half of 2027. Please ask the operator of this service to offer sign-in with Microsoft.`,
  },
};

/** Methods that send a password (or its hash): the ones Microsoft retires. */
const PASSWORD_METHODS = new Set(['plain', 'login', 'cram-md5']);

const senderDomainMismatch = (senderDomain: string, loginDomain: string): Localized => ({
  de: `Die Absenderadresse (@${senderDomain}) gehört zu einer anderen Domain als der Benutzername (@${loginDomain}). Viele Server lehnen das ab, oder die E-Mails landen im Spam-Ordner (SPF/DMARC).`,
  en: `The sender address (@${senderDomain}) belongs to a different domain than the user name (@${loginDomain}). Many servers refuse this, or the e-mails end up in spam (SPF/DMARC).`,
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
  microsoft_basic_auth_retiring: ({ host, auth, microsoftSignInOffered }) => {
    if (providerOfHost(host) !== 'microsoft' || !PASSWORD_METHODS.has(auth.method)) return null;
    return MICROSOFT_BASIC_AUTH[microsoftSignInOffered ? 'offered' : 'notOffered'];
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
