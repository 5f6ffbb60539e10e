import { html, LitElement, nothing, type PropertyValues, type TemplateResult, unsafeCSS } from 'lit';
import type {
  Capabilities,
  DomainCheckResult,
  MailServerResponse,
  MailServerSettingsInput,
  TestResult,
  VerifyResult,
} from '../../contract/index.ts';
import {
  MailServerErrorEvent,
  MailServerResetEvent,
  MailServerSavedEvent,
  MailServerTestedEvent,
  type MailServerAction,
} from '../events.ts';
import type { Lit, Progress } from './check/check.ts';
import { type ApiAnswer, ApiClient, asRequestFailure, DEFAULT_TOKEN_TIMEOUT, RequestFailure } from './api-client.ts';
import { DeliveriesPoller } from './controllers/deliveries-poller.ts';
import { DomainHelp, type Lookup } from './controllers/domain-help.ts';
import { Countdown } from './controllers/countdown.ts';
import { type Language, LanguageController } from './controllers/language.ts';
import { OAuthSignIn } from './controllers/oauth-sign-in.ts';
import {
  canTrustCertificate,
  DEFAULT_PORT,
  type Draft,
  draftFrom,
  EMPTY_DRAFT,
  FIELDS,
  type FieldName,
  isProvider,
  passwordSet,
  passwordStored,
  problemErrors,
  startAddress,
  toInput,
  withCandidate,
  withChange,
} from './draft.ts';
import resultStyles from './mail-server-settings.result-styles.ts';
import styles from './mail-server-settings.styles.ts';
import { deliveriesList } from './parts/deliveries.ts';
import { deliveryBanner } from './parts/delivery-banner.ts';
import { discoverFields, domainVerdict } from './parts/domain-help.ts';
import { type FormView, settingsForm } from './parts/form.ts';
import { busyText, routeSummary, type StatusMessage, statusRegion } from './parts/status.ts';
import { savedWarnings, warningList } from './parts/warnings.ts';
import { needsSignIn, type SignInActions } from './parts/sign-in.ts';
import type { Messages } from './translations/en.ts';
import { clientErrors, type FieldErrors } from './validate.ts';

type Check = typeof import('./check/check.ts');
/** The Lit the check chunk's templates use (it brings none of its own). */
const LIT: Lit = { html, nothing, unsafeCSS };

/**
 * @summary Settings form for a tenant's own outgoing mail server (SMTP): edit, test, save and
 * reset, plus the tenant's recent mails. Talks to the mail-server API with a bearer token.
 *
 * @tagname mail-server-settings
 *
 * @event {MailServerSavedEvent} mail-server-saved - Settings were saved; `detail` is the API's answer.
 * @event {MailServerResetEvent} mail-server-reset - Settings were discarded; `detail` is the API's new state.
 * @event {MailServerTestedEvent} mail-server-tested - A test send finished; `detail` is the test result.
 * @event {MailServerErrorEvent} mail-server-error - A request failed; `detail` has action, status, problem, message.
 * @event {MailServerOAuthConnectedEvent} mail-server-oauth-connected - The tenant signed in with a provider; `detail` has provider and account.
 * @event {MailServerOAuthDisconnectedEvent} mail-server-oauth-disconnected - A provider's sign-in was disconnected; `detail` has the provider.
 * @event {MailServerDeliveryProblemEvent} mail-server-delivery-problem - Business mail failed or went through the system mail server; `detail.problems` lists the mails not announced before.
 *
 * @csspart form - The `<form>` element.
 * @csspart field - The wrapper of one field (label, control, hint, error).
 * @csspart label - A field's label.
 * @csspart input - A text input, select or checkbox.
 * @csspart hint - A field's hint text.
 * @csspart error - A field's error message.
 * @csspart button - Every button.
 * @csspart status - The live region with the result of loading, saving, testing and resetting.
 * @csspart warning - Warnings (no encryption, Microsoft's end of passwords, fallback deliveries).
 * @csspart test-result - The test's stages, server reply, hint and transcript.
 * @csspart deliveries - The list of recent mails.
 * @csspart delivery-banner - The banner about failed or fallback mail, until acknowledged.
 * @csspart domain-check - The sender domain's SPF and DMARC verdict with what to change in the DNS.
 *
 * @cssprop [--mss-font-family=inherit] - Font family; the host page's by default.
 * @cssprop [--mss-font-size=1rem] - Base font size.
 * @cssprop [--mss-color-text=#1f2328] - Text colour.
 * @cssprop [--mss-color-muted=#59636e] - Hints and secondary text.
 * @cssprop [--mss-color-background=#ffffff] - Background of the element and its inputs.
 * @cssprop [--mss-color-border=#8c959f] - Borders of inputs and sections.
 * @cssprop [--mss-color-accent=#0b5cad] - Primary button, focus ring, links.
 * @cssprop [--mss-color-on-accent=#ffffff] - Text on the primary button.
 * @cssprop [--mss-color-danger=#b42318] - Errors.
 * @cssprop [--mss-color-success=#067647] - Success messages.
 * @cssprop [--mss-color-warning=#7a4b00] - Warning text.
 * @cssprop [--mss-color-warning-background=#fff8e6] - Warning background.
 * @cssprop [--mss-radius=6px] - Corner radius of inputs, buttons and boxes.
 * @cssprop [--mss-spacing=1rem] - Base spacing unit.
 * @cssprop [--mss-max-width=42rem] - Maximum width of the form.
 */
