// The sender-domain check: for the address mail goes out as and the route it takes now, SPF for
// the route's server, DMARC and the provider's DKIM selectors, all lookups in one time box.
import type { OAuthProvider } from '../../../contract/index.ts';
import type { Config } from '../../config/config.ts';
import type { MailServerRow, TenantIdentity } from '../../db/schema.ts';
import { nodeStyleResolve } from '../../dns/node-dns-adapter.ts';
import { createResolver } from '../../dns/resolver.ts';
import type { Deps } from '../../http/context.ts';
import { providerOfHost } from '../../i18n/smtp-error-texts/wording.ts';
import { asciiDomain, domainOf } from '../../smtp/address.ts';
import { readSettings } from '../mail-server/store.ts';
import { effectiveSender } from '../mail-server/view.ts';
import { type DmarcOutcome, dkimSelectorsFound, lookupDmarc, PROVIDER_SELECTORS } from './dmarc.ts';
import { evaluateSpf, findSendingServer, type SendingServer, type ServerSource, type SpfOutcome } from './spf.ts';

/** Every lookup of a check ends by then, so the answer comes within 5 s with the settings read. */
export const CHECK_BUDGET_MS = 4000;

/** The SPF includes of the providers whose submission servers the settings name. */
export const PROVIDER_INCLUDES: Record<OAuthProvider, string> = {
  microsoft: 'spf.protection.outlook.com',
  google: '_spf.google.com',
};

export interface DomainCheck {
  address: string;
  domain: string;
  route: 'tenant' | 'system';
  provider: OAuthProvider | null;
  server: SendingServer;
  spf: SpfOutcome;
  dmarc: DmarcOutcome;
  /** The selectors asked for, and those with a key. */
  dkim: { asked: string[]; found: string[] };
}

function providerOf(row: MailServerRow | undefined): OAuthProvider | null {
  if (!row) return null;
  return row.authMethod === 'xoauth2' ? row.oauthProvider : providerOfHost(row.host);
}

/** Where the route's sending server is found: the provider's include, the operator's vars, or a host's addresses. */
function serverSource(
  row: MailServerRow | undefined,
  provider: OAuthProvider | null,
  config: Config,
): ServerSource | null {
  if (row)
    return provider ? { include: PROVIDER_INCLUDES[provider], server: row.host } : { host: row.host, server: row.host };
  const { ip, include } = config.systemSpf;
  if (ip) return { ip, server: null };
  if (include) return { include, server: null };
  const relay = config.systemRelay;
  return relay && !(relay instanceof Error) ? { host: relay.host, server: null } : null;
}

const unchecked = (server: string | null): Pick<DomainCheck, 'server' | 'spf' | 'dmarc'> => ({
  server: { kind: 'dns_failed', server },
  spf: { result: null, record: null, records: 0, dnsFailed: true },
  dmarc: { ok: false },
});

/**
 * The check for `draftAddress` (else the saved sender) on the tenant's route; on the system route
 * mail goes out as the system sender, so that is checked. Never throws for DNS trouble.
 */
export async function checkSenderDomain(
  deps: Deps,
  tenant: TenantIdentity,
  draftAddress?: string,
): Promise<DomainCheck> {
  const row = await readSettings(deps.db, tenant, deps.now());
  const effective = effectiveSender(row, tenant, deps.config.systemFrom);
  const route = effective.route === 'tenant' ? 'tenant' : 'system';
  const address = route === 'tenant' ? (draftAddress ?? effective.from.address) : effective.from.address;
  const domain = asciiDomain(domainOf(address)) ?? domainOf(address).toLowerCase();
  const provider = providerOf(row);
  const source = serverSource(row, provider, deps.config);
  const asked = provider ? PROVIDER_SELECTORS[provider] : Object.values(PROVIDER_SELECTORS).flat();
  const base = { address, domain, route, provider } as const;
  const url = deps.config.dnsResolverUrl;
  if (typeof url !== 'string') return { ...base, ...unchecked(source?.server ?? null), dkim: { asked, found: [] } };

  const signal = AbortSignal.timeout(CHECK_BUDGET_MS);
  const dns = createResolver({ url });
  const resolve = nodeStyleResolve(dns, signal);
  const spfOfServer = async () => {
    const txt = dns.lookup(domain, 'TXT', { signal });
    const server: SendingServer = source
      ? await findSendingServer(dns, source, signal)
      : { kind: 'unknown', server: null };
    const spf = await evaluateSpf(txt, resolve, domain, server.kind === 'known' ? server.ip : null);
    return { server, spf };
  };
  const [{ server, spf }, dmarc, found] = await Promise.all([
    spfOfServer(),
    lookupDmarc(resolve, domain),
    dkimSelectorsFound(dns, domain, asked, signal),
  ]);
  return { ...base, server, spf, dmarc, dkim: { asked, found } };
}
