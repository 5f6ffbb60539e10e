// Helpers for the SMTP engine tests inside workerd: fixture ports come from the global setup
// (`provide('smtpFixtures', …)`), received mails from the fixtures' loopback HTTP endpoint.
import { inject } from 'vitest';
import type { AuthAttempt, FixtureName, ReceivedMail, SmtpFixturesInfo } from '../support/smtp-servers.ts';
import type { SmtpSettings, SmtpTimeouts } from '../../api/smtp/types.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    smtpFixtures: SmtpFixturesInfo;
  }
}

export const fixtures = (): SmtpFixturesInfo => inject('smtpFixtures');

/** Short timeouts so misbehaving servers fail fast. */
export const FAST: SmtpTimeouts = { connectMs: 800, greetingMs: 800, socketMs: 800, totalMs: 2_000 };

/** A draft as the widget posts it to /test or /verify: fixture `name` over STARTTLS with its login. */
export function starttlsDraftFor(name: FixtureName) {
  const f = fixtures();
  return {
    host: f.host,
    port: f.ports[name],
    security: 'starttls',
    auth: { method: 'login', username: f.username, password: f.password },
    from: { address: 'rechnung@firma.example', name: 'Müller & Söhne GmbH' },
  };
}

export function settingsFor(
  name: FixtureName,
  overrides: Partial<SmtpSettings> & { auth?: SmtpSettings['auth'] } = {},
): SmtpSettings {
  const f = fixtures();
  const security =
    name === 'tls' || name === 'untrustedTls' ? 'tls' : name === 'plain' || name === 'noStarttls' ? 'none' : 'starttls';
  return {
    host: f.host,
    port: f.ports[name],
    security,
    auth: { method: 'plain', username: f.username, password: f.password },
    ...overrides,
  };
}

export async function receivedMails(): Promise<ReceivedMail[]> {
  const res = await fetch(`${fixtures().controlUrl}/messages`);
  return (await res.json()) as ReceivedMail[];
}

export async function authAttempts(): Promise<AuthAttempt[]> {
  const res = await fetch(`${fixtures().controlUrl}/auth-attempts`);
  return (await res.json()) as AuthAttempt[];
}

/** The mail whose subject contains `marker` (tests run in parallel: mark every subject). */
export async function mailWith(marker: string): Promise<ReceivedMail | undefined> {
  return (await receivedMails()).find((m) => m.parsed.subject?.includes(marker));
}

export const marker = () => `#${crypto.randomUUID().slice(0, 8)}`;

/** Every form in which a password could leak into a transcript. */
export function leakForms(password: string, username: string): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [
    password,
    b64(password),
    b64(`\u0000${username}\u0000${password}`),
    b64(`${username}\u0000${password}`),
    encodeURIComponent(password),
  ];
}