export class MailServerSettings extends LitElement {
  static override styles = [styles, resultStyles];

  // Declared here rather than with decorators, which would bring their helpers into the bundle.
  static override properties = {
    apiBase: { attribute: 'api-base' },
    token: { attribute: false },
    getToken: { attribute: false },
    _data: { state: true },
    _draft: { state: true },
    _baseline: { state: true },
    _portEdited: { state: true },
    _touched: { state: true },
    _submitted: { state: true },
    _serverErrors: { state: true },
    _busy: { state: true },
    _status: { state: true },
    _testResult: { state: true },
    _testedWith: { state: true },
    _confirmingReset: { state: true },
    _verifying: { state: true },
    _anywayFor: { state: true },
    _progress: { state: true },
  };

  /** Base URL of the mail-server API, e.g. `https://api.example.com`; empty means this page's origin. */
  apiBase = '';

  /** The tenant's bearer token. A property only: never put a token in an attribute. */
  token: string | null = null;

  /**
   * Returns a fresh bearer token; preferred over `token`. Called when the first request needs a
   * token and once more after the API answers 401.
   */
  getToken: (() => Promise<string>) | null = null;

  /**
   * Milliseconds to wait for `getToken` before giving up with an error (and the offer to try again).
   * Not a positive number: the default, 15000. At most 2147483647 (about 24 days), the longest a
   * browser timer waits; larger values, Infinity included, mean that.
   */
  tokenTimeout = DEFAULT_TOKEN_TIMEOUT;

  private _data: MailServerResponse | null = null;
  private _draft: Draft = { ...EMPTY_DRAFT };
  private _baseline: Draft = { ...EMPTY_DRAFT };
  private _portEdited = false;
  private _touched = new Set<FieldName>();
  private _submitted = false;
  private _serverErrors: FieldErrors = {};
  /** The language the API wrote `_serverErrors` in. */
  private _serverErrorsLang?: Language;
  private _busy: MailServerAction | null = null;
  private _status: StatusMessage | null = null;
  private _testResult: TestResult | null = null;
  private _testedWith: Draft | null = null;
  /** The language the API wrote the test result's texts in. */
  private _testLang?: Language;
  private _confirmingReset = false;
  /** Save is verifying the draft first. */
  private _verifying = false;
  /** The draft whose verify failed (or was rate-limited): Save anyway is offered until a field changes. */
  private _anywayFor: Draft | null = null;
  /** What the status said about the last test (it goes with the result). */
  private _testStatus: StatusMessage | null = null;
  /** The running test or verify, and what aborts it. */
  private _progress: Progress | null = null;
  private _abort: AbortController | null = null;
  /** The check chunk, once loaded (a test or a verify loads it first). */
  private _check: Check | null = null;

