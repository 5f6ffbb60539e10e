// The element's calls to the mail-server API: the bearer token (asked for once, again after a 401,
// given up after tokenTimeout), the request language, and failures as RequestFailure.
import type {
  DeliveriesResponse,
  DeliveryProblems,
  DiscoverResult,
  DomainCheckResult,
  MailServerResponse,
  MailServerSettingsInput,
  OAuthCompleteRequest,
  OAuthConnection,
  OAuthProvider,
  OAuthStartRequest,
  OAuthStartResponse,
  Problem,
  TestResult,
  VerifyResult,
} from '../../contract/index.ts';
import type { DeliveriesApi } from './controllers/deliveries-poller.ts';
import type { Language, Words } from './controllers/language.ts';
import type { Messages } from './translations/en.ts';

export const DEFAULT_TOKEN_TIMEOUT = 15_000;
/** The longest delay a browser timer keeps; longer ones, Infinity included, fire at once. */
const MAX_TIMER_DELAY = 2_147_483_647;

/** A failed request, with what the element shows and reports for it. */
export class RequestFailure implements Words {
  constructor(
    readonly text?: (t: Messages) => string,
    readonly status: number | null = null,
    readonly problem: Problem | null = null,
    readonly lang?: Language,
    readonly api?: string,
    /** When a rate-limited request may be tried again (epoch ms): the text counts down to it. */
    readonly retryAt?: number,
  ) {}
}

