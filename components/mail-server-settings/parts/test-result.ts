// The result of a test send (stages, server reply, hint, warnings, transcript) as a pure template.
import { html, nothing, type TemplateResult } from 'lit';
import type { CertificateInfo, Security, SmtpStage, TestResult } from '../../../contract/index.ts';
import { type AuthChoice, type Draft, isProvider } from '../draft.ts';
import type { Messages } from '../translations/en.ts';
import { needsSignIn, type SignInActions } from './sign-in.ts';
import { warningList } from './warnings.ts';

/** The order in which an SMTP session passes its stages, for the chosen settings. */
function stagesFor(security: Security, auth: AuthChoice): SmtpStage[] {
  const order: SmtpStage[] =
    security === 'tls' ? ['connect', 'tls', 'greeting', 'ehlo'] : ['connect', 'greeting', 'ehlo'];
  if (security === 'starttls') order.push('tls');
  if (auth !== 'none') order.push('auth');
  return [...order, 'mail', 'rcpt', 'data'];
}

function stageList(t: Messages, result: TestResult, settings: Draft): TemplateResult {
  const order = stagesFor(settings.security, settings.authMethod);
  const failedStage = result.ok ? null : result.error.stage;
  // The stages passed and the one that failed (last, also when the API names an unexpected one).
  const failedAt = failedStage ? order.indexOf(failedStage) : -1;
  const shown = !failedStage ? order : failedAt < 0 ? [...order, failedStage] : order.slice(0, failedAt + 1);
  return html`<ol class="stages">
      ${shown.map((stage) => {
        const failed = stage === failedStage;
        return html`<li data-stage=${stage} data-state=${failed ? 'failed' : 'ok'}>
          <span class="mark" aria-hidden="true">${failed ? '✗' : '✓'}</span> ${t.stages[stage]}
          <span class="vh">${failed ? t.stageFailed : t.stageOk}</span>
        </li>`;
      })}
    </ol>`;
}

/** A certificate the server presented, with the button that trusts exactly it (and tests again). */
function certificatePanel(t: Messages, c: CertificateInfo, onTrust: (sha256: string) => void): TemplateResult {
  return html`<dl class="certificate">
      <dt>${t.certSubject}</dt><dd>${c.subject}</dd>
      <dt>${t.certIssuer}</dt><dd>${c.issuer}</dd>
      <dt>${t.certValidTo}</dt><dd>${c.validTo.slice(0, 10)}</dd>
      <dt>${t.certFingerprint}</dt><dd><code>${c.sha256.match(/../g)?.join(':')}</code></dd>
    </dl>
    <p><button part="button" id="trust-certificate" type="button" @click=${() => onTrust(c.sha256)}>
      ${t.trustCertificate}
    </button></p>`;
}

/**
 * `settings`: the draft the test was sent with; `onTrust`: trust a certificate the test showed;
 * `domain`: the sender domain's verdict for the test.
 */
export function testResultPanel(
  t: Messages,
  result: TestResult,
  settings: Draft,
  actions: SignInActions,
  onTrust: (sha256: string) => void,
  domain: TemplateResult,
): TemplateResult {
  const error = result.ok ? null : result.error;
  const auth = settings.authMethod;
  const reconnectWith = needsSignIn(error) && isProvider(auth) ? auth : null;
  // Nodemailer's replies mostly start with their code already.
  const reply = result.ok
    ? result.response
    : error?.response?.startsWith(`${error.responseCode}`)
      ? error.response
      : [error?.responseCode, error?.response].filter(Boolean).join(' ');
  return html`<section part="test-result" class="test-result" data-ok=${result.ok} aria-label=${t.stagesLabel}>
      ${stageList(t, result, settings)}
      <dl>
        ${error ? html`<dt class="vh">${t.testFailed}</dt><dd class="message">${error.message}</dd>` : nothing}
        ${reply ? html`<dt>${t.serverReply}</dt><dd><code class="reply">${reply}</code></dd>` : nothing}
        ${error?.hint ? html`<dt>${t.whatToDo}</dt><dd class="hint-text">${error.hint}</dd>` : nothing}
      </dl>
      ${error?.certificate ? certificatePanel(t, error.certificate, onTrust) : nothing}
      ${
        reconnectWith
          ? html`<p><button part="button" id="test-reconnect" type="button" @click=${() => actions.onSignIn(reconnectWith)}>
            ${t.reconnect}
          </button></p>`
          : nothing
      }
      ${warningList(t, result.warnings, actions.onSwitch)} ${domain}
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