  private _etag: string | null = null;
  private _focusAfterUpdate: string | null = null;
  private readonly _language = new LanguageController(this, () => this._onLanguageChange());
  private readonly _api = new ApiClient(this, () => this._language.current);
  // It also ticks the seconds of a running check (until a day after its start, on its whole seconds).
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: a controller, it registers itself with the element
  private readonly _countdown = new Countdown(this, () =>
    this._progress ? this._progress.startedAt + 864e5 : this._status?.retryAt,
  );
  private readonly _deliveries = new DeliveriesPoller(this, this._api.deliveries, (failure) =>
    this._report('deliveries', failure),
  );
  private readonly _oauth = new OAuthSignIn(this, {
    api: this._api,
    data: () => this._data,
    busy: () => this._busy !== null,
    run: (action, work) => this._run(action, work),
    refresh: () => this._refresh(),
    choose: (provider) => {
      if (this._draft.authMethod !== provider) this._draft = withChange(this._draft, 'authMethod', provider, false);
      this._focusAfterUpdate = '#oauth-sign-in';
    },
    say: (status) => {
      this._status = status;
      this._focusAfterUpdate = '#oauth-sign-in';
    },
    emit: (event) => this._emit(event),
  });
  private readonly _help = new DomainHelp(this, {
    api: this._api,
    fill: (candidate) => {
      this._draft = withCandidate(this._draft, candidate, this._capabilities?.oauthProviders ?? []);
      this._portEdited = this._draft.port !== DEFAULT_PORT[this._draft.security];
    },
    report: (action, failure) => this._report(action, failure),
  });

  /** True while the form holds changes that are not saved. */
  get dirty(): boolean {
    return JSON.stringify(this._draft) !== JSON.stringify(this._baseline);
  }

  /**
   * What the API wrote in the old language: the settings (if they failed to load) and the recent
   * mails are asked for again; field errors and failure messages are no longer shown (Save or Test
   * asks the API again). A test result cannot be asked for again without sending another mail: its
   * panel goes, the status keeps the element's own words (the test failed / took n ms) and the
   * recent mails, asked for in the new language, still show the test mail and why it failed. Each is
   * kept with its language, so an answer still on its way in the old one is treated alike.
   */
  private _onLanguageChange(): void {
    if (!this.token && !this.getToken) return;
    // A load on its way asked in the old language: its recent mails are asked for again.
    if (!this._data && this._busy !== 'load') void this.load();
    else void this._deliveries.load();
  }

  /** Renders only once the table of the page's language is loaded (each comes in a chunk). */
  protected override async scheduleUpdate(): Promise<void> {
    // Again after each wait: the page's language may have changed meanwhile.
    for (let wait = this._language.ready; wait; wait = this._language.ready) await wait;
    super.scheduleUpdate();
  }

  protected override update(changed: PropertyValues<this>): void {
    // The test result goes (a language change, a new test, a reset): focus in it would fall to the page.
    const focusInResult = this.shadowRoot?.activeElement?.closest('.test-result');
    if (focusInResult && !this._shownTestResult) this._focusAfterUpdate ??= '#test';
    super.update(changed);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const credentialsArrived = (changed.has('token') || changed.has('getToken')) && !this._data && !this._busy;
    if ((changed.has('apiBase') || credentialsArrived) && (this.token || this.getToken)) void this.load();
    if (this._focusAfterUpdate) {
      this.renderRoot.querySelector<HTMLElement>(this._focusAfterUpdate)?.focus();
      this._focusAfterUpdate = null;
    }
  }

  /** Takes the saved state from the API again, keeping the form's changes. */
  private async _refresh(): Promise<void> {
    const { body, etag } = await this._api.getSettings();
    this._apply(body, etag, true);
  }

  /** Loads the settings (and recent mails) from the API again, discarding unsaved changes. */
  async load(): Promise<void> {
    this._api.forgetToken();
    await Promise.all([
      this._run('load', async () => {
        const { body, etag } = await this._api.getSettings();
        this._apply(body, etag);
      }),
      this._deliveries.load(),
    ]);
    if (this._data) await this._oauth.showRedirectResult();
  }

