import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type {
  AuthMethod,
  Capabilities,
  DeliveriesResponse,
  DeliverySummary,
  MailServerResponse,
  Problem,
  Security,
  SmtpStage,
  TestResult,
} from '../../contract/index.ts';
import {
  MailServerErrorEvent,
  MailServerResetEvent,
  MailServerSavedEvent,
  MailServerTestedEvent,
  type MailServerAction,
} from '../events.ts';
import {
  canTrustCertificate,
  type Draft,
  DEFAULT_PORT,
  draftFrom,
  EMPTY_DRAFT,
  FIELDS,
  type FieldName,
  fieldForPath,
  passwordSet,
  passwordStored,
  toInput,
  withChange,
} from './draft.ts';
import styles from './mail-server-settings.styles.ts';
import de from './translations/de.ts';
import en, { type Messages } from './translations/en.ts';
import { clientErrors, type FieldErrors } from './validate.ts';

type Language = 'de' | 'en';

const DEFAULT_TOKEN_TIMEOUT = 15_000;
/** The longest delay a browser timer keeps; longer ones, Infinity included, fire at once. */
const MAX_TIMER_DELAY = 2_147_483_647;

/** Dates in the page's regional form of the widget's language (en-GB: 27/11/2026), else the language's. */
function dateFormat(locale: string, language: 'de' | 'en'): Intl.DateTimeFormat {
  const options = { dateStyle: 'short', timeStyle: 'short' } as const;
  try {
    if (locale.toLowerCase().startsWith(language)) return new Intl.DateTimeFormat(locale, options);
  } catch {
    // not a valid language tag
  }
  return new Intl.DateTimeFormat(language, options);
}

