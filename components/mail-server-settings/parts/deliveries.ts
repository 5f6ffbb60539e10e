// The tenant's recent mails (with a warning after fallback deliveries) as a pure template.
import { html, nothing, type TemplateResult } from 'lit';
import type { DeliverySummary } from '../../../contract/index.ts';
import type { Messages } from '../translations/en.ts';
import { needsSignIn } from './sign-in.ts';

function row(
  t: Messages,
  d: DeliverySummary,
  date: Intl.DateTimeFormat,
  onReconnect: (() => void) | null,
): TemplateResult {
  const problem = d.error ?? d.fallbackReason;
  return html`<li data-status=${d.status} data-route=${d.route ?? nothing}>
      <span class="when">${date.format(new Date(d.createdAt))}</span>
      <span class="what">${t.deliveryKind[d.kind] ?? d.kind}: ${d.subject}</span>
      <span class="badge" data-status=${d.status}>${t.deliveryStatus[d.status] ?? d.status}</span>
      ${d.route ? html`<span class="via">${t.via} ${t.deliveryRoute[d.route]}</span>` : nothing}
      ${problem ? html`<span class="why">${d.error ? '' : `${t.yourServer}: `}${problem.message}</span>` : nothing}
      ${
        onReconnect && needsSignIn(problem)
          ? html`<button part="button" type="button" class="reconnect" @click=${onReconnect}>${t.reconnect}</button>`
          : nothing
      }
    </li>`;
}

/**
 * `list`: null when not (yet) known; `error`: why the last look failed, if it is to be shown;
 * `onReconnect`: signs in again where a mail failed for a missing or dead sign-in.
 */
export function deliveriesList(
  t: Messages,
  list: DeliverySummary[] | null,
  error: string | null,
  date: Intl.DateTimeFormat,
  onReconnect: (() => void) | null,
): TemplateResult | typeof nothing {
  if (!list && !error) return nothing;
  return html`<section part="deliveries" class="deliveries" aria-labelledby="deliveries-title">
      <h3 id="deliveries-title">${t.deliveries}</h3>
      ${error ? html`<p class="error" part="error">${error}</p>` : nothing}
      ${list?.some((d) => d.route === 'system-fallback' && d.status === 'sent') ? html`<p class="warning" part="warning">${t.fallbackWarning}</p>` : nothing}
      ${
        !list
          ? nothing
          : list.length
            ? html`<ul>${list.map((d) => row(t, d, date, onReconnect))}</ul>`
            : error
              ? nothing
              : html`<p class="hint">${t.deliveriesEmpty}</p>`
      }

    </section>`;
}