  private get _t(): Messages {
    return this._language.t;
  }

  private get _capabilities(): Capabilities | null {
    return this._data?.capabilities ?? null;
  }

  /** Runs one user action: marks it busy, shows and reports any failure. */
  private async _run(action: MailServerAction, work: () => Promise<void>): Promise<void> {
    this._busy = action;
    this._status = action === 'load' ? null : { tone: 'info', text: (t) => busyText(t, action) };
    try {
      await work();
    } catch (error) {
      this._fail(action, asRequestFailure(error));
    } finally {
      if (this._busy === action) this._busy = null;
    }
  }

  /** Reports a failure as the typed error event. */
  private _report(action: MailServerAction, failure: RequestFailure): void {
    const { status, problem } = failure;
    const message = failure.text?.(this._t) ?? failure.api ?? '';
    this._emit(new MailServerErrorEvent({ action, status, problem, message }));
  }

  /** Reports a failed action and shows it: field errors at their fields (focus on the first), the rest in the status. */
  private _fail(action: MailServerAction, failure: RequestFailure): void {
    const { status, problem, lang } = failure;
    this._report(action, failure);
    const { fieldErrors, details } = problemErrors(problem?.errors ?? []);
    this._serverErrors = fieldErrors;
    this._serverErrorsLang = lang;
    const { text, api, retryAt } = failure;
    this._status = { tone: 'error', text, api, lang, details, reload: status === 412, retryAt };
    const first = FIELDS.find((f) => fieldErrors[f]);
    if (first) this._focusAfterUpdate = `#${first}`;
  }

  /** Dispatches one of the typed events (declared in the class JSDoc, which the manifest takes them from). */
  private _emit(event: Event): void {
    this.dispatchEvent(event);
  }

  /** Takes the API's state, and its settings into the form unless `keepDraft` (a sign-in changes none). */
  private _apply(response: MailServerResponse, etag: string | null, keepDraft = false): void {
    this._data = response;
    this._etag = etag ?? (response.configured ? `"${response.version}"` : null);
    if (keepDraft) return;
    this._help.found = {};
    const draft = draftFrom(response);
    this._draft = draft;
    this._baseline = { ...draft };
    this._portEdited = draft.port !== DEFAULT_PORT[draft.security];
    this._touched = new Set();
    this._submitted = false;
    this._serverErrors = {};
  }

  private get _passwordStored(): boolean {
    return passwordStored(this._data, this._draft);
  }

  /** Client-side errors by field, in the language shown. */
  private get _clientErrors(): FieldErrors {
    const context = { blockedPorts: this._capabilities?.blockedPorts ?? [], passwordStored: this._passwordStored };
    return clientErrors(this._draft, context, this._t.errors);
  }

  /** The error shown for a field: the client's after touch or submit, else the server's. */
  private _errorFor(name: FieldName): string | undefined {
    const client = this._touched.has(name) || this._submitted ? this._clientErrors[name] : undefined;
    return client ?? (this._serverErrorsLang === this._language.lang ? this._serverErrors[name] : undefined);
  }

  // ---- user actions ---------------------------------------------------------------------------

  private _onInput(event: Event): void {
    const control = event.target as HTMLInputElement | HTMLSelectElement;
    const name = control.name as FieldName;
    const value = control instanceof HTMLInputElement && control.type === 'checkbox' ? control.checked : control.value;
    if (name === 'port') this._portEdited = true;
    this._draft = withChange(this._draft, name, value, this._portEdited);
    if (this._serverErrors[name]) this._serverErrors = { ...this._serverErrors, [name]: undefined };
    // A test result is about the values it was sent with: once one changes, it says nothing more.
    const shown = this._testedWith ?? this._anywayFor;
    if (shown && this._draft[name] !== shown[name]) this._forgetTest();
  }

