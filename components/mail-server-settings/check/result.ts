// The result of a test or verify (stages, server reply, hint, warnings, transcript) as a pure template.
import type { nothing, TemplateResult } from 'lit';
import type { CertificateInfo, OAuthProvider, Security, SmtpStage, TestResult } from '../../../contract/index.ts';
import type { AuthChoice, Draft } from '../draft.ts';
import type { Messages } from '../translations/en.ts';
import type { Lit } from './check.ts';

/** The order in which an SMTP session passes its stages, for the chosen settings. */
function stagesFor(security: Security, auth: AuthChoice): SmtpStage[] {
  const order: SmtpStage[] =
    security === 'tls' ? ['connect', 'tls', 'greeting', 'ehlo'] : ['connect', 'greeting', 'ehlo'];
  if (security === 'starttls') order.push('tls');
  if (auth !== 'none') order.push('auth');
  return [...order, 'mail', 'rcpt', 'data'];
}

/** What a stage's entry shows: passed, failed or (while the check runs) started, with the server's reply if any. */
export interface StageEntry {
  stage: SmtpStage;
  status: 'started' | 'passed' | 'failed';
  reply?: string | undefined;
}

const MARK = { started: '…', passed: '✓', failed: '✗' } as const;

/** The stages as a list; a stage that has not answered yet says so, and never looks passed. */
export function stageList(lit: Lit, t: Messages, entries: StageEntry[]): TemplateResult {
  const { html, nothing } = lit;
  const state = { started: t.stageRunning, passed: t.stageOk, failed: t.stageFailed };
  return html`<ol class="stages">
      ${entries.map(
        ({ stage, status, reply }) => html`<li data-stage=${stage} data-state=${status}>
          <span class="mark" aria-hidden="true">${MARK[status]}</span> ${t.stages[stage]}
          <span class="vh">${state[status]}</span>${reply ? html` <code class="reply">${reply}</code>` : nothing}
        </li>`,
      )}
    </ol>`;
}

/** The stages a finished check passed, and the one it failed at (last, also when the API names an unexpected one). */
function resultStages(result: TestResult, settings: Draft): StageEntry[] {
  const order = stagesFor(settings.security, settings.authMethod);
  const failedStage = result.ok ? null : result.error.stage;
  const failedAt = failedStage ? order.indexOf(failedStage) : -1;
  const shown = !failedStage ? order : failedAt < 0 ? [...order, failedStage] : order.slice(0, failedAt + 1);
  return shown.map((stage) => ({ stage, status: stage === failedStage ? 'failed' : 'passed' }));
}

/** A certificate the server presented, with the button that trusts exactly it (and tests again). */
function certificatePanel(
  lit: Lit,
  t: Messages,
  c: CertificateInfo,
  onTrust: (sha256: string) => void,
): TemplateResult {
  return lit.html`<dl class="certificate">
      <dt>${t.certSubject}</dt><dd>${c.subject}</dd>
      <dt>${t.certIssuer}</dt><dd>${c.issuer}</dd>
      <dt>${t.certValidTo}</dt><dd>${c.validTo.slice(0, 10)}</dd>
      <dt>${t.certFingerprint}</dt><dd><code>${c.sha256.match(/../g)?.join(':')}</code></dd>
    </dl>
    <p><button part="button" id="trust-certificate" type="button" @click=${() => onTrust(c.sha256)}>
      ${t.trustCertificate}
    </button></p>`;
}

/** What the result panel offers besides the result: the element's handlers and the parts it renders itself. */
export interface ResultView {
  /** The provider to sign in with again, when the check failed for want of a valid sign-in. */
  reconnectWith: OAuthProvider | null;
  onSignIn(provider: OAuthProvider): void;
  /** Trust a certificate the check showed. */
  onTrust(sha256: string): void;
  warnings: TemplateResult | typeof nothing;
  /** The sender domain's verdict for the check. */
  domain: TemplateResult | typeof nothing;
}

/** `settings`: the draft the check ran with. */
export function testResultPanel(
  lit: Lit,
  t: Messages,
  result: TestResult,
  settings: Draft,
  view: ResultView,
): TemplateResult {
  const { html, nothing } = lit;
  const error = result.ok ? null : result.error;
  const { reconnectWith } = view;
  // Nodemailer's replies mostly start with their code already.
  const reply = result.ok
    ? result.response
    : error?.response?.startsWith(`${error.responseCode}`)
      ? error.response
      : [error?.responseCode, error?.response].filter(Boolean).join(' ');
  return html`<section part="test-result" class="test-result" data-ok=${result.ok} aria-label=${t.stagesLabel}>
      ${stageList(lit, t, resultStages(result, settings))}
      <dl>
        ${error ? html`<dt class="vh">${t.testFailed}</dt><dd class="message">${error.message}</dd>` : nothing}
        ${reply ? html`<dt>${t.serverReply}</dt><dd><code class="reply">${reply}</code></dd>` : nothing}
        ${error?.hint ? html`<dt>${t.whatToDo}</dt><dd class="hint-text">${error.hint}</dd>` : nothing}
      </dl>
      ${error?.certificate ? certificatePanel(lit, t, error.certificate, view.onTrust) : nothing}
      ${
        reconnectWith
          ? html`<p><button part="button" id="test-reconnect" type="button" @click=${() => view.onSignIn(reconnectWith)}>
            ${t.reconnect}
          </button></p>`
          : nothing
      }
      ${view.warnings} ${view.domain}
      ${
        result.transcript.length
          ? html`<details>
            <summary>${t.transcript}</summary>
            <pre class="transcript" tabindex="0">${result.transcript
              .map((l) => `${l.dir === 'c' ? 'C:' : l.dir === 's' ? 'S:' : '*'} ${l.line}`)
              .join('\n')}</pre>
          </details>`
          : nothing
      }
    </section>`;
}