/** The `lang` of the element or its closest ancestor with one, looking past shadow roots to their hosts. */
function closestLang(element: Element): string {
  for (let node: Element | null = element; node; ) {
    const owner = node.closest('[lang]');
    if (owner) return owner.getAttribute('lang') ?? '';
    const root = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : null;
  }
  return '';
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
function retryAfterSeconds(header: string | null): number {
  const seconds = Number(header);
  if (header && Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
  const date = header ? Date.parse(header) : NaN;
  return Number.isNaN(date) ? 60 : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

/** The order in which an SMTP session passes its stages, for the chosen settings. */
function stagesFor(security: Security, auth: AuthMethod): SmtpStage[] {
  const stages: SmtpStage[] =
    security === 'tls' ? ['connect', 'tls', 'greeting', 'ehlo'] : ['connect', 'greeting', 'ehlo'];
  if (security === 'starttls') stages.push('tls');
  if (auth !== 'none') stages.push('auth');
  return [...stages, 'mail', 'rcpt', 'data'];
}

/**
 * Something to say. The element's own words are kept as a function of the message table, so they
 * follow a language change; the API's words are kept with the language they were asked for in and
 * shown only while the element speaks it (see _onLanguageChange).
 */
interface Words {
  text?: ((t: Messages) => string) | undefined;
  api?: string | undefined;
  lang?: Language | undefined;
}

function busyText(t: Messages, action: MailServerAction): string {
  return action === 'save' ? t.saving : action === 'test' ? t.testing : action === 'reset' ? t.resetting : t.loading;
}

/** A failed request, with what the element shows and reports for it. */
class RequestFailure implements Words {
  constructor(
    readonly text?: (t: Messages) => string,
    readonly status: number | null = null,
    readonly problem: Problem | null = null,
    readonly lang?: Language,
    readonly api?: string,
  ) {}
}

interface StatusMessage extends Words {
  tone: 'success' | 'error' | 'info';
  /** Field errors the API reported for paths the form has no field for (API words, in `lang`). */
  details?: string[];
  /** Offer to reload the settings (after a 412). */
  reload?: boolean;
}

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
 *
 * @csspart form - The `<form>` element.
 * @csspart field - The wrapper of one field (label, control, hint, error).
 * @csspart label - A field's label.
 * @csspart input - A text input, select or checkbox.
 * @csspart hint - A field's hint text.
 * @csspart error - A field's error message.
 * @csspart button - Every button.
 * @csspart status - The live region with the result of loading, saving, testing and resetting.
 * @csspart warning - Warnings (no encryption, fallback deliveries).
 * @csspart test-result - The test's stages, server reply, hint and transcript.
 * @csspart deliveries - The list of recent mails.
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
  static override styles = styles;

  static override properties: PropertyDeclarations = {
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
    _deliveries: { state: true },
    _deliveriesError: { state: true },
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
  private _serverErrors: Partial<Record<FieldName, string>> = {};
  /** The language the API wrote `_serverErrors` in. */
  private _serverErrorsLang?: Language;
  private _busy: MailServerAction | null = null;
  private _status: StatusMessage | null = null;
  private _testResult: TestResult | null = null;
  private _testedWith: Draft | null = null;
  /** The language the API wrote the test result's texts in. */
  private _testLang?: Language;
  private _confirmingReset = false;
  private _deliveries: DeliverySummary[] | null = null;
  private _deliveriesError: Words | null = null;
  private _deliveriesTimer: ReturnType<typeof setTimeout> | undefined;
  private _deliveriesPolls = 0;
  /** Counts deliveries requests: only the latest one's answer is shown. */
  private _deliveriesRequests = 0;

  private _etag: string | null = null;
  private _pendingToken: Promise<string> | null = null;
  private _langObserver: MutationObserver | null = null;
  private _focusAfterUpdate: string | null = null;
  /** The language of the last render (see willUpdate). */
  private _lang?: Language;

  /** True while the form holds changes that are not saved. */
  get dirty(): boolean {
    return JSON.stringify(this._draft) !== JSON.stringify(this._baseline);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Follow `lang` changes on the element and on any ancestor, in every shadow root around it up to
    // the document (the language is picked in willUpdate()); moved, it may have another one already.
    this._langObserver = new MutationObserver(() => this.requestUpdate());
    for (let root = this.getRootNode(); ; root = (root as ShadowRoot).host.getRootNode()) {
      this._langObserver.observe(root, { subtree: true, attributeFilter: ['lang'] });
      if (!(root instanceof ShadowRoot)) break;
    }
    this.requestUpdate();
    this._schedulePoll(); // moved in the page: go on looking at mails on their way
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._langObserver?.disconnect();
    clearTimeout(this._deliveriesTimer);
  }

  protected override willUpdate(): void {
    const lang = this._language;
    if (lang !== this._lang) {
      const changed = !!this._lang;
      this._lang = lang;
      if (changed) this._onLanguageChange();
    }
    // The test result goes (a language change, a new test, a reset): focus in it would fall to the page.
    const focusInResult = this.shadowRoot?.activeElement?.closest('.test-result');
    if (focusInResult && !this._shownTestResult) this._focusAfterUpdate = '#test';
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
    else void this._loadDeliveries();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const credentialsArrived = (changed.has('token') || changed.has('getToken')) && !this._data && !this._busy;
    if ((changed.has('apiBase') || credentialsArrived) && (this.token || this.getToken)) void this.load();
    if (this._focusAfterUpdate) {
      this.renderRoot.querySelector<HTMLElement>(this._focusAfterUpdate)?.focus();
      this._focusAfterUpdate = null;
    }
  }

  /** Loads the settings (and recent mails) from the API again, discarding unsaved changes. */
  async load(): Promise<void> {
    this._pendingToken = null;
    await Promise.all([
      this._run('load', async () => {
        const { body, etag } = await this._request<MailServerResponse>('GET', '/v1/mail-server');
        this._apply(body, etag);
      }),
      this._loadDeliveries(),
    ]);
  }

  /** The page's language tag here (e.g. en-GB, for dates). */
  private get _locale(): string {
    return closestLang(this) || document.documentElement.lang || 'de';
  }

  private get _language(): Language {
    return this._locale.toLowerCase().startsWith('de') ? 'de' : 'en';
  }

  private get _t(): Messages {
    return (this._lang ?? this._language) === 'de' ? de : en;
  }

  /**
   * The words as shown now: the element's own, and the API's if they are in the language shown, or
   * in another one when they are all there is to say (a failure must not go silent on a switch).
   */
  private _say({ text, api, lang }: Words): string {
    return [text?.(this._t), (!text || lang === this._lang) && api].filter(Boolean).join(' ');
  }

  private get _capabilities(): Capabilities | null {
    return this._data?.capabilities ?? null;
  }

  // ---- network --------------------------------------------------------------------------------

  /** `tokenTimeout` as a timer delay: 0, NaN or a delay too large for a timer would fire at once. */
  private get _tokenTimeout(): number {
    const ms = Number(this.tokenTimeout);
    return ms > 0 ? Math.min(ms, MAX_TIMER_DELAY) : DEFAULT_TOKEN_TIMEOUT;
  }

  private _tokenFor(stale: Promise<string> | null): Promise<string> | null {
    if (!this.getToken) return this.token ? Promise.resolve(this.token) : null;
    if (!this._pendingToken || this._pendingToken === stale) {
      const getToken = this.getToken;
      this._pendingToken = new Promise((resolve, reject) => {
        // A callback that never settles must not leave "Loading settings…" forever: no token, then.
        setTimeout(reject, this._tokenTimeout);
        Promise.resolve()
          .then(() => getToken())
          .then(resolve, reject);
      });
    }
    return this._pendingToken;
  }

  /** One API call with the token (asked for again once after a 401); throws RequestFailure. */
  private async _request<T>(
    method: string,
    path: string,
    body?: unknown,
    ifMatch?: string | null,
  ): Promise<{ status: number; body: T; etag: string | null; lang: Language }> {
    let tokenPromise = this._tokenFor(null);
    for (let attempt = 0; ; attempt++) {
      let token: string;
      try {
        if (!tokenPromise) throw new Error('no token');
        token = await tokenPromise;
      } catch {
        this._pendingToken = null;
        throw new RequestFailure((t) => t.tokenError);
      }
      // The language at sending time (a switch may come while the token is on its way).
      const lang = this._language;
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'accept-language': lang,
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (ifMatch) headers['if-match'] = ifMatch;
      let res: Response;
      try {
        res = await fetch(`${this.apiBase.replace(/\/+$/, '')}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new RequestFailure((t) => t.networkError);
      }
      if (res.status === 401 && attempt === 0 && this.getToken) {
        tokenPromise = this._tokenFor(tokenPromise);
        continue;
      }
      const json = (res.headers.get('content-type') ?? '').includes('json') ? await res.json().catch(() => null) : null;
      if (res.ok) return { status: res.status, body: json as T, etag: res.headers.get('etag'), lang };
      const { status } = res;
      const problem = json && typeof json === 'object' ? (json as Problem) : null;
      const seconds = retryAfterSeconds(res.headers.get('retry-after'));
      const api = status === 429 ? undefined : problem?.detail || problem?.title;
      throw new RequestFailure(
        status === 429 ? (t) => t.rateLimited(seconds) : api ? undefined : (t) => t.httpError(status),
        status,
        problem,
        lang,
        api,
      );
    }
  }

  /** Runs one user action: marks it busy, shows and reports any failure. */
  private async _run(action: MailServerAction, work: () => Promise<void>): Promise<void> {
    if (action !== 'deliveries') {
      this._busy = action;
      this._status = action === 'load' ? null : { tone: 'info', text: (t) => busyText(t, action) };
    }
    try {
      await work();
    } catch (error) {
      this._fail(action, error instanceof RequestFailure ? error : new RequestFailure(() => String(error)));
    } finally {
      if (this._busy === action) this._busy = null;
    }
  }

  private _fail(action: MailServerAction, failure: RequestFailure): void {
    const { status, problem, lang } = failure;
    this._emit(
      new MailServerErrorEvent({ action, status, problem, message: failure.text?.(this._t) ?? failure.api ?? '' }),
    );
    if (action === 'deliveries') {
      this._deliveriesError = failure;
      return;
    }
    const fieldErrors: Partial<Record<FieldName, string>> = {};
    const details: string[] = [];
    for (const { path, message: text } of problem?.errors ?? []) {
      const field = fieldForPath(path);
      if (field && !fieldErrors[field]) fieldErrors[field] = text;
      else if (!field) details.push(`${path}: ${text}`);
    }
    this._serverErrors = fieldErrors;
    this._serverErrorsLang = lang;
    this._status = { tone: 'error', text: failure.text, api: failure.api, lang, details, reload: status === 412 };
    const first = FIELDS.find((f) => fieldErrors[f]);
    if (first) this._focusAfterUpdate = `#${first}`;
  }

  /** Dispatches one of the typed events (declared in the class JSDoc). */
  private _emit(event: Event): void {
    this.dispatchEvent(event);
  }

  // ---- state ----------------------------------------------------------------------------------

  private _apply(response: MailServerResponse, etag: string | null): void {
    const draft = draftFrom(response);
    this._data = response;
    this._etag = etag ?? (response.configured ? `"${response.version}"` : null);
    this._draft = draft;
    this._baseline = { ...draft };
    this._portEdited = draft.port !== DEFAULT_PORT[draft.security];
    this._touched = new Set();
    this._submitted = false;
    this._serverErrors = {};
  }

  /** Loads the newest five rows. `poll`: a look again at mails on their way; any other load starts a new minute of those. */
  private async _loadDeliveries(poll = false): Promise<void> {
    if (!poll) this._deliveriesPolls = 0;
    const request = ++this._deliveriesRequests;
    this._deliveriesError = null;
    await this._run('deliveries', async () => {
      try {
        const { body } = await this._request<DeliveriesResponse>('GET', '/v1/deliveries?limit=5');
        if (request !== this._deliveriesRequests) return; // a later request (poll, language) answers instead
        this._deliveries = body.deliveries;
      } catch (error) {
        if (request !== this._deliveriesRequests) return;
        // An API without the deliveries endpoint: hide the list instead of showing an error.
        if (error instanceof RequestFailure && error.status === 404) this._deliveries = null;
        else throw error;
      }
    });
    this._schedulePoll(); // also after a failed look: the rows shown are still on their way
  }

  /** Mails on their way (a test's outcome is written just after its answer) are looked at again every 2 s, for a minute at most. */
  private _schedulePoll(): void {
    clearTimeout(this._deliveriesTimer);
    const inFlight = this._deliveries?.some((d) => d.status === 'queued' || d.status === 'sending');
    if (inFlight && this.isConnected && this._deliveriesPolls < 30) {
      this._deliveriesPolls++;
      this._deliveriesTimer = setTimeout(() => void this._loadDeliveries(true), 2000);
    }
  }

  private get _passwordSet(): boolean {
    return passwordSet(this._data);
  }

  private get _passwordStored(): boolean {
    return passwordStored(this._data, this._draft);
  }

  /** Client-side errors by field, in the language shown. */
  private get _clientErrors(): FieldErrors {
    const context = { blockedPorts: this._capabilities?.blockedPorts ?? [], passwordStored: this._passwordStored };
    return clientErrors(this._draft, context, this._t.errors);
  }

  private get _canTrustCertificate(): boolean {
    return canTrustCertificate(this._capabilities, this._draft);
  }

  // ---- user actions ---------------------------------------------------------------------------

  private _onInput(event: Event): void {
    const control = event.target as HTMLInputElement | HTMLSelectElement;
    const name = control.name as FieldName;
    const value = control instanceof HTMLInputElement && control.type === 'checkbox' ? control.checked : control.value;
    if (name === 'port') this._portEdited = true;
    this._draft = withChange(this._draft, name, value, this._portEdited);
    if (this._serverErrors[name]) this._serverErrors = { ...this._serverErrors, [name]: undefined };
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

  private async _onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this._busy || !this._validateForSubmit()) return;
    await this._run('save', async () => {
      const { body, etag } = await this._request<MailServerResponse>(
        'PUT',
        '/v1/mail-server',
        toInput(this._draft, this._capabilities),
        this._etag,
      );
      this._apply(body, etag);
      this._status = { tone: 'success', text: (t) => t.saved };
      this._emit(new MailServerSavedEvent(body));
    });
  }

  private async _onTest(): Promise<void> {
    if (this._busy || !this._validateForSubmit()) return;
    this._testResult = null;
    await this._run('test', async () => {
      const testedWith = { ...this._draft };
      const { body, lang } = await this._request<TestResult>(
        'POST',
        '/v1/mail-server/test',
        toInput(this._draft, this._capabilities),
      );
      this._testResult = body;
      this._testedWith = testedWith;
      this._testLang = lang;
      this._status = body.ok
        ? { tone: 'success', text: (t) => t.testOk(body.durationMs) }
        : { tone: 'error', text: (t) => t.testFailed, api: body.error.message, lang };
      this._emit(new MailServerTestedEvent(body));
    });
    void this._loadDeliveries();
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
      const result = await this._request<MailServerResponse | null>('DELETE', '/v1/mail-server', undefined, this._etag);
      const state = result.body?.capabilities
        ? result
        : await this._request<MailServerResponse>('GET', '/v1/mail-server');
      this._apply(state.body!, state.etag);
      this._confirmingReset = false;
      this._testResult = null;
      this._status = { tone: 'success', text: (t) => t.resetDone };
      this._focusAfterUpdate = '#host';
      this._emit(new MailServerResetEvent(state.body!));
    });
  }

  // ---- rendering ------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const t = this._t;
    return html`<div class="root" lang=${this._lang!}>
      <h2 class="title">${t.title}</h2>
      ${this._data ? this._renderRoute(this._data) : nothing}
      ${this._data ? this._renderForm() : this._busy === 'load' ? html`<p class="loading">${t.loading}</p>` : nothing}
      ${this._renderStatus()} ${this._renderTestResult()} ${this._renderDeliveries()}
    </div>`;
  }

  private _renderRoute(data: MailServerResponse): TemplateResult {
    const t = this._t;
    const { effective } = data;
    const host = data.settings?.host ?? '';
    return html`<div class="route" data-route=${effective.route}>
      <p>${effective.route === 'tenant' ? t.routeTenant(host) : t.routeSystem}</p>
      <dl>
        <dt>${t.sender}</dt>
        <dd>${effective.from.name} &lt;${effective.from.address}&gt;</dd>
        <dt>${t.repliesTo}</dt>
        <dd>${effective.replyTo}</dd>
      </dl>
    </div>`;
  }

  private _renderForm(): TemplateResult {
    const t = this._t;
    const d = this._draft;
    const busy = this._busy !== null;
    const caps = this._capabilities;
    const untrustedHint = !caps?.allowUntrustedCertificate
      ? t.allowUntrustedUnsupported
      : d.security === 'none'
        ? t.allowUntrustedNeedsTls
        : t.allowUntrustedHint;
    return html`<form part="form" novalidate @submit=${this._onSubmit} @input=${this._onInput} @focusout=${this._onBlur}>
      <fieldset>
        <legend>${t.sectionServer}</legend>
        ${this._textField('host', t.host, t.hostHint, { required: true })}
        <div class="row">
          ${this._field('security', t.security, t.securityHint, (a) =>
            this._select('security', a, [
              ['tls', 'SSL/TLS'],
              ['starttls', 'STARTTLS'],
              ['none', t.none],
            ]),
          )}
          ${this._textField('port', t.port, t.portHint, { inputmode: 'numeric', required: true })}
        </div>
        ${
          d.security === 'none'
            ? html`<p class="warning" part="warning" id="security-warning">${t.securityNoneWarning(d.authMethod === 'plain' || d.authMethod === 'login')}</p>`
            : nothing
        }
        ${this._checkbox('allowUntrustedCertificate', t.allowUntrusted, untrustedHint, !this._canTrustCertificate)}
      </fieldset>
      <fieldset>
        <legend>${t.sectionAuth}</legend>
        ${this._field('authMethod', t.authMethod, t.authHint, (a) =>
          this._select('authMethod', a, [
            ['none', t.none],
            ['plain', 'PLAIN'],
            ['login', 'LOGIN'],
            ['cram-md5', 'CRAM-MD5'],
          ]),
        )}
        ${
          d.authMethod === 'none'
            ? nothing
            : html`${this._textField('username', t.username, null, { required: true })}
            ${this._textField(
              'password',
              t.password,
              this._passwordStored ? t.passwordStored : this._passwordSet ? t.passwordNewServer : t.passwordHint,
              { type: 'password', autocomplete: 'new-password', required: !this._passwordStored },
            )}`
        }
      </fieldset>
      <fieldset>
        <legend>${t.sectionSender}</legend>
        ${this._textField('fromAddress', t.fromAddress, t.fromAddressHint, { type: 'email', optional: true })}
        ${this._textField('fromName', t.fromName, t.fromNameHint, { optional: true })}
        ${this._textField('replyTo', t.replyTo, t.replyToHint, { type: 'email', optional: true })}
      </fieldset>
      ${this._checkbox('fallbackToSystem', t.fallback, t.fallbackHint, false)}
      <div class="actions">
        <button part="button button-primary" class="primary" type="submit" aria-disabled=${busy}>${t.save}</button>
        <button part="button" id="test" type="button" aria-disabled=${busy} aria-describedby="test-hint" @click=${this._onTest}>
          ${t.test}
        </button>
        ${
          this._data?.configured && !this._confirmingReset
            ? html`<button part="button" id="reset" type="button" aria-disabled=${busy} @click=${this._onReset}>
              ${t.reset}
            </button>`
            : nothing
        }
        ${this.dirty ? html`<span class="dirty" part="dirty">${t.unsaved}</span>` : nothing}
      </div>
      <p class="hint" part="hint" id="test-hint">${t.testHint}</p>
      ${
        this._confirmingReset
          ? html`<div class="confirm" role="group" aria-labelledby="reset-question" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this._onResetCancel()}>
            <p id="reset-question">${t.resetQuestion}</p>
            <button part="button button-danger" class="danger" type="button" aria-disabled=${busy} @click=${this._onResetConfirm}>
              ${t.resetConfirm}
            </button>
            <button part="button" id="reset-cancel" type="button" @click=${this._onResetCancel}>${t.cancel}</button>
          </div>`
          : nothing
      }
    </form>`;
  }

  /** The error shown for a field: the client's after touch or submit, else the server's. */
  private _errorFor(name: FieldName): string | undefined {
    const client = this._touched.has(name) || this._submitted ? this._clientErrors[name] : undefined;
    return client ?? (this._serverErrorsLang === this._lang ? this._serverErrors[name] : undefined);
  }

  private _describedBy(name: FieldName, hint: boolean): { describedBy: string; invalid: boolean } {
    const invalid = !!this._errorFor(name);
    const ids = [
      hint ? `${name}-hint` : '',
      invalid ? `${name}-error` : '',
      name === 'security' && this._draft.security === 'none' ? 'security-warning' : '',
    ];
    return { describedBy: ids.filter(Boolean).join(' '), invalid };
  }

  private _field(
    name: FieldName,
    label: string,
    hint: string | null,
    control: (a: { describedBy: string; invalid: boolean }) => TemplateResult,
    optional = false,
  ): TemplateResult {
    const error = this._errorFor(name);
    return html`<div part="field" class="field">
      <label part="label" for=${name}>
        ${label}${optional ? html` <span class="optional">(${this._t.optional})</span>` : nothing}
      </label>
      ${control(this._describedBy(name, !!hint))}
      ${hint ? html`<p part="hint" class="hint" id="${name}-hint">${hint}</p>` : nothing}
      ${error ? html`<p part="error" class="error" id="${name}-error">${error}</p>` : nothing}
    </div>`;
  }

  /** A field with a text input (autocomplete off unless given). */
  private _textField(
    name: FieldName,
    label: string,
    hint: string | null,
    options: { type?: string; autocomplete?: string; inputmode?: string; required?: boolean; optional?: boolean },
  ): TemplateResult {
    return this._field(name, label, hint, (a) => this._textInput(name, a, options), options.optional);
  }

  private _textInput(
    name: FieldName,
    a: { describedBy: string; invalid: boolean },
    options: { type?: string; autocomplete?: string; inputmode?: string; required?: boolean },
  ): TemplateResult {
    return html`<input
      part="input"
      id=${name}
      name=${name}
      type=${options.type ?? 'text'}
      .value=${this._draft[name] as string}
      autocomplete=${options.autocomplete ?? 'off'}
      inputmode=${options.inputmode ?? nothing}
      spellcheck="false"
      ?required=${options.required}
      aria-describedby=${a.describedBy || nothing}
      aria-invalid=${a.invalid ? 'true' : nothing}
    />`;
  }

  private _select(
    name: 'security' | 'authMethod',
    a: { describedBy: string; invalid: boolean },
    options: [string, string][],
  ): TemplateResult {
    return html`<select
      part="input"
      id=${name}
      name=${name}
      aria-describedby=${a.describedBy || nothing}
      aria-invalid=${a.invalid ? 'true' : nothing}
    >
      ${options.map(([value, text]) => html`<option value=${value} ?selected=${this._draft[name] === value}>${text}</option>`)}
    </select>`;
  }

  private _checkbox(
    name: 'allowUntrustedCertificate' | 'fallbackToSystem',
    label: string,
    hint: string,
    disabled: boolean,
  ): TemplateResult {
    const error = this._errorFor(name);
    const { describedBy, invalid } = this._describedBy(name, true);
    return html`<div part="field" class="field check">
      <input
        part="input"
        type="checkbox"
        id=${name}
        name=${name}
        .checked=${this._draft[name] && !disabled}
        ?disabled=${disabled}
        aria-describedby=${describedBy}
        aria-invalid=${invalid ? 'true' : nothing}
      />
      <label part="label" for=${name}>${label}</label>
      <p part="hint" class="hint" id="${name}-hint">${hint}</p>
      ${error ? html`<p part="error" class="error" id="${name}-error">${error}</p>` : nothing}
    </div>`;
  }

  private _renderStatus(): TemplateResult {
    const s = this._status;
    const text = s && this._say(s);
    const details = s?.lang === this._lang ? s?.details : null;
    return html`<div part="status" class="status" role="status" data-tone=${(text && s?.tone) || nothing}>
      ${text ? html`<p>${text}</p>` : nothing}
      ${details?.length ? html`<ul>${details.map((d) => html`<li>${d}</li>`)}</ul>` : nothing}
      ${
        s?.reload || (!this._data && s?.tone === 'error')
          ? html`<button part="button" type="button" aria-disabled=${this._busy !== null} @click=${this._onReload}>
            ${this._t.reload}
          </button>`
          : nothing
      }
    </div>`;
  }

  /** The test result and the settings tested, while shown: one written by the API in another language is gone (see _onLanguageChange). */
  private get _shownTestResult(): [TestResult, Draft] | null {
    const result = this._testResult;
    const settings = this._testedWith;
    return result && settings && this._testLang === this._lang ? [result, settings] : null;
  }

  private _renderTestResult(): TemplateResult | typeof nothing {
    if (!this._shownTestResult) return nothing;
    const [result, settings] = this._shownTestResult;
    const t = this._t;
    const stages = stagesFor(settings.security, settings.authMethod);
    const failedStage = result.ok ? null : result.error.stage;
    // The stages passed and the one that failed (last, also when the API names an unexpected one).
    const failedAt = failedStage ? stages.indexOf(failedStage) : -1;
    const shown = !failedStage ? stages : failedAt < 0 ? [...stages, failedStage] : stages.slice(0, failedAt + 1);
    const error = result.ok ? null : result.error;
    // Nodemailer's replies mostly start with their code already.
    const reply = result.ok
      ? result.response
      : error?.response?.startsWith(`${error.responseCode}`)
        ? error.response
        : [error?.responseCode, error?.response].filter(Boolean).join(' ');
    return html`<section part="test-result" class="test-result" data-ok=${result.ok} aria-label=${t.stagesLabel}>
      <ol class="stages">
        ${shown.map((stage) => {
          const failed = stage === failedStage;
          return html`<li data-stage=${stage} data-state=${failed ? 'failed' : 'ok'}>
            <span class="mark" aria-hidden="true">${failed ? '✗' : '✓'}</span> ${t.stages[stage]}
            <span class="vh">${failed ? t.stageFailed : t.stageOk}</span>
          </li>`;
        })}
      </ol>
      <dl>
        ${error ? html`<dt class="vh">${t.testFailed}</dt><dd class="message">${error.message}</dd>` : nothing}
        ${reply ? html`<dt>${t.serverReply}</dt><dd><code class="reply">${reply}</code></dd>` : nothing}
        ${error?.hint ? html`<dt>${t.whatToDo}</dt><dd class="hint-text">${error.hint}</dd>` : nothing}
      </dl>
      ${
        result.warnings.length
          ? html`<ul class="warning" part="warning">${result.warnings.map((w) => html`<li>${w.message}</li>`)}</ul>`
          : nothing
      }
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

  private _renderDeliveries(): TemplateResult | typeof nothing {
    const t = this._t;
    const list = this._deliveries;
    // When the settings could not be loaded either, the status says why once.
    const error = this._data && this._deliveriesError && this._say(this._deliveriesError);
    if (!list && !error) return nothing;
    const date = dateFormat(this._locale, this._language);
    return html`<section part="deliveries" class="deliveries" aria-labelledby="deliveries-title">
      <h3 id="deliveries-title">${t.deliveries}</h3>
      ${error ? html`<p class="error" part="error">${error}</p>` : nothing}
      ${list?.some((d) => d.route === 'system-fallback' && d.status === 'sent') ? html`<p class="warning" part="warning">${t.fallbackWarning}</p>` : nothing}
      ${
        !list
          ? nothing
          : list.length
            ? html`<ul>
              ${list.map((d) => {
                const problem = d.error ?? d.fallbackReason;
                return html`<li data-status=${d.status} data-route=${d.route ?? nothing}>
                  <span class="when">${date.format(new Date(d.createdAt))}</span>
                  <span class="what">${t.deliveryKind[d.kind] ?? d.kind}: ${d.subject}</span>
                  <span class="badge" data-status=${d.status}>${t.deliveryStatus[d.status] ?? d.status}</span>
                  ${d.route ? html`<span class="via">${t.via} ${t.deliveryRoute[d.route]}</span>` : nothing}
                  ${problem ? html`<span class="why">${d.error ? '' : `${t.yourServer}: `}${problem.message}</span>` : nothing}
                </li>`;
              })}
            </ul>`
            : error
              ? nothing
              : html`<p class="hint">${t.deliveriesEmpty}</p>`
      }

    </section>`;
  }
}