  /** The last test's result goes, and what the status said about it. */
  private _forgetTest(): void {
    this._testResult = null;
    this._testedWith = null;
    this._anywayFor = null;
    if (this._status === this._testStatus) this._status = null;
  }

  private _onBlur(event: FocusEvent): void {
    const name = (event.target as HTMLInputElement).name as FieldName;
    // Focus moving to one of our buttons: an error appearing now would shift the button away
    // before the click lands; Save and Test show all errors anyway.
    if ((event.relatedTarget as Element | null)?.localName === 'button') return;
    if (name && !this._touched.has(name)) this._touched = new Set(this._touched).add(name);
  }

  /** Validates before save or test; moves focus to the first invalid field. */
  private _validateForSubmit(): boolean {
    this._submitted = true;
    const errors = this._clientErrors;
    const first = FIELDS.find((f) => errors[f]);
    if (!first) return true;
    this._status = { tone: 'error', text: (t) => t.fixFields };
    this._focusAfterUpdate = `#${first}`;
    return false;
  }

  /** Save verifies the draft first and saves only when it passes; `anyway` skips the verify. */
  private async _onSubmit(event: Event | null, anyway = false): Promise<void> {
    event?.preventDefault();
    if (this._busy || !this._validateForSubmit()) return;
    await this._run('save', async () => {
      const input = toInput(this._draft, this._capabilities);
      if (!anyway && !(await this._verify(input))) return;
      const { body, etag } = await this._api.saveSettings(input, this._etag);
      this._anywayFor = null;
      this._apply(body, etag);
      this._status = { tone: 'success', text: (t) => t.savedDone };
      // The Save anyway button goes with the save: focus would fall to the page.
      if (anyway) this._focusAfterUpdate = '#status';
      this._emit(new MailServerSavedEvent(body));
      void this._help.checkDomain('');
    });
  }

  /**
   * Whether the draft passes the verify; a failure shows like a failed test, with Save anyway
   * offered. A cancelled one does not pass.
   */
  private async _verify(input: MailServerSettingsInput): Promise<boolean> {
    const verifiedWith = { ...this._draft };
    this._testResult = null;
    this._verifying = true;
    try {
      const answer = await this._runCheck<VerifyResult>('verify', input);
      if (!answer) return false;
      const { body, lang } = answer;
      if (body.ok) return true;
      this._testResult = body;
      this._testedWith = verifiedWith;
      this._testLang = lang;
      this._status = { tone: 'error', text: (t) => t.verifyFailed };
    } catch (error) {
      const failure = asRequestFailure(error);
      // A rate-limited verify says when to try again, and does not stand in the way of saving.
      if (!failure.retryAt) throw failure;
      this._fail('save', failure);
    } finally {
      this._verifying = false;
    }
    this._testStatus = this._status;
    this._anywayFor = verifiedWith;
    this._focusAfterUpdate = '#anyway';
    return false;
  }

  private async _onTest(): Promise<void> {
    if (this._busy || !this._validateForSubmit()) return;
    this._testResult = null;
    await this._run('test', async () => {
      const testedWith = { ...this._draft };
      const answer = await this._runCheck<TestResult>('test', toInput(this._draft, this._capabilities));
      if (!answer) return;
      const { body, lang } = answer;
      this._testResult = body;
      this._testedWith = testedWith;
      this._testLang = lang;
      // The failure's words and hint are in the result panel: said once, there.
      this._status = body.ok
        ? { tone: 'success', text: (t) => t.testOk(body.durationMs) }
        : { tone: 'error', text: (t) => t.testFailed };
      this._testStatus = this._status;
      this._emit(new MailServerTestedEvent(body));
      void this._help.checkDomain(testedWith.fromAddress, true);
      // A test of the saved settings is their last check now.
      if (!this.dirty) await this._refresh();
    });
    void this._deliveries.load();
  }