/** Any error as a RequestFailure (one that is not says what it is). */
export function asRequestFailure(error: unknown): RequestFailure {
  return error instanceof RequestFailure ? error : new RequestFailure(() => String(error));
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
function retryAfterSeconds(header: string | null): number {
  const seconds = Number(header);
  if (header && Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
  const date = header ? Date.parse(header) : NaN;
  return Number.isNaN(date) ? 60 : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

/** Whole seconds from now until `at` (epoch ms), 0 once it has passed. */
export function secondsUntil(at: number): number {
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The failure an unsuccessful answer means: the API's words if it gave any; a 429 says when to try again. */
function failureOf(res: Response, json: unknown, lang: Language): RequestFailure {
  const { status } = res;
  const problem = json && typeof json === 'object' ? (json as Problem) : null;
  const retryAt = status === 429 ? Date.now() + retryAfterSeconds(res.headers.get('retry-after')) * 1000 : undefined;
  const api = retryAt ? undefined : problem?.detail || problem?.title;
  return new RequestFailure(
    retryAt ? (t) => t.rateLimited(secondsUntil(retryAt)) : api ? undefined : (t) => t.httpError(status),
    status,
    problem,
    lang,
    api,
    retryAt,
  );
}

/** Where the client finds the API and its token: the element's public properties. */
export interface ApiClientHost {
  apiBase: string;
  token: string | null;
  getToken: (() => Promise<string>) | null;
  tokenTimeout: number;
}

/** How a streamed answer is read, and the signal that aborts it. */
interface Stream<T> {
  signal: AbortSignal;
  read(body: ReadableStream<Uint8Array>): Promise<T>;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  etag: string | null;
  /** The language the request asked for. */
  lang: Language;
}

export class ApiClient {
  private _pendingToken: Promise<string> | null = null;

  constructor(
    private readonly _host: ApiClientHost,
    /** The language to ask for, read when a request goes out. */
    private readonly _language: () => Language,
  ) {}

  /** Asks getToken again at the next request. */
  forgetToken(): void {
    this._pendingToken = null;
  }

  getSettings(): Promise<ApiAnswer<MailServerResponse>> {
    return this._request('GET', '/v1/mail-server');
  }

  /** `etag`: the version the changes are based on (a newer one answers 412). */
  saveSettings(input: MailServerSettingsInput, etag: string | null): Promise<ApiAnswer<MailServerResponse>> {
    return this._request('PUT', '/v1/mail-server', input, etag);
  }

  /** Discards the settings (the API answers 204) and answers the new state. */
  async resetSettings(etag: string | null): Promise<ApiAnswer<MailServerResponse>> {
    await this._request('DELETE', '/v1/mail-server', undefined, etag);
    return this.getSettings();
  }

  /**
   * A test (sends a mail) or a verify (stops before sending) of the draft, saving nothing. It asks
   * for the stages as they happen: `read` takes a streamed answer's body and answers its result (a
   * plain JSON answer is the result). `signal` aborts it.
   */
  check<T extends TestResult | VerifyResult>(
    kind: 'test' | 'verify',
    input: MailServerSettingsInput,
    signal: AbortSignal,
    read: (body: ReadableStream<Uint8Array>) => Promise<T>,
  ): Promise<ApiAnswer<T>> {
    return this._request('POST', `/v1/mail-server/${kind}`, input, null, { signal, read });
  }

  /** Asks the API to end a check's SMTP session at once (the aborted request alone may go unnoticed for a while). */
  async cancelCheck(id: string): Promise<void> {
    await this._request('POST', `/v1/mail-server/checks/${encodeURIComponent(id)}/cancel`);
  }

  /** The provider's sign-in page to send the browser to, and the binding that completes the sign-in. */
  async startOAuth(request: OAuthStartRequest): Promise<OAuthStartResponse> {
    return (await this._request<OAuthStartResponse>('POST', '/v1/mail-server/oauth/start', request)).body;
  }

  /** Stores the grant the callback holds: only the page that started the sign-in has its binding. */
  async completeOAuth(request: OAuthCompleteRequest): Promise<OAuthConnection> {
    return (await this._request<OAuthConnection>('POST', '/v1/mail-server/oauth/complete', request)).body;
  }

  /** Deletes the provider's grant (the API revokes it where the provider can). */
  async disconnectOAuth(provider: OAuthProvider): Promise<void> {
    await this._request('DELETE', `/v1/mail-server/oauth/${provider}`);
  }

  /** The API's origin: the only one whose messages about a sign-in count. */
  get origin(): string {
    return new URL(this._host.apiBase || '/', location.href).origin;
  }

  /** Outgoing servers found for an address, best first. */
  discover(address: string): Promise<ApiAnswer<DiscoverResult>> {
    return this._request('GET', `/v1/mail-server/discover?address=${encodeURIComponent(address)}`);
  }

  /** Whether mail from the address's domain (empty: the saved sender's) passes SPF and DMARC on its route. */
  checkDomain(address: string): Promise<ApiAnswer<DomainCheckResult>> {
    return this._request('GET', `/v1/mail-server/domain-check${address && `?address=${encodeURIComponent(address)}`}`);
  }

  /** The delivery log (#19): a page of mails, an action on one, the problems and their acknowledgement. */
  readonly deliveries: DeliveriesApi = {
    list: async (query) => (await this._request<DeliveriesResponse>('GET', `/v1/deliveries?${query}`)).body,
    act: (id, action) => this._request('POST', `/v1/deliveries/${encodeURIComponent(id)}/${action}`),
    problems: async () =>
      (await this._request<DeliveryProblems | null>('GET', '/v1/deliveries/problems')).body?.problems ?? [],
    acknowledge: (ids) => this._request('POST', '/v1/deliveries/problems/acknowledge', { ids }),
  };

  /** One API call with the token (asked for again once after a 401); throws RequestFailure. */
  private async _request<T>(
    method: string,
    path: string,
    body?: unknown,
    ifMatch?: string | null,
    stream?: Stream<T>,
  ): Promise<ApiAnswer<T>> {
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
      const lang = this._language();
      const res = await this._fetch(method, path, token, lang, body, ifMatch, stream?.signal);
      if (res.status === 401 && attempt === 0 && this._host.getToken) {
        tokenPromise = this._tokenFor(tokenPromise);
        continue;
      }
      const type = res.headers.get('content-type') ?? '';
      if (res.ok && stream && res.body && type.startsWith('text/event-stream')) {
        const result = await stream.read(res.body).catch(() => {
          throw new RequestFailure((t) => t.networkError);
        });
        return { status: res.status, body: result, etag: null, lang };
      }
      const json = type.includes('json') ? await res.json().catch(() => null) : null;
      if (res.ok) return { status: res.status, body: json as T, etag: res.headers.get('etag'), lang };
      throw failureOf(res, json, lang);
    }
  }

  private async _fetch(
    method: string,
    path: string,
    token: string,
    lang: Language,
    body?: unknown,
    ifMatch?: string | null,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: signal ? 'text/event-stream' : 'application/json',
      'accept-language': lang,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (ifMatch) headers['if-match'] = ifMatch;
    try {
      return await fetch(`${this._host.apiBase.replace(/\/+$/, '')}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ?? null,
      });
    } catch {
      throw new RequestFailure((t) => t.networkError);
    }
  }

  /** `tokenTimeout` as a timer delay: 0, NaN or a delay too large for a timer would fire at once. */
  private get _tokenTimeout(): number {
    const ms = Number(this._host.tokenTimeout);
    return ms > 0 ? Math.min(ms, MAX_TIMER_DELAY) : DEFAULT_TOKEN_TIMEOUT;
  }

  /** The token: `token`, or getToken's answer, shared by the requests until it is `stale` (a 401). */
  private _tokenFor(stale: Promise<string> | null): Promise<string> | null {
    const { getToken, token } = this._host;
    if (!getToken) return token ? Promise.resolve(token) : null;
    if (!this._pendingToken || this._pendingToken === stale) {
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
}
