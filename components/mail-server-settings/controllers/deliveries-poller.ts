import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DeliveriesResponse, DeliverySummary } from '../../../contract/index.ts';
import { asRequestFailure, type RequestFailure } from '../api-client.ts';

const POLL_DELAY_MS = 2000;
/** Looks again at mails on their way, for a minute at most. */
const MAX_POLLS = 30;

/**
 * The tenant's recent mails: loaded on demand, and looked at again every 2 s while any is on its
 * way (a test's outcome is written just after its answer), also after the element moves.
 */
export class DeliveriesPoller implements ReactiveController {
  /** The newest rows; null before the first answer and when the API has no deliveries endpoint. */
  deliveries: DeliverySummary[] | null = null;
  /** Why the last look failed. */
  error: RequestFailure | null = null;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _polls = 0;
  /** Counts requests: only the latest one's answer is shown. */
  private _requests = 0;

  constructor(
    private readonly _host: ReactiveControllerHost & Element,
    private readonly _fetch: () => Promise<DeliveriesResponse>,
    /** Reports a failed look (the element's error event). */
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

  /** Loads the newest rows. `poll`: a look again at mails on their way; any other load starts a new minute of those. */
  async load(poll = false): Promise<void> {
    if (!poll) this._polls = 0;
    const request = ++this._requests;
    this.error = null;
    this._host.requestUpdate();
    try {
      const { deliveries } = await this._fetch();
      if (request === this._requests) this.deliveries = deliveries; // else a later request answers instead
    } catch (error) {
      if (request === this._requests) this._failed(asRequestFailure(error));
    }
    this._host.requestUpdate();
    this._schedule(); // also after a failed look: the rows shown are still on their way
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