  /**
   * Runs a test or a verify with its stages shown as they happen (the check chunk is loaded first);
   * answers undefined when it was cancelled.
   */
  private async _runCheck<T extends TestResult | VerifyResult>(
    kind: 'test' | 'verify',
    input: MailServerSettingsInput,
  ): Promise<ApiAnswer<T> | undefined> {
    const check = (this._check ??= await this._loadCheck());
    const abort = new AbortController();
    const progress: Progress = { startedAt: Date.now(), stages: [] };
    this._abort = abort;
    this._progress = progress;
    try {
      return await this._api.check(kind, input, abort.signal, (body) =>
        check.readCheck<T>(body, progress, () => this.requestUpdate()),
      );
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      this._progress = null;
      // Cancel goes with the progress: focus returns to the button that started the check.
      if (this.shadowRoot?.activeElement?.id === 'cancel-check' || abort.signal.aborted)
        this._focusAfterUpdate = kind === 'test' ? '#test' : '.primary';
    }
    return undefined;
  }

  /** The check chunk, its styles added to the element's. */
  private async _loadCheck(): Promise<Check> {
    const check = await import('./check/check.ts').catch(() => {
      throw new RequestFailure((t) => t.checkUnavailable);
    });
    this.shadowRoot!.adoptedStyleSheets.push(check.checkStyles(LIT).styleSheet!);
    return check;
  }

  /** Aborts the running check and asks the API to end its session (a failure there changes nothing here). */
  private _onCancel(): void {
    const id = this._progress?.id;
    this._abort?.abort();
    if (id) this._api.cancelCheck(id).catch(() => {});
    const verifying = this._verifying;
    this._status = { tone: 'info', text: (t) => (verifying ? t.verifyCancelled : t.testCancelled) };
  }

  /** Trusts the certificate a test showed (the save pins it) and tests again with it. */
  private _onTrust(sha256: string): void {
    this._draft = { ...this._draft, trustedCertificateSha256: sha256 };
    void this._onTest();
  }

  /** The reload offered after a conflict or a failed load; its button goes away, so focus moves on. */
  private async _onReload(): Promise<void> {
    if (this._busy) return;
    await this.load();
    this._focusAfterUpdate = this._data ? '#host' : '.status button';
    this.requestUpdate();
  }

  private _onReset(): void {
    if (this._busy) return;
    this._confirmingReset = true;
    this._status = null;
    this._focusAfterUpdate = '#reset-cancel';
  }

  private _onResetCancel(): void {
    this._confirmingReset = false;
    this._focusAfterUpdate = '#reset';
  }

  private async _onResetConfirm(): Promise<void> {
    if (this._busy) return;
    await this._run('reset', async () => {
      const { body, etag } = await this._api.resetSettings(this._etag);
      this._apply(body, etag);
      this._confirmingReset = false;
      this._testResult = null;
      this._status = { tone: 'success', text: (t) => t.resetDone };
      // The form above shrinks: the confirmation would be out of sight, and the focus lost.
      this._focusAfterUpdate = '#status';
      this._emit(new MailServerResetEvent(body));
    });
  }

  // ---- rendering ------------------------------------------------------------------------------

  /** The test result and the settings tested, while shown: one written by the API in another language is gone (see _onLanguageChange). */
  private get _shownTestResult(): [TestResult, Draft] | null {
    const result = this._testResult;
    const settings = this._testedWith;
    return result && settings && this._testLang === this._language.lang ? [result, settings] : null;
  }

  private get _formView(): FormView {
    const caps = this._capabilities;
    const help = this._help;
    return {
      t: this._t,
      draft: this._draft,
      errorFor: (name) => this._errorFor(name),
      busy: this._busy !== null,
      verifying: this._verifying,
      lastCheck: this._lastCheck,
      offerAnyway: !!this._anywayFor,
      onAnyway: () => this._onSubmit(null, true),
      untrustedSupported: !!caps?.allowUntrustedCertificate,
      canTrustCertificate: canTrustCertificate(caps, this._draft),
      passwordStored: this._passwordStored,
      passwordSet: passwordSet(this._data),
      canReset: !!this._data?.configured && !this._confirmingReset,
      confirmingReset: this._confirmingReset,
      dirty: this.dirty,
      address: this._data ? startAddress(this._data) : '',
      found: help.found,
      onDiscover: () => help.discover(this.renderRoot.querySelector<HTMLInputElement>('#address')!.value),
      domain: this._domain(false),
      say: (words) => this._language.say(words),
      onCheckDomain: () => help.checkDomain(this._draft.fromAddress),
      onSubmit: (e) => this._onSubmit(e),
      onInput: (e) => this._onInput(e),
      onBlur: (e) => this._onBlur(e),
      onTest: () => this._onTest(),
      onReset: () => this._onReset(),
      onResetConfirm: () => this._onResetConfirm(),
      onResetCancel: () => this._onResetCancel(),
      ...this._oauth.formView(this._draft),
    };
  }

