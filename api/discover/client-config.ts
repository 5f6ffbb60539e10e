// Mozilla's autoconfig `clientConfig` format (version 1.1), read by the ISPDB build script and by
// the domain-autoconfig fetcher alike: only what discovery needs, the outgoing SMTP servers.
// The text comes from strangers (a domain's own web server), so a DOCTYPE is refused before
// parsing: without one, no entity but XML's five predefined ones can exist, and nothing expands.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { toAsciiDomain } from '../../contract/rules/host.ts';
import type { DiscoverAuth, Security } from '../../contract/index.ts';

/** One outgoing server as the file states it; `host` and `username` may hold %EMAIL…% placeholders. */
export type ConfigServer = readonly [
  host: string,
  port: number,
  security: Security,
  auth: readonly DiscoverAuth[],
  username: string,
];

export interface ConfigProvider {
  id: string;
  name: string;
  /** Lower-case ASCII domains the provider serves. */
  domains: string[];
  /** In the file's order, which is its order of preference. */
  servers: ConfigServer[];
}

export type ClientConfigResult =
  | { ok: true; providers: ConfigProvider[] }
  | { ok: false; reason: 'not_xml' | 'doctype' | 'not_client_config' };

const SOCKET_TYPES: Record<string, Security> = { SSL: 'tls', STARTTLS: 'starttls', plain: 'none' };
const AUTH_TYPES: Record<string, DiscoverAuth | 'none'> = {
  'password-cleartext': 'password',
  'password-encrypted': 'password',
  OAuth2: 'oauth2',
  none: 'none',
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['emailProvider', 'domain', 'outgoingServer', 'authentication'].includes(name),
});

type Node = Record<string, unknown>;

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** Parses a clientConfig document; a document that is not one gives a reason, never a throw. */
export function parseClientConfig(xml: string): ClientConfigResult {
  if (/<!DOCTYPE/i.test(xml)) return { ok: false, reason: 'doctype' };
  if (XMLValidator.validate(xml) !== true) return { ok: false, reason: 'not_xml' };
  const root = (parser.parse(xml) as Node).clientConfig;
  if (!root || typeof root !== 'object') return { ok: false, reason: 'not_client_config' };
  const providers = ((root as Node).emailProvider as unknown[] | undefined) ?? [];
  return {
    ok: true,
    providers: providers.flatMap((p) => (p && typeof p === 'object' ? [readProvider(p as Node)] : [])),
  };
}

function readProvider(node: Node): ConfigProvider {
  const id = text(node['@id']);
  const domains = ((node.domain as unknown[] | undefined) ?? []).flatMap((d) => {
    const ascii = toAsciiDomain(text(d).toLowerCase());
    return ascii ? [ascii] : [];
  });
  const servers = ((node.outgoingServer as unknown[] | undefined) ?? []).flatMap((s) => {
    const server = s && typeof s === 'object' ? readServer(s as Node) : null;
    return server ? [server] : [];
  });
  return { id, name: text(node.displayName) || id, domains, servers };
}

/** Null for anything but a usable SMTP server: another type, no host, a bad port, an unknown socket or only unknown methods. */
function readServer(node: Node): ConfigServer | null {
  if (text(node['@type']) !== 'smtp') return null;
  const host = text(node.hostname);
  const port = Number(text(node.port));
  const security = Object.hasOwn(SOCKET_TYPES, text(node.socketType)) ? SOCKET_TYPES[text(node.socketType)] : null;
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535 || !security) return null;
  const named = ((node.authentication as unknown[] | undefined) ?? []).map(text);
  const known = named.flatMap((a) => (Object.hasOwn(AUTH_TYPES, a) ? [AUTH_TYPES[a]!] : []));
  if (named.length > 0 && known.length === 0) return null;
  const auth = [...new Set(known.filter((a): a is DiscoverAuth => a !== 'none'))];
  return [host, port, security, auth, text(node.username)];
}

/**
 * The ISPDB as the bundle carries it: servers shared by index (many providers use the same
 * hosts), providers as `[id, name, server indexes]`, and each domain mapped to its provider.
 */
export interface IspdbTable {
  servers: readonly ConfigServer[];
  providers: readonly (readonly [id: string, name: string, servers: readonly number[]])[];
  domains: Readonly<Record<string, number>>;
  /**
   * Registrable domains that are in no domain list but still name one provider (for MX hosts):
   * its id (`hetzner.de`), or the domain of its SMTP hosts when no other provider's share it.
   */
  baseDomains: Readonly<Record<string, number>>;
}
