// The tenant's mails (business mail and tests on two tabs, with a warning after fallback
// deliveries, the actions on mail that did not go out) as a pure template.
import { html, nothing, type TemplateResult } from 'lit';
import type { DeliverySummary } from '../../../contract/index.ts';
import type { DeliveryAction, DeliveryTab } from '../controllers/deliveries-poller.ts';
import type { Messages } from '../translations/en.ts';
import { needsSignIn } from './sign-in.ts';

export interface DeliveriesView {
  t: Messages;
  list: DeliverySummary[] | null;
  /** Why the last look failed, if it is to be shown. */
  error: string | null;
  date: Intl.DateTimeFormat;
  tab: DeliveryTab;
  more: boolean;
  sendViaSystem: boolean;
  /** The row an action runs for (its buttons are disabled). */
  acting: string | null;
  /** Signs in again where a mail failed for a missing or dead sign-in. */
  onReconnect: (() => void) | null;
  onTab: (tab: DeliveryTab) => void;
  onMore: () => void;
  onAction: (id: string, action: DeliveryAction) => void;
}

function actions(v: DeliveriesView, d: DeliverySummary): TemplateResult | typeof nothing {
  if (d.kind === 'test' || (d.status !== 'retrying' && d.status !== 'failed')) return nothing;
  const button = (action: DeliveryAction, label: string) =>
    html`<button part="button" type="button" ?disabled=${v.acting === d.id} @click=${() => v.onAction(d.id, action)}>${label}</button>`;
  const { t } = v;
  return html`<span class="actions">${button('retry', t.retryNow)}${v.sendViaSystem ? button('send-via-system', t.sendViaRelay) : nothing}</span>`;
}

function row(v: DeliveriesView, d: DeliverySummary): TemplateResult {
  const { t } = v;
  const problem = d.error ?? d.fallbackReason;
  return html`<li data-status=${d.status} data-route=${d.route ?? nothing}>
      <span class="when">${v.date.format(new Date(d.createdAt))}</span>
      <span class="what">${d.subject}</span>
      <span class="badge" data-status=${d.status}>${t.deliveryStatus[d.status] ?? d.status}</span>
      ${d.route ? html`<span class="via">${t.sentVia} ${t.deliveryRoute[d.route]}</span>` : nothing}
      ${d.nextAttemptAt ? html`<span class="next">${t.nextAttempt}: ${v.date.format(new Date(d.nextAttemptAt))}</span>` : nothing}
      ${d.status === 'sent' && d.response ? html`<span class="reply">${d.response}</span>` : nothing}
      ${problem ? html`<span class="why">${d.error ? '' : `${t.yourServer}: `}${problem.message}</span>` : nothing}
      ${
        v.onReconnect && needsSignIn(problem)
          ? html`<button part="button" type="button" class="reconnect" @click=${v.onReconnect}>${t.reconnect}</button>`
          : nothing
      }
      ${actions(v, d)}
    </li>`;
}

function tabs(v: DeliveriesView): TemplateResult {
  const tab = (name: DeliveryTab, label: string) =>
    html`<button type="button" role="tab" id=${`tab-${name}`} aria-selected=${v.tab === name ? 'true' : 'false'} aria-controls="deliveries-panel" tabindex=${v.tab === name ? 0 : -1} @click=${() => v.onTab(name)}>${label}</button>`;
  const { t } = v;
  return html`<div role="tablist" class="tabs" aria-labelledby="deliveries-title">${tab('business', t.tabBusiness)}${tab('test', t.tabTests)}</div>`;
}

export function deliveriesList(v: DeliveriesView): TemplateResult | typeof nothing {
  const { t, list, error } = v;
  if (!list && !error) return nothing;
  return html`<section part="deliveries" class="deliveries" aria-labelledby="deliveries-title">
      <h3 id="deliveries-title">${t.deliveries}</h3>
      ${tabs(v)}
      <div role="tabpanel" id="deliveries-panel" aria-labelledby=${`tab-${v.tab}`}>
      ${error ? html`<p class="error" part="error">${error}</p>` : nothing}
      ${
        !list
          ? nothing
          : list.length
            ? html`<ul>${list.map((d) => row(v, d))}</ul>`
            : error
              ? nothing
              : html`<p class="hint">${t.deliveriesEmpty}</p>`
      }
      ${v.more ? html`<button part="button" type="button" class="more" @click=${v.onMore}>${t.moreRows}</button>` : nothing}
      </div>
    </section>`;
}