  /** The saved settings' last check as the form says it: when, and how it went. */
  private get _lastCheck(): string | null {
    const last = this._data?.lastCheck;
    if (!last) return null;
    const at = this._language.dateFormat().format(new Date(last.at));
    return last.ok
      ? this._t.lastCheckOk(at)
      : [this._t.lastCheckFailed(at), last.error?.message].filter(Boolean).join(': ');
  }

  /** The domain's verdict where it is shown (`forTest`: in the test result); one the API wrote in another language is gone. */
  private _domain(forTest: boolean): Lookup<DomainCheckResult> {
    const d = this._help.domain;
    return !!d.forTest === forTest && (!d.body || d.lang === this._language.lang) ? d : {};
  }

  private _renderStatus(): TemplateResult {
    const s = this._status;
    const text = s && this._language.say(s);
    return statusRegion(this._t, {
      text,
      tone: s?.tone,
      details: s?.lang === this._language.lang ? s?.details : undefined,
      reload: !!s?.reload || (!this._data && s?.tone === 'error'),
      busy: this._busy !== null,
      onReload: () => this._onReload(),
    });
  }

  /** The running check's progress, else the last result shown (both come with the check chunk). */
  private _renderCheck(actions: SignInActions): TemplateResult | typeof nothing {
    const check = this._check;
    const tested = this._shownTestResult;
    if (!check) return nothing;
    if (this._progress) return check.progressPanel(LIT, this._t, this._progress, () => this._onCancel());
    if (!tested) return nothing;
    const [result, settings] = tested;
    const auth = settings.authMethod;
    return check.testResultPanel(LIT, this._t, result, settings, {
      reconnectWith: !result.ok && needsSignIn(result.error) && isProvider(auth) ? auth : null,
      onSignIn: (provider) => actions.onSignIn(provider),
      onTrust: (sha256) => this._onTrust(sha256),
      warnings: warningList(this._t, result.warnings, actions.onSwitch),
      domain: domainVerdict(this._t, this._domain(true), (w) => this._language.say(w)),
    });
  }

  protected override render(): TemplateResult {
    const t = this._t;
    const log = this._deliveries;
    const error = log.error;
    // When the settings could not be loaded either, the status says why once.
    const deliveriesError = (this._data && error && this._language.say(error)) || null;
    const actions = this._oauth.actions(this._draft);
    const view = this._formView;
    return html`<div class="root" lang=${this._language.lang}>
      <h2 class="title">${t.title}</h2>
      ${deliveryBanner(t, log.problems, () => void log.acknowledge())}
      ${
        this._data
          ? html`${routeSummary(t, this._data)}
            ${warningList(t, savedWarnings(this._data.warnings, this._draft), actions.onSwitch)}
            ${discoverFields(view)}${settingsForm(view)}`
          : this._busy === 'load'
            ? html`<p class="loading">${t.loadingText}</p>`
            : nothing
      }
      ${this._renderStatus()}
      ${this._renderCheck(actions)}
      ${deliveriesList({
        t,
        list: log.deliveries,
        error: deliveriesError,
        date: this._language.dateFormat(),
        tab: log.tab,
        more: !!log.nextCursor,
        sendViaSystem: log.sendViaSystem,
        acting: log.acting,
        onReconnect: actions.onReconnect,
        onTab: (tab) => log.showTab(tab),
        onMore: () => void log.more(),
        onAction: (id, action) => void log.act(id, action),
      })}
    </div>`;
  }
}
