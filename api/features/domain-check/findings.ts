// What the check's outcomes mean for the tenant: findings with a severity, and the verdict.
import type {
  DomainCheckFindingCode,
  DomainCheckSeverity,
  DomainCheckVerdict,
  OAuthProvider,
} from '../../../contract/index.ts';
import type { FindingFacts } from '../../i18n/domain-check.ts';
import type { DomainCheck } from './service.ts';
import type { SpfOutcome } from './spf.ts';

export interface Finding {
  code: DomainCheckFindingCode;
  severity: DomainCheckSeverity;
  facts: FindingFacts;
}

const PROVIDER_NAMES: Record<OAuthProvider, string> = { microsoft: 'Microsoft 365', google: 'Google Workspace' };

/** The route sends with From = envelope sender, so SPF passing is SPF alignment; null: not known. */
export function spfAligned(spf: SpfOutcome): boolean | null {
  if (spf.result === null || spf.result === 'temperror') return null;
  return spf.result === 'pass';
}

function spfFinding(spf: SpfOutcome): [DomainCheckFindingCode, DomainCheckSeverity] | null {
  if (spf.result === 'none' || (spf.result === null && !spf.dnsFailed && spf.records === 0))
    return ['spf_missing', 'problem'];
  if (spf.result === 'fail' || spf.result === 'neutral') return ['spf_not_authorizing', 'problem'];
  if (spf.result === 'softfail') return ['spf_softfail_only', 'warning'];
  if (spf.result === 'permerror') return ['spf_permerror', 'problem'];
  return null;
}

export function findingsOf(check: DomainCheck): Finding[] {
  const { domain, server, spf, dmarc, provider } = check;
  const facts: FindingFacts = {
    domain,
    server: server.server,
    ...(server.kind === 'known' ? { term: server.term, ip: server.ip } : {}),
  };
  const findings: Finding[] = [];
  const add = (code: DomainCheckFindingCode, severity: DomainCheckSeverity, more: Partial<FindingFacts> = {}) =>
    findings.push({ code, severity, facts: { ...facts, ...more } });

  const dnsFailed = server.kind === 'dns_failed' || spf.dnsFailed || !dmarc.ok;
  if (dnsFailed) add('dns_unavailable', 'warning');
  if (server.kind === 'unknown') add('server_address_unknown', 'warning');
  if (server.kind === 'known' && server.viaHost && server.server) add('spf_checked_host_address', 'info');
  const spfProblem = spfFinding(spf);
  if (spfProblem) add(spfProblem[0], spfProblem[1], { permerror: spf.permerror });

  if (dmarc.ok && dmarc.record === null) add('dmarc_missing', 'warning');
  if (dmarc.ok && dmarc.record !== null && dmarc.policy === 'none')
    add('dmarc_policy_none', 'info', { dmarcName: dmarc.name });
  if (dmarc.ok && dmarc.record !== null && dmarc.policy && dmarc.policy !== 'none' && spfAligned(spf) === false) {
    // Naming the term to add only helps where the record exists and is valid.
    const fixable = spf.result === 'fail' || spf.result === 'softfail' || spf.result === 'neutral';
    add('dmarc_reject_unaligned', 'problem', { policy: dmarc.policy, term: fixable ? facts.term : undefined });
  }
  if (provider && !dnsFailed && check.dkim.found.length === 0) {
    add('dkim_selectors_missing', 'info', { selectors: check.dkim.asked, provider: PROVIDER_NAMES[provider] });
  }
  return findings;
}

export function verdictOf(findings: Finding[]): DomainCheckVerdict {
  if (findings.some((f) => f.severity === 'problem')) return 'problem';
  return findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok';
}
