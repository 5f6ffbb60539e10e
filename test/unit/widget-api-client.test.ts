import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ApiClient, type ApiClientHost, RequestFailure } from '../../components/mail-server-settings/api-client.ts';
import en from '../../components/mail-server-settings/translations/en.ts';

const settingsBody = { configured: false, settings: null, version: 0 };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const client = (host: Partial<ApiClientHost>) =>
  new ApiClient(
    { apiBase: 'https://api.example/', token: null, getToken: null, tokenTimeout: 15_000, ...host },
    () => 'de',
  );

/** The failure a request ends in. */
async function failureOf(request: Promise<unknown>): Promise<RequestFailure> {
  const error = await request.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RequestFailure);
  return error as RequestFailure;
}

describe('ApiClient', () => {
  test('sends the token, the language asked for and If-Match; the base URL loses its trailing slash', async () => {
    fetchMock.mockResolvedValue(json(200, settingsBody, { etag: '"3"' }));
    const answer = await client({ token: 'tok' }).saveSettings({ host: 'smtp.example', security: 'tls' }, '"2"');
    expect(answer).toMatchObject({ status: 200, etag: '"3"', lang: 'de' });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('https://api.example/v1/mail-server');
    expect(init.headers).toMatchObject({ authorization: 'Bearer tok', 'accept-language': 'de', 'if-match': '"2"' });
  });

  test('a 401 asks getToken once more and repeats the request with the new token, once', async () => {
    const getToken = vi.fn().mockResolvedValueOnce('old').mockResolvedValueOnce('new');
    fetchMock.mockResolvedValueOnce(json(401, { status: 401 })).mockResolvedValueOnce(json(200, settingsBody));
    await client({ getToken }).getSettings();
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(fetchMock.mock.calls.map(([, init]) => init.headers.authorization)).toEqual(['Bearer old', 'Bearer new']);

    fetchMock.mockResolvedValue(json(401, { status: 401, title: 'Unauthorized' }));
    expect((await failureOf(client({ getToken: async () => 'x' }).getSettings())).status).toBe(401);
    expect(fetchMock).toHaveBeenCalledTimes(4);
  });

  test.each([
    ['120', 120],
    ['0.2', 1],
    ['soon', 60],
  ])('a 429 with Retry-After %s says to try again in %i seconds', async (header, seconds) => {
    fetchMock.mockResolvedValue(json(429, { status: 429, title: 'Too many' }, { 'retry-after': header }));
    const failure = await failureOf(
      client({ token: 't' }).check('test', { host: 'h.example', security: 'tls' }, new AbortController().signal, () =>
        Promise.reject(new Error('not streamed')),
      ),
    );
    expect(failure.text?.(en)).toBe(en.rateLimited(seconds));
    expect(failure.api).toBeUndefined();
  });

  test('a Retry-After date counts from now', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T10:00:00Z') });
    const header = new Date('2026-12-07T10:00:30Z').toUTCString();
    fetchMock.mockResolvedValue(json(429, { status: 429 }, { 'retry-after': header }));
    const failure = await failureOf(client({ token: 't' }).getSettings());
    expect(failure.text?.(en)).toBe(en.rateLimited(30));
  });

  test('other failures carry the API’s words in the language asked for, else the status', async () => {
    fetchMock.mockResolvedValueOnce(json(503, { status: 503, title: 'Unavailable', detail: 'Database down.' }));
    expect(await failureOf(client({ token: 't' }).getSettings())).toMatchObject({ api: 'Database down.', lang: 'de' });
    fetchMock.mockResolvedValueOnce(new Response('oops', { status: 502 }));
    expect((await failureOf(client({ token: 't' }).getSettings())).text?.(en)).toBe(en.httpError(502));
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    expect((await failureOf(client({ token: 't' }).getSettings())).text?.(en)).toBe(en.networkError);
  });

  test('without token or getToken no request goes out', async () => {
    expect((await failureOf(client({}).getSettings())).text?.(en)).toBe(en.tokenError);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  test.each([
    [15_000, 15_000],
    [0, 15_000],
    [Number.NaN, 15_000],
    [-5, 15_000],
    [300, 300],
    [Number.POSITIVE_INFINITY, 2_147_483_647],
  ])('a getToken that never settles is given up after tokenTimeout %d: %d ms', async (tokenTimeout, ms) => {
    vi.useFakeTimers();
    const request = failureOf(client({ getToken: () => new Promise(() => {}), tokenTimeout }).getSettings());
    await vi.advanceTimersByTimeAsync(ms - 1);
    expect(vi.getTimerCount()).toBe(1); // still waiting
    await vi.advanceTimersByTimeAsync(1);
    expect((await request).text?.(en)).toBe(en.tokenError);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
