import type { OAuthProvider } from '../../contract/index.ts';
import { OAUTH_SMTP_HOSTS } from '../../contract/values.ts';
import type { OAuthConfig } from '../config/oauth.ts';

export interface OAuthTarget {
  host: string;
  allowUntrustedCertificate: boolean;
}

/**
 * Why a provider's access token must not go to this server, or null. An access token opens the
 * mailbox for an hour: it goes only to the provider's own submission servers (or the ones the
 * operator named), and never to "any certificate" there, since those servers' certificates are
 * publicly trusted and trusting another one could only help an impostor.
 */
export function oauthTargetRefusal(
  oauth: OAuthConfig,
  provider: OAuthProvider,
  target: OAuthTarget,
): 'oauth_host_mismatch' | 'oauth_untrusted_certificate' | null {
  const config = oauth.providers[provider];
  // A provider not offered here gives no token anyway (and is its own error).
  if (!config) return null;
  const host = target.host.toLowerCase().replace(/\.$/, '');
  if (!config.smtpHosts.includes(host)) return 'oauth_host_mismatch';
  const own: readonly string[] = OAUTH_SMTP_HOSTS[provider];
  return target.allowUntrustedCertificate && own.includes(host) ? 'oauth_untrusted_certificate' : null;
}
