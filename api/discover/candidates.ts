// One conversion from clientConfig servers (ISPDB or a domain's autoconfig) to the candidates the
// discovery answers with: placeholders filled in from the address, hosts that are not host names
// (an unknown placeholder, a typo) dropped, and the sign-in provider named where it applies.
import type { DiscoverCandidate, DiscoverSource, OAuthProvider } from '../../contract/index.ts';
import { isHost, toAsciiDomain } from '../../contract/rules/host.ts';
import { OAUTH_PROVIDERS, OAUTH_SMTP_HOSTS } from '../../contract/values.ts';
import type { ConfigServer } from './client-config.ts';

/** The address's parts as the three clientConfig placeholders name them. */
function placeholders(address: string): [RegExp, string][] {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = toAsciiDomain(address.slice(at + 1)) ?? address.slice(at + 1).toLowerCase();
  return [
    [/%EMAILADDRESS%/g, `${local}@${domain}`],
    [/%EMAILLOCALPART%/g, local],
    [/%EMAILDOMAIN%/g, domain],
  ];
}

const fill = (template: string, values: [RegExp, string][]) =>
  values.reduce((text, [pattern, value]) => text.replace(pattern, () => value), template);

/** The provider whose own submission server `host` is, when the server offers OAuth2. */
function oauthProviderOf(host: string, auth: readonly string[]): OAuthProvider | undefined {
  if (!auth.includes('oauth2')) return undefined;
  return OAUTH_PROVIDERS.find((p) => (OAUTH_SMTP_HOSTS[p] as readonly string[]).includes(host));
}

/** Candidates in the servers' order (the source's order of preference). */
export function toCandidates(
  servers: readonly ConfigServer[],
  address: string,
  source: DiscoverSource,
): DiscoverCandidate[] {
  const values = placeholders(address);
  return servers.flatMap(([hostTemplate, port, security, auth, usernameTemplate]) => {
    const host = fill(hostTemplate, values).toLowerCase();
    if (!isHost(host)) return [];
    const oauthProvider = oauthProviderOf(host, auth);
    const candidate: DiscoverCandidate = {
      host,
      port,
      security,
      auth: [...auth],
      username: fill(usernameTemplate, values),
      source,
    };
    return [oauthProvider ? { ...candidate, oauthProvider } : candidate];
  });
}
