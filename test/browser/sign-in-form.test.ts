// Signing in with a provider, the widget's side, in headless Chromium against the real API stack.
// What that stack cannot be made to answer on demand (the providers offered, the tenant's grants,
// the start of a sign-in, the callback page's message, its completion) is put into its answers with
// routes; the whole flow against a local authorization server is test/browser/oauth-popup.test.ts.
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type {
  MailServerResponse,
  MailServerSettings,
  OAuthCallbackMessage,
  OAuthCompleteRequest,
  OAuthConnection,
  OAuthProvider,
  OAuthStartRequest,
  TestResult,
} from '../../contract/index.ts';
import {
  axeViolations,
  focusedId,
  freshTenant,
  inWidget,
  launchBrowser,
  openWidget,
  passVerify,
  recordedEvents,
  startHostServer,
  startWidgetStack,
  statusText,
  waitForStatus,
  type HostServer,
  type WidgetStack,
} from './support/harness.ts';

let stack: WidgetStack;
let host: HostServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [stack, host, browser] = await Promise.all([startWidgetStack(), startHostServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), host?.stop()]);
});

/** The API's state put into its answers to GET and PUT /v1/mail-server. */
interface Offered {
  providers: OAuthProvider[];
  connections: OAuthConnection[];
  /** Saved settings instead of the stack's. */
  settings?: MailServerSettings;
}
let offered: Offered;

beforeEach(async () => {
  await context?.close();
  context = await browser.newContext();
  context.setDefaultTimeout(5_000);
  page = await context.newPage();
  offered = { providers: ['microsoft', 'google'], connections: [] };
  await passVerify(page);
  await page.route('**/v1/mail-server', async (route) => {
    if (!['GET', 'PUT'].includes(route.request().method())) return route.fallback();
    const response = await route.fetch();
    const body = (await response.json()) as MailServerResponse;
    body.capabilities.oauthProviders = offered.providers;
    body.oauthConnections = offered.connections;
    if (offered.settings) Object.assign(body, { configured: true, settings: offered.settings });
    await route.fulfill({ response, json: body });
  });
});

const w = (selector: string) => inWidget(page, selector);
const open = (extra: Record<string, string> = {}) =>
  openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('sign-in'), ...extra });
const optionValues = () => w('#authMethod option').evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value));
const ANNA: OAuthConnection = {
  provider: 'microsoft',
  account: 'anna@firma.at',
  connected: true,
  connectedAt: '2026-12-07T08:00:00Z',
};
const CORS = { 'access-control-allow-origin': '*' };
const BINDING = 'binding-kept-by-the-starting-page';
const COMPLETION = 'completion-from-the-callback';
const signedIn = (provider: OAuthProvider, account = 'anna@firma.at'): OAuthCallbackMessage => ({
  type: 'mail-server-oauth',
  ok: true,
  provider,
  account,
  completion: COMPLETION,
});

interface SignInCalls {
  starts: OAuthStartRequest[];
  completes: OAuthCompleteRequest[];
}

/**
 * Answers the start of a sign-in as the API does: a popup goes to a URL on `callbackOrigin` whose
 * page posts `message` to the portal and closes, as the API's callback page does; a redirect comes
 * straight back with the message in the URL. `complete` stores the grant the message names.
 */
