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
/** The query parameters a redirect back brings (`mailServerOAuth=ok|error`, `provider`, `completion`, `error`). */
const REDIRECT_PARAMS = ['mailServerOAuth', 'provider', 'completion', 'error'];

/** The outcome a redirect back put into the page's URL, taken out of it (null when there is none). */
function takeRedirectResult(): OAuthCallbackMessage | null {
  const url = new URL(location.href);
  const outcome = url.searchParams.get('mailServerOAuth');
  if (!outcome) return null;
  const [, provider, completion, error] = REDIRECT_PARAMS.map((name) => url.searchParams.get(name));
  for (const name of REDIRECT_PARAMS) url.searchParams.delete(name);
  history.replaceState(history.state, '', url);
  return {
    type: 'mail-server-oauth',
    ok: outcome === 'ok',
    provider: provider && isProvider(provider) ? provider : null,
    account: null,
    ...(error ? { error } : {}),
    ...(completion ? { completion } : {}),
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
 * comes back with the outcome in the URL (read once, then removed). The outcome connects nothing
 * until this page completes it with the start's binding, which never leaves it (memory, or
 * sessionStorage across the redirect): a forwarded sign-in link cannot connect a stranger's account.
 * Also disconnecting.
 */
export class OAuthSignIn implements ReactiveController {
  private _popup: Window | null = null;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _redirectChecked = false;
  private _redirectResult: OAuthCallbackMessage | null = null;
  private _binding: string | null = null;
  /** The popup closed without an outcome (or a provider's opener policy cut it off): offer this window. */
  private _closedWithout: OAuthProvider | null = null;

  constructor(
    private readonly _host: ReactiveControllerHost & HTMLElement,
    private readonly _hooks: SignInHooks,
  ) {
    _host.addController(this);
  }

  /** Where a redirect's binding waits, per API and element. */
  private get _storageKey(): string {
    return `mail-server-oauth ${this._hooks.api.origin} ${this._host.id}`;
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
  formView(draft: Draft): Pick<FormView, 'providers' | 'connection' | 'onSignIn' | 'onSignInHere' | 'onDisconnect'> {
    const provider = this._closedWithout;
    return {
      providers: this._hooks.data()?.capabilities.oauthProviders ?? [],
      connection: isProvider(draft.authMethod) ? this._connection(draft.authMethod) : undefined,
      onSignIn: (provider) => void (this._hooks.busy() || this._signIn(provider, loginHint(draft))),
      onSignInHere:
        provider === draft.authMethod && provider
          ? () => void (this._hooks.busy() || this._signIn(provider, loginHint(draft), true))
          : null,
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
    if (!result) return;
    const binding = sessionStorage.getItem(this._storageKey);
    sessionStorage.removeItem(this._storageKey);
    await this._signedIn(result, binding);
  }

  /**
   * Starts the sign-in. Call it in the click's handler, before anything is awaited: popup blockers
   * allow a window opened there only, so it opens empty and goes to the provider once the API answers.
   */
  private async _signIn(provider: OAuthProvider, loginHint: string | undefined, here = false): Promise<void> {
    if (this._popup && !this._popup.closed) return this._popup.focus();
    this._closedWithout = null;
    const popup = here ? null : window.open('about:blank', 'mail-server-oauth', POPUP_FEATURES);
    const hint = loginHint ? { loginHint } : {};
    const { api } = this._hooks;
    return this._hooks.run('sign-in', async () => {
      if (!popup) {
        const start = await api.startOAuth({ provider, ...hint, mode: 'redirect', returnTo: location.href });
        sessionStorage.setItem(this._storageKey, start.binding);
        location.assign(start.authorizationUrl);
        return;
      }
      this._wait(popup, provider);
      try {
        const start = await api.startOAuth({ provider, ...hint, mode: 'popup' });
        this._binding = start.binding;
        popup.location.href = start.authorizationUrl;
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

  /**
   * A closed window ends the waiting: the outcome, if any, has been posted before it closed. A
   * provider's page with Cross-Origin-Opener-Policy makes the window look closed while it is open.
   */
  private _wait(popup: Window, provider: OAuthProvider): void {
    this._popup = popup;
    this._timer = setInterval(() => {
      if (!popup.closed) return;
      this._stopWaiting();
      this._closedWithout = provider;
      this._hooks.say({ tone: 'info', text: (t) => t.signInClosed });
    }, CLOSED_CHECK_MS);
  }

  private _stopWaiting(): void {
    clearInterval(this._timer);
    this._popup = null;
  }

  /** Completes the outcome with the start's binding. Back from a redirect the form is new: it is switched to the provider again. */
  private async _signedIn(
    { ok, provider, error, completion }: OAuthCallbackMessage,
    binding: string | null,
  ): Promise<void> {
    if (provider) this._hooks.choose(provider);
    if (!ok || !provider || !completion || !binding) {
      const text = (t: Messages) => (error === 'access_denied' ? t.signInCancelled : t.signInFailed);
      return this._hooks.say({ tone: 'error', text });
    }
    await this._hooks.run('sign-in', async () => {
      const { account } = await this._hooks.api.completeOAuth({ binding, completion });
      await this._hooks.refresh();
      this._hooks.say({ tone: 'success', text: (t) => t.signedIn(PROVIDER_NAME[provider]) });
      this._hooks.emit(new MailServerOAuthConnectedEvent({ provider, account }));
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
    this._closedWithout = null;
    const binding = this._binding;
    this._binding = null;
    void this._signedIn(data as OAuthCallbackMessage, binding);
  };
}
