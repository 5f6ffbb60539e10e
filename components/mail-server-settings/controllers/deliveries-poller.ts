import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DeliveriesResponse, DeliverySummary } from '../../../contract/index.ts';
import { asRequestFailure, type RequestFailure } from '../api-client.ts';
import { MailServerDeliveryProblemEvent } from '../../events.ts';

const POLL_DELAY_MS = 2000;
/** Looks again at mails on their way, for a minute at most. */
const MAX_POLLS = 30;
/** Rows a page shows ("more" adds the next). */
export const PAGE_SIZE = 20;

export type DeliveryTab = 'business' | 'test';
export type DeliveryAction = 'retry' | 'send-via-system';

/** The calls the log makes (api-client.ts). */
export interface DeliveriesApi {
  list(query: string): Promise<DeliveriesResponse>;
  act(id: string, action: DeliveryAction): Promise<unknown>;
  problems(): Promise<DeliverySummary[]>;
  acknowledge(ids: string[]): Promise<unknown>;
}

/**
 * The tenant's mails, business mail and tests on two tabs, twenty a page: loaded on demand, and
 * looked at again every 2 s while any is on its way, also after the element moves. Also the
 * problems not yet acknowledged (the banner), announced once each by `mail-server-delivery-problem`.
 */
export class DeliveriesPoller implements ReactiveController {
  /** The rows shown; null before the first answer and when the API has no deliveries endpoint. */
  deliveries: DeliverySummary[] | null = null;
  nextCursor: string | null = null;
  sendViaSystem = false;
  tab: DeliveryTab = 'business';
  /** Failed or fallback business mail the tenant has not acknowledged. */
  problems: DeliverySummary[] = [];
  /** The row an action runs for. */
  acting: string | null = null;
  /** Why the last look failed. */
  error: RequestFailure | null = null;
  private readonly _announced = new Set<string>();
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _polls = 0;
  /** Counts requests: only the latest one's answer is shown. */
  private _requests = 0;

  constructor(
    private readonly _host: ReactiveControllerHost & Element,
    private readonly _api: DeliveriesApi,
    /** Reports a failed call (the element's error event). */
    private readonly _report: (failure: RequestFailure) => void,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    this._schedule(); // moved in the page: go on looking at mails on their way
  }

  hostDisconnected(): void {
    clearTimeout(this._timer);
  }

  /** Loads the tab's newest rows (as many as shown). `poll`: a look again at mails on their way; any other load starts a new minute of those and looks at the problems too. */
  async load(poll = false): Promise<void> {
    if (!poll) this._polls = 0;
    const request = ++this._requests;
    this.error = null;
    this._host.requestUpdate();
    const limit = Math.min(100, Math.max(PAGE_SIZE, this.deliveries?.length ?? 0));
    try {
      const [page] = await Promise.all([
        this._api.list(`kind=${this.tab}&limit=${limit}`),
        poll ? null : this._loadProblems(),
      ]);
      if (request === this._requests) this._show(page, false); // else a later request answers instead
    } catch (error) {
      if (request === this._requests) this._failed(asRequestFailure(error));
    }
    this._host.requestUpdate();
    this._schedule(); // also after a failed look: the rows shown are still on their way
  }

  /** The next page, under the rows shown. */
  async more(): Promise<void> {
    if (!this.nextCursor) return;
    const request = ++this._requests;
    try {
      const page = await this._api.list(
        `kind=${this.tab}&limit=${PAGE_SIZE}&cursor=${encodeURIComponent(this.nextCursor)}`,
      );
      if (request === this._requests) this._show(page, true);
    } catch (error) {
      if (request === this._requests) this._failed(asRequestFailure(error));
    }
    this._host.requestUpdate();
  }

  showTab(tab: DeliveryTab): void {
    if (tab === this.tab) return;
    this.tab = tab;
    this.deliveries = null;
    this.nextCursor = null;
    void this.load(true);
  }

  /** "Retry now" or "Send via the system mail server", then the rows again. */
  async act(id: string, action: DeliveryAction): Promise<void> {
    this.acting = id;
    this._host.requestUpdate();
    try {
      await this._api.act(id, action);
    } catch (error) {
      this._failed(asRequestFailure(error));
    }
    this.acting = null;
    await this.load();
  }

  /** The banner's "Understood": the problems shown are acknowledged. */
  async acknowledge(): Promise<void> {
    const ids = this.problems.map((p) => p.id);
    try {
      await this._api.acknowledge(ids);
      this.problems = [];
    } catch (error) {
      this._failed(asRequestFailure(error));
    }
    this._host.requestUpdate();
  }

  private async _loadProblems(): Promise<void> {
    try {
      this.problems = await this._api.problems();
    } catch {
      return; // an API without problems: no banner (the list says what failed)
    }
    const fresh = this.problems.filter((p) => !this._announced.has(p.id));
    for (const p of fresh) this._announced.add(p.id);
    if (fresh.length > 0) this._host.dispatchEvent(new MailServerDeliveryProblemEvent({ problems: fresh }));
  }

  private _show(page: DeliveriesResponse, append: boolean): void {
    this.deliveries = append ? [...(this.deliveries ?? []), ...page.deliveries] : page.deliveries;
    this.nextCursor = page.nextCursor;
    this.sendViaSystem = page.sendViaSystem;
  }

  private _failed(failure: RequestFailure): void {
    // An API without the deliveries endpoint: hide the list instead of showing an error.
    if (failure.status === 404) {
      this.deliveries = null;
      return;
    }
    this._report(failure);
    this.error = failure;
  }

  private _schedule(): void {
    clearTimeout(this._timer);
    const inFlight = this.deliveries?.some((d) => d.status === 'queued' || d.status === 'sending');
    if (inFlight && this._host.isConnected && this._polls < MAX_POLLS) {
      this._polls++;
      this._timer = setTimeout(() => void this.load(true), POLL_DELAY_MS);
    }
  }
}