async function signInAnswers(message: OAuthCallbackMessage, callbackOrigin = stack.apiUrl): Promise<SignInCalls> {
  const calls: SignInCalls = { starts: [], completes: [] };
  const callback = `${callbackOrigin}/test-callback`;
  await page.route('**/v1/mail-server/oauth/start', (route) => {
    const start = route.request().postDataJSON() as OAuthStartRequest;
    calls.starts.push(start);
    const back = new URL(start.returnTo ?? callback);
    back.searchParams.set('mailServerOAuth', message.ok ? 'ok' : 'error');
    for (const name of ['provider', 'completion', 'error'] as const) {
      if (message[name]) back.searchParams.set(name, message[name]);
    }
    const authorizationUrl = start.mode === 'redirect' ? back.href : callback;
    return route.fulfill({ status: 200, headers: CORS, json: { authorizationUrl, binding: BINDING } });
  });
  await page.route('**/v1/mail-server/oauth/complete', (route) => {
    calls.completes.push(route.request().postDataJSON());
    const grant = { ...ANNA, provider: message.provider!, account: message.account! };
    offered.connections = [grant];
    return route.fulfill({ status: 200, headers: CORS, json: grant });
  });
  const portal = new URL(host.url).origin;
  await context.route(callback, (route) => {
    const script = `window.opener.postMessage(${JSON.stringify(message)}, ${JSON.stringify(portal)}); window.close();`;
    return route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>Signed in</title><script>${script}</script>`,
    });
  });
  return calls;
}

describe('the choice', () => {
  test('offers only the providers the API offers, in the page’s language', async () => {
    offered.providers = [];
    await open();
    expect(await optionValues()).toEqual(['none', 'plain', 'login', 'cram-md5']);

    offered.providers = ['google'];
    await open({ lang: 'de' });
    expect(await optionValues()).toEqual(['none', 'plain', 'login', 'cram-md5', 'google']);
    expect(await w('#authMethod option[value=google]').innerText()).toBe('Mit Google anmelden');

    offered.providers = ['microsoft', 'google'];
    await open();
    expect(await w('#authMethod option[value=microsoft]').innerText()).toBe('Sign in with Microsoft');
    expect(await w('#authMethod option[value=google]').innerText()).toBe('Sign in with Google');
  });

  test('fills in the provider’s server (still editable), asks for no password, and a test sends the sign-in', async () => {
    await open();
    await w('#authMethod').selectOption('microsoft');
    expect([await w('#host').inputValue(), await w('#port').inputValue(), await w('#security').inputValue()]).toEqual([
      'smtp.office365.com',
      '587',
      'starttls',
    ]);
    expect(await w('#password').count()).toBe(0);
    expect(await w('#username').getAttribute('required')).toBeNull();
    expect(await w('#username-hint').innerText()).toBe('Leave empty to use the account you sign in with.');
    expect(await w('#oauth-state').innerText()).toBe('Not connected yet.');
    expect(await w('#oauth-sign-in').innerText()).toBe('Sign in with Microsoft');
    expect(await w('#authMethod-hint').innerText()).toBe(
      'You sign in with Microsoft in a new window (or in this one, if your browser blocks that); no password is stored here.',
    );
    expect(await axeViolations(page)).toEqual([]);

    await w('#authMethod').selectOption('google');
    expect([await w('#host').inputValue(), await w('#port').inputValue(), await w('#security').inputValue()]).toEqual([
      'smtp.gmail.com',
      '465',
      'tls',
    ]);
    await w('#host').fill('smtp-relay.gmail.com');
    const tests: unknown[] = [];
    const notConnected = {
      ok: false,
      error: {
        stage: 'auth',
        code: 'oauth_not_connected',
        responseCode: null,
        response: null,
        message: 'You have not signed in with Google yet.',
        hint: 'Sign in with Google, then test again.',
      },
      durationMs: 3,
      transcript: [],
      warnings: [],
    };
    await page.route('**/v1/mail-server/test', (route: Route) => {
      tests.push(route.request().postDataJSON());
      return route.fulfill({ status: 200, headers: CORS, json: notConnected });
    });
    await w('#test').click();
    await waitForStatus(page, /The test failed/);
    expect(tests[0]).toMatchObject({
      host: 'smtp-relay.gmail.com',
      port: 465,
      security: 'tls',
      auth: { method: 'xoauth2', provider: 'google', username: null },
    });
    expect(await w('.stages li[data-state=failed]').getAttribute('data-stage')).toBe('auth');
    expect(await w('#test-reconnect').innerText()).toBe('Sign in again');
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('the sign-in window', () => {
  test('goes to the provider; its outcome from the API’s origin, completed with the start’s binding, connects; Disconnect ends it', async () => {
    await open();
    const { starts, completes } = await signInAnswers(signedIn('microsoft'));
    await w('#authMethod').selectOption('microsoft');
    await w('#username').fill('anna@firma.at');
    const popup = page.waitForEvent('popup');
    await w('#oauth-sign-in').click();
    await (await popup).waitForEvent('close');
    expect(await waitForStatus(page, /Signed in/)).toBe('Signed in with Microsoft.');
    expect(starts).toEqual([{ provider: 'microsoft', loginHint: 'anna@firma.at', mode: 'popup' }]);
    expect(completes).toEqual([{ binding: BINDING, completion: COMPLETION }]);
    expect(await w('#oauth-state').innerText()).toBe('Connected as anna@firma.at');
    expect(await w('#oauth-sign-in').innerText()).toBe('Sign in again');
    expect(await focusedId(page)).toBe('oauth-sign-in');
    expect(await w('#host').inputValue()).toBe('smtp.office365.com'); // the form kept its values
    const connected = (await recordedEvents(page)).find((e) => e.type === 'mail-server-oauth-connected');
    expect(connected).toMatchObject({
      typed: true,
      bubbles: true,
      composed: true,
      detail: { provider: 'microsoft', account: 'anna@firma.at' },
    });
    expect(await axeViolations(page)).toEqual([]);

    const deletes: string[] = [];
    await page.route('**/v1/mail-server/oauth/*', (route) => {
      if (route.request().method() !== 'DELETE') return route.fallback();
      deletes.push(new URL(route.request().url()).pathname);
      offered.connections = [];
      return route.fulfill({ status: 204, headers: CORS });
    });
    await w('#oauth-disconnect').click();
    expect(await waitForStatus(page, /Disconnected/)).toContain('Disconnected from Microsoft.');
    expect(deletes).toEqual(['/v1/mail-server/oauth/microsoft']);
    expect(await w('#oauth-state').innerText()).toBe('Not connected yet.');
    expect(await w('#oauth-disconnect').count()).toBe(0);
    expect(await focusedId(page)).toBe('oauth-sign-in');
    const disconnected = (await recordedEvents(page)).find((e) => e.type === 'mail-server-oauth-disconnected');
    expect(disconnected).toMatchObject({ typed: true, detail: { provider: 'microsoft' } });
  });

  test('cancelled or failed: says so in the page’s language; a user name that is no address is no hint', async () => {
    await open({ lang: 'de' });
    const { starts, completes } = await signInAnswers({
      type: 'mail-server-oauth',
      ok: false,
      provider: 'google',
      account: null,
      error: 'access_denied',
    });
    await w('#authMethod').selectOption('google');
    await w('#username').fill('buchhaltung');
    await w('#oauth-sign-in').click();
    expect(await waitForStatus(page, /abgebrochen/)).toBe('Die Anmeldung wurde abgebrochen.');
    expect(starts).toEqual([{ provider: 'google', mode: 'popup' }]);
    expect(completes).toEqual([]);
    expect(await focusedId(page)).toBe('oauth-sign-in');

    await page.unrouteAll();
    await context.unrouteAll();
    await signInAnswers({
      type: 'mail-server-oauth',
      ok: false,
      provider: 'google',
      account: null,
      error: 'exchange_failed',
    });
    await w('#oauth-sign-in').click();
    expect(await waitForStatus(page, /fehlgeschlagen/)).toBe(
      'Die Anmeldung ist fehlgeschlagen. Bitte versuchen Sie es erneut.',
    );
    expect((await recordedEvents(page)).filter((e) => e.type === 'mail-server-oauth-connected')).toEqual([]);
  });

  test('a completion the API refuses (expired, or another page’s) shows its words and connects nothing', async () => {
    await open();
    await signInAnswers(signedIn('microsoft'));
    const message =
      'This sign-in cannot be completed here: it has expired (after 10 minutes), was already completed or was started in another window. Please sign in again.';
    await page.route('**/v1/mail-server/oauth/complete', (route) =>
      route.fulfill({
        status: 422,
        headers: { ...CORS, 'content-type': 'application/problem+json' },
        body: JSON.stringify({
          type: 'about:blank',
          title: 'Invalid input',
          status: 422,
          detail: 'Please correct the fields marked.',
          code: 'validation_failed',
          errors: [{ path: 'completion', code: 'oauth_completion_invalid', message }],
        }),
      }),
    );
    await w('#authMethod').selectOption('microsoft');
    await w('#oauth-sign-in').click();
    expect(await waitForStatus(page, /expired/)).toContain(message);
    expect(await w('#oauth-state').innerText()).toBe('Not connected yet.');
    expect((await recordedEvents(page)).filter((e) => e.type === 'mail-server-oauth-connected')).toEqual([]);
  });

  test('an outcome from another origin counts for nothing; the window closed without one offers this window instead', async () => {
    await open();
    // The portal's own origin stands in for a stranger: the widget listens to the API's only.
    const stranger = await signInAnswers(signedIn('google', 'eve@example.com'), new URL(host.url).origin);
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      window.addEventListener('message', (e) => seen.push(e.origin));
    });
    await w('#authMethod').selectOption('google');
    await w('#oauth-sign-in').click();
    // The widget's listener came first, so it has had the message when the page's has.
    await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.length > 0);
    expect(await waitForStatus(page, /closed/)).toBe(
      'The sign-in window closed without an answer. You can continue the sign-in in this window instead.',
    );
    expect(stranger.completes).toEqual([]);
    expect(await w('#oauth-state').innerText()).toBe('Not connected yet.');
    expect(await w('#oauth-sign-in-here').innerText()).toBe('Continue in this window');
    expect(await axeViolations(page)).toEqual([]);

    // Routes added later answer first.
    const { starts, completes } = await signInAnswers(signedIn('google'));
    const before = page.url();
    await w('#oauth-sign-in-here').click();
    expect(await waitForStatus(page, /Signed in/)).toBe('Signed in with Google.');
    expect(starts).toEqual([{ provider: 'google', mode: 'redirect', returnTo: before }]);
    expect(completes).toEqual([{ binding: BINDING, completion: COMPLETION }]);
    expect(await w('#oauth-sign-in-here').count()).toBe(0);
  });

  test('blocked: the page goes to the provider instead, and back, the outcome in its URL is completed once and removed', async () => {
    await page.addInitScript(() => {
      window.open = () => null; // a popup blocker
    });
    await open();
    const { starts, completes } = await signInAnswers(signedIn('google'));
    await w('#authMethod').selectOption('google');
    const before = page.url();
    await w('#oauth-sign-in').click();
    expect(await waitForStatus(page, /Signed in/)).toBe('Signed in with Google.');
    expect(starts).toEqual([{ provider: 'google', mode: 'redirect', returnTo: before }]);
    expect(completes).toEqual([{ binding: BINDING, completion: COMPLETION }]);
    expect(page.url()).toBe(before); // the outcome's parameters are gone, the page's own stay
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0); // the binding is used up
    expect(await w('#authMethod').inputValue()).toBe('google'); // the new page's form chose it again
    expect(await w('#oauth-state').innerText()).toBe('Connected as anna@firma.at');
    expect(await focusedId(page)).toBe('oauth-sign-in');

    await page.reload();
    await w('form').waitFor();
    expect(await statusText(page)).toBe('');
  });

  test('an outcome in the URL of a page that did not start the sign-in (a forwarded link) connects nothing', async () => {
    const { completes } = await signInAnswers(signedIn('google'));
    await open({ mailServerOAuth: 'ok', provider: 'google', completion: COMPLETION });
    expect(await waitForStatus(page, /failed/)).toBe('The sign-in failed. Please try again.');
    expect(completes).toEqual([]);
    expect(new URL(page.url()).searchParams.has('completion')).toBe(false);
    expect(await w('#oauth-state').innerText()).toBe('Not connected yet.');
  });
});

describe('Microsoft’s end of passwords', () => {
  /** Saves Microsoft 365 with a password in a fresh tenant (the API warns about that). */
  async function saveMicrosoftPassword(): Promise<void> {
    await open();
    await w('#host').fill('smtp.office365.com');
    await w('#security').selectOption('starttls');
    await w('#username').fill('anna@firma.at');
    await w('#password').fill('pa55word');
    await w('button[type=submit]').click();
    await waitForStatus(page, /Settings saved/);
  }
  const retiring = () => w('li[data-code=microsoft_basic_auth_retiring]');

  test('the saved settings’ warning offers the switch to Microsoft’s sign-in, where the API offers that', async () => {
    offered.providers = ['google'];
    await saveMicrosoftPassword();
    expect(await retiring().innerText()).toContain('Microsoft');
    expect(await retiring().locator('button').count()).toBe(0);

    offered.providers = ['microsoft'];
    await page.reload();
    await retiring().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await retiring().locator('button').click();
    expect(await w('#authMethod').inputValue()).toBe('microsoft');
    expect(await w('#password').count()).toBe(0);
    expect(await w('#username').inputValue()).toBe('anna@firma.at'); // kept: the account to sign in with
    expect(await focusedId(page)).toBe('oauth-sign-in');
    expect(await retiring().count()).toBe(0); // the form no longer uses a password
  });

  test('a test’s warning offers the switch too', async () => {
    await open({ lang: 'de' });
    const result: TestResult = {
      ok: true,
      messageId: '<t1@firma.at>',
      response: '250 2.0.0 OK',
      durationMs: 80,
      transcript: [],
      warnings: [
        { code: 'microsoft_basic_auth_retiring', message: 'Microsoft schaltet die Anmeldung mit Passwort ab.' },
      ],
    };
    await page.route('**/v1/mail-server/test', (route) => route.fulfill({ status: 200, headers: CORS, json: result }));
    await w('#host').fill('smtp.office365.com');
    await w('#username').fill('anna@firma.at');
    await w('#password').fill('pa55word');
    await w('#test').click();
    await waitForStatus(page, /Test-E-Mail/);
    const button = w('[part=test-result] li[data-code=microsoft_basic_auth_retiring] button');
    expect(await button.innerText()).toBe('Zur Anmeldung mit Microsoft wechseln');
    await button.click();
    expect(await w('#authMethod').inputValue()).toBe('microsoft');
    expect(await w('#oauth-sign-in').innerText()).toBe('Mit Microsoft anmelden');
  });
});

describe('saved settings that sign in', () => {
  /** Saved settings that sign in with Google, and its grant. */
  function signedInWithGoogle(connected: boolean): void {
    const grant: OAuthConnection = { ...ANNA, provider: 'google', connected };
    offered.connections = [grant];
    offered.settings = {
      host: 'smtp.gmail.com',
      port: 465,
      security: 'tls',
      trustedCertificateSha256: null,
      allowUntrustedCertificate: false,
      auth: { method: 'xoauth2', username: grant.account, ...grant },
      from: { address: null, name: null },
      replyTo: null,
      fallbackToSystem: false,
    };
  }

  test('show the provider chosen (also when no longer offered), the account as placeholder, and a dead grant as such', async () => {
    signedInWithGoogle(false);
    offered.providers = ['microsoft'];
    await open({ lang: 'de' });
    expect(await optionValues()).toEqual(['none', 'plain', 'login', 'cram-md5', 'microsoft', 'google']);
    expect(await w('#authMethod').inputValue()).toBe('google');
    // The saved user name is the signed-in account: the field stays empty and follows it.
    expect(await w('#username').inputValue()).toBe('');
    expect(await w('#username').getAttribute('placeholder')).toBe('anna@firma.at');
    expect(await w('#oauth-state').innerText()).toBe(
      'Die Anmeldung für anna@firma.at ist nicht mehr gültig (widerrufen, Passwort geändert oder Zustimmung entzogen). Bitte melden Sie sich erneut an.',
    );
    expect(await w('#oauth-sign-in').innerText()).toBe('Erneut anmelden');
    expect(await w('#oauth-disconnect').innerText()).toBe('Trennen');
    expect(await w('.dirty').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  test('a recent mail that failed for a dead sign-in offers to sign in again', async () => {
    signedInWithGoogle(false);
    // Typed loosely: the contract's error codes gain the sign-in's with the API side.
    const failed = {
      id: 'd1',
      kind: 'invoice',
      status: 'failed',
      route: 'tenant',
      recipients: ['kunde@example.net'],
      subject: 'Rechnung 2026-017',
      attempts: 1,
      response: null,
      error: {
        stage: 'auth',
        code: 'oauth_grant_invalid',
        responseCode: null,
        response: null,
        message: 'The sign-in with Google is no longer valid.',
        hint: '',
      },
      fallbackReason: null,
      createdAt: '2026-12-07T08:00:00Z',
      sentAt: null,
    };
    await page.route('**/v1/deliveries*', (route) =>
      route.fulfill({ status: 200, headers: CORS, json: { deliveries: [failed], nextCursor: null } }),
    );
    const { starts } = await signInAnswers(signedIn('google'));
    await open();
    const reconnect = w('[part=deliveries] li button.reconnect');
    expect(await reconnect.innerText()).toBe('Sign in again');
    expect(await axeViolations(page)).toEqual([]);
    await reconnect.click();
    expect(await waitForStatus(page, /Signed in/)).toBe('Signed in with Google.');
    expect(starts).toEqual([{ provider: 'google', mode: 'popup' }]);
    expect(await w('#oauth-state').innerText()).toBe('Connected as anna@firma.at');
  });
});
