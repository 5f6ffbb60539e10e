import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type {
  MailServerResponse,
  OAuthCallbackMessage,
  OAuthConnection,
  OAuthProvider,
} from '../../../contract/index.ts';
import { isEmailAddress } from '../../../contract/rules/host.ts';
import { MailServerOAuthConnectedEvent, MailServerOAuthDisconnectedEvent } from '../../events.ts';
import type { ApiClient } from '../api-client.ts';
import { type Draft, isProvider } from '../draft.ts';
import type { FormView } from '../parts/form.ts';
import { PROVIDER_NAME, type SignInActions } from '../parts/sign-in.ts';
import type { StatusMessage } from '../parts/status.ts';
import type { Messages } from '../translations/en.ts';

const POPUP_FEATURES = 'popup,width=520,height=680';
/** No event tells that a window showing another origin was closed: it is looked at this often. */
const CLOSED_CHECK_MS = 500;
/** The query parameters a redirect back brings (`mailServerOAuth=ok|error`, `provider`, `error`). */
const REDIRECT_PARAMS = ['mailServerOAuth', 'provider', 'error'];

/** The outcome a redirect back put into the page's URL, taken out of it (null when there is none). */
function takeRedirectResult(): OAuthCallbackMessage | null {
  const url = new URL(location.href);
  const outcome = url.searchParams.get('mailServerOAuth');
  if (!outcome) return null;
  const [provider, error] = [url.searchParams.get('provider'), url.searchParams.get('error')];
  for (const name of REDIRECT_PARAMS) url.searchParams.delete(name);
  history.replaceState(history.state, '', url);
  return {
    type: 'mail-server-oauth',
    ok: outcome === 'ok',
    provider: provider && isProvider(provider) ? provider : null,
    account: null,
    ...(error ? { error } : {}),
  };
}

/** The user name as the account to preselect, if it is an address (the API takes no other). */
function loginHint(draft: Draft): string | undefined {
  const username = draft.username.trim();
  return isEmailAddress(username) ? username : undefined;
}

/** What the sign-in does through the element. */
export interface SignInHooks {
  api: ApiClient;
  /** The API's state as last loaded. */
  data(): MailServerResponse | null;
  /** An action runs: a click starts nothing now. */
  busy(): boolean;
  /** Runs one user action as the element does (busy meanwhile; a failure shown and reported). */
  run(action: 'sign-in' | 'disconnect', work: () => Promise<void>): Promise<void>;
  /** Takes the API's state again (the connections), keeping the form's values. */
  refresh(): Promise<void>;
  /** Switches the form to signing in with the provider (its server filled in), focus on the sign-in button. */
  choose(provider: OAuthProvider): void;
  /** Says how the sign-in goes, with focus on its button (the window or the new state took it away). */
  say(status: StatusMessage): void;
  emit(event: Event): void;
}

/**
 * Signing in with a provider: in a popup, whose outcome the API's callback page posts to this page
 * (accepted only from the API's origin), or, when popups are blocked, by a full-page redirect that
 * comes back with the outcome in the URL (read once, then removed). Also disconnecting.
 */
