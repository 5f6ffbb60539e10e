import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Renders the host again at each whole second until the time `until` answers (epoch ms), so a text
 * that counts down to it (a rate limit's "try again in …") ticks; a render is all it takes.
 */
export class Countdown implements ReactiveController {
  private _timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly _host: ReactiveControllerHost,
    private readonly _until: () => number | undefined,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    this._host.requestUpdate(); // a countdown left while disconnected goes on
  }

  hostUpdated(): void {
    clearTimeout(this._timer);
    const left = (this._until() ?? 0) - Date.now();
    if (left > 0) this._timer = setTimeout(() => this._host.requestUpdate(), left % 1000 || 1000);
  }

  hostDisconnected(): void {
    clearTimeout(this._timer);
  }
}
