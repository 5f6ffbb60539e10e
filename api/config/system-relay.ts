import { PASSWORD_AUTH_METHODS } from '../../contract/values.ts';
import type { PasswordAuthMethod } from '../../contract/index.ts';
import type { SmtpSettings } from '../smtp/types.ts';

export class SystemRelayConfigError extends Error {}

const isAuthMethod = (method: string): method is PasswordAuthMethod =>
  (PASSWORD_AUTH_METHODS as readonly string[]).includes(method);

/**
 * SYSTEM_SMTP_URL → engine settings. `smtps://` = implicit TLS (465), `smtp://` = plain on a
 * trusted network (the local sink), `smtp+starttls://` = STARTTLS required (587).
 * Credentials in the URL's user info are percent-decoded.
 */
export function systemRelaySettings(url: string | undefined): SmtpSettings {
  if (!url) throw new SystemRelayConfigError('SYSTEM_SMTP_URL is not set');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SystemRelayConfigError('SYSTEM_SMTP_URL is not a URL');
  }
  const security = ({ 'smtps:': 'tls', 'smtp:': 'none', 'smtp+starttls:': 'starttls' } as const)[parsed.protocol];
  if (!security || !parsed.hostname)
    throw new SystemRelayConfigError('SYSTEM_SMTP_URL must be smtp://, smtp+starttls:// or smtps://host[:port]');
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(parsed.username);
    password = decodeURIComponent(parsed.password);
  } catch {
    throw new SystemRelayConfigError('SYSTEM_SMTP_URL: user name or password is not percent-encoded (write % as %25)');
  }
  const method = (parsed.searchParams.get('auth') ?? (username ? 'plain' : 'none')).toLowerCase();
  if (!isAuthMethod(method)) {
    throw new SystemRelayConfigError(`SYSTEM_SMTP_URL: auth must be one of ${PASSWORD_AUTH_METHODS.join(', ')}`);
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : security === 'tls' ? 465 : 587,
    security,
    auth: { method, username: username || null, password: password || null },
  };
}