export class OAuthSignIn implements ReactiveController {
  private _popup: Window | null = null;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _redirectChecked = false;
  private _redirectResult: OAuthCallbackMessage | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly _hooks: SignInHooks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('message', this._onMessage);
    if (!this._redirectChecked) this._redirectResult = takeRedirectResult();
    this._redirectChecked = true;
  }

  hostDisconnected(): void {
    window.removeEventListener('message', this._onMessage);
    this._stopWaiting();
  }

  /** The form's part: the providers offered, the draft's provider's grant, and the buttons' handlers. */
  formView(draft: Draft): Pick<FormView, 'providers' | 'connection' | 'onSignIn' | 'onDisconnect'> {
    return {
      providers: this._hooks.data()?.capabilities.oauthProviders ?? [],
      connection: isProvider(draft.authMethod) ? this._connection(draft.authMethod) : undefined,
      onSignIn: (provider) => void (this._hooks.busy() || this._signIn(provider, loginHint(draft))),
      onDisconnect: (provider) => void (this._hooks.busy() || this._disconnect(provider)),
    };
  }

  /** The buttons outside the form: sign in again; switch to Microsoft's sign-in where the API offers it. */
  actions(draft: Draft): SignInActions {
    const { onSignIn } = this.formView(draft);
    const data = this._hooks.data();
    const saved = data?.settings?.auth;
    return {
      onSignIn,
      onSwitch: data?.capabilities.oauthProviders.includes('microsoft') ? () => this._hooks.choose('microsoft') : null,
      onReconnect: saved?.method === 'xoauth2' ? () => onSignIn(saved.provider) : null,
    };
  }

  /** Shows the outcome of a redirect back to this page, once; call when the settings are loaded. */
  async showRedirectResult(): Promise<void> {
    const result = this._redirectResult;
    this._redirectResult = null;
    if (result) await this._signedIn(result);
  }

  /**
   * Starts the sign-in. Call it in the click's handler, before anything is awaited: popup blockers
   * allow a window opened there only, so it opens empty and goes to the provider once the API answers.
   */
  private async _signIn(provider: OAuthProvider, loginHint: string | undefined): Promise<void> {
    if (this._popup && !this._popup.closed) return this._popup.focus();
    const popup = window.open('about:blank', 'mail-server-oauth', POPUP_FEATURES);
    const hint = loginHint ? { loginHint } : {};
    return this._hooks.run('sign-in', async () => {
      if (!popup) {
        const { api } = this._hooks;
        location.assign(await api.startOAuth({ provider, ...hint, mode: 'redirect', returnTo: location.href }));
        return;
      }
      this._wait(popup);
      try {
        popup.location.href = await this._hooks.api.startOAuth({ provider, ...hint, mode: 'popup' });
      } catch (error) {
        popup.close();
        this._stopWaiting();
        throw error;
      }
      this._hooks.say({ tone: 'info', text: (t) => t.signInWaiting(PROVIDER_NAME[provider]) });
    });
  }

  private _disconnect(provider: OAuthProvider): Promise<void> {
    return this._hooks.run('disconnect', async () => {
      await this._hooks.api.disconnectOAuth(provider);
      await this._hooks.refresh();
      this._hooks.say({ tone: 'success', text: (t) => t.disconnected(PROVIDER_NAME[provider]) });
      this._hooks.emit(new MailServerOAuthDisconnectedEvent({ provider }));
    });
  }

  /** A closed window ends the waiting: the outcome, if any, has been posted before it closed. */
  private _wait(popup: Window): void {
    this._popup = popup;
    this._timer = setInterval(() => {
      if (!popup.closed) return;
      this._stopWaiting();
      this._hooks.say({ tone: 'info', text: (t) => t.signInClosed });
    }, CLOSED_CHECK_MS);
  }

  private _stopWaiting(): void {
    clearInterval(this._timer);
    this._popup = null;
  }

  /** Back from a redirect the form is new: it is switched to the provider again. */
  private async _signedIn({ ok, provider, account, error }: OAuthCallbackMessage): Promise<void> {
    if (provider) this._hooks.choose(provider);
    if (!ok || !provider) {
      const text = (t: Messages) => (error === 'access_denied' ? t.signInCancelled : t.signInFailed);
      return this._hooks.say({ tone: 'error', text });
    }
    await this._hooks.run('sign-in', async () => {
      await this._hooks.refresh();
      this._hooks.say({ tone: 'success', text: (t) => t.signedIn(PROVIDER_NAME[provider]) });
      const event = { provider, account: this._connection(provider)?.account ?? account };
      this._hooks.emit(new MailServerOAuthConnectedEvent(event));
    });
  }

  private _connection(provider: OAuthProvider): OAuthConnection | undefined {
    return this._hooks.data()?.oauthConnections.find((c) => c.provider === provider);
  }

  // Also after the window was seen closed: its message may be handled just after that.
  private readonly _onMessage = (event: MessageEvent): void => {
    const data = event.data as Partial<OAuthCallbackMessage> | null;
    if (event.origin !== this._hooks.api.origin || data?.type !== 'mail-server-oauth') return;
    this._stopWaiting();
    void this._signedIn(data as OAuthCallbackMessage);
  };
}
