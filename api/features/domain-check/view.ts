import type { DomainCheckResult } from '../../../contract/index.ts';
import { findingMessage, spfDetail } from '../../i18n/domain-check.ts';
import type { Lang } from '../../i18n/lang.ts';
import { findingsOf, spfAligned, verdictOf } from './findings.ts';
import type { DomainCheck } from './service.ts';

function dmarcResult(check: DomainCheck, aligned: boolean | null): DomainCheckResult['dmarc']['result'] {
  if (!check.dmarc.ok) return 'temperror';
  if (check.dmarc.record === null) return 'none';
  if (aligned === null) return 'temperror';
  return aligned ? 'pass' : 'fail';
}

/** The check as the API answers it, its texts in `lang`. */
export function domainCheckView(check: DomainCheck, lang: Lang): DomainCheckResult {
  const { server, spf, dmarc } = check;
  const findings = findingsOf(check);
  const aligned = dmarc.ok && dmarc.record !== null ? spfAligned(spf) : null;
  const known = server.kind === 'known' ? server : null;
  return {
    address: check.address,
    domain: check.domain,
    route: check.route,
    spf: {
      result: spf.result,
      record: spf.record,
      detail: spfDetail({ domain: check.domain, server: server.server, term: known?.term, ip: known?.ip }, lang),
    },
    dmarc: {
      result: dmarcResult(check, aligned),
      policy: dmarc.ok && dmarc.record !== null ? dmarc.policy : null,
      record: dmarc.ok ? dmarc.record : null,
      aligned,
    },
    dkim: { selectorsFound: check.dkim.found },
    verdict: verdictOf(findings),
    findings: findings.map(({ code, severity, facts }) => ({
      code,
      severity,
      message: findingMessage(code, facts, lang),
    })),
  };
}
