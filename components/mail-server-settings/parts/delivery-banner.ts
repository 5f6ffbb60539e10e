// The banner at the top about business mail that failed or went through the fallback, until acknowledged.
import { html, nothing, type TemplateResult } from 'lit';
import type { DeliverySummary } from '../../../contract/index.ts';
import type { Messages } from '../translations/en.ts';

export function deliveryBanner(
  t: Messages,
  problems: DeliverySummary[],
  onAcknowledge: () => void,
): TemplateResult | typeof nothing {
  if (problems.length === 0) return nothing;
  const failed = problems.filter((p) => p.status === 'failed');
  const fallback = problems.length - failed.length;
  return html`<div class="warning delivery-banner" part="delivery-banner" role="alert">
      ${failed.length ? html`<p>${t.problemFailed(failed.length)}</p>` : nothing}
      ${fallback ? html`<p>${t.problemFallback(fallback)}</p>` : nothing}
      <ul>${problems.map((p) => html`<li>${p.subject}${p.recipients.length ? html` – <span class="address">${p.recipients.join(', ')}</span>` : nothing}</li>`)}</ul>
      <button part="button" type="button" class="acknowledge" @click=${onAcknowledge}>${t.gotIt}</button>
    </div>`;
}
