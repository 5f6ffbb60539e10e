// DMARC (RFC 7489) at `_dmarc.<domain>`, else the organizational domain's record; DKIM selectors as a hint.
import { getDomain } from 'tldts';
import type { DmarcPolicy, OAuthProvider } from '../../../contract/index.ts';
import type { NodeStyleResolve } from '../../dns/node-dns-adapter.ts';
import type { DnsResolver } from '../../dns/resolver.ts';

export type DmarcOutcome =
  | { ok: false }
  /** `name`: where the record is; `policy`: `sp` (else `p`) when it is the organizational domain's. */
  | { ok: true; record: string; name: string; policy: DmarcPolicy | null }
  | { ok: true; record: null };

/** Both names asked at once: the organizational domain's record only counts when the domain has none. */
export async function lookupDmarc(resolve: NodeStyleResolve, domain: string): Promise<DmarcOutcome> {
  // On first use, as in spf.ts.
  const { default: dmarcRecords } = await import('mailauth/lib/dmarc/get-dmarc-record.js');
  const lookup = dmarcRecords.createRecordLookup(resolve);
  const org = getDomain(domain);
  try {
    const [own, inherited] = await Promise.all([
      lookup(domain),
      org && org !== domain ? lookup(org) : Promise.resolve(false as const),
    ]);
    const record = own || inherited;
    if (!record) return { ok: true, record: null };
    const tags = dmarcRecords.getPolicyTags(record);
    const policy = (own ? tags?.p : (tags?.sp ?? tags?.p)) ?? null;
    return { ok: true, record: record.rr, name: `_dmarc.${own ? domain : org}`, policy };
  } catch {
    return { ok: false };
  }
}

/** The DKIM selectors Microsoft 365 and Google publish for a domain they sign for. */
export const PROVIDER_SELECTORS: Record<OAuthProvider, string[]> = {
  microsoft: ['selector1', 'selector2'],
  google: ['google'],
};

/** The selectors with a DKIM key (`p=`) at `<selector>._domainkey.<domain>`; CNAMEs (Microsoft 365) are followed. */
export async function dkimSelectorsFound(
  dns: DnsResolver,
  domain: string,
  selectors: string[],
  signal: AbortSignal,
): Promise<string[]> {
  const answers = await Promise.all(selectors.map((s) => dns.lookup(`${s}._domainkey.${domain}`, 'TXT', { signal })));
  return selectors.filter((_, i) => {
    const answer = answers[i]!;
    return answer.ok && answer.records.some((text) => /(^|;)\s*p=[A-Za-z0-9+/]/.test(text));
  });
}
