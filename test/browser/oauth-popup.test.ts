// Signing in with a provider end to end in headless Chromium: the widget on the test portal, the API
// under `wrangler dev`, and a local authorization server per provider (which grants any account at
// once, no page of its own), so the window really goes provider → API callback → back to the widget.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { MailServerResponse, OAuthConnection } from '../../contract/index.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { startOAuthServers, type OAuthServers } from '../support/node-env.ts';
import {
  freshTenant,
  inWidget,
  launchBrowser,
  openWidget,
  startHostServer,
  startWidgetStack,
  waitForStatus,
  type HostServer,
  type WidgetStack,
} from './support/harness.ts';

let oauth: OAuthServers;
let stack: WidgetStack;
let host: HostServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tenant: string;

beforeAll(async () => {
  // PUBLIC_URL names the API's port, so it is chosen before the start.
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  oauth = await startOAuthServers([`${apiUrl}/v1/oauth/callback`]);
  [stack, host, browser] = await Promise.all([
    startWidgetStack({ port, vars: { PUBLIC_URL: apiUrl, ...oauth.env } }),
    startHostServer(),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), host?.stop(), oauth?.stop()]);
});

beforeEach(async () => {
  await context?.close();
  context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  tenant = freshTenant('oauth-popup');
});

const w = (selector: string) => inWidget(page, selector);
const open = () => openWidget(page, host.url, { api: stack.apiUrl, tenant });

/** The tenant's grants as the API holds them. */
async function storedConnections(): Promise<OAuthConnection[]> {
  const q = new URLSearchParams({ tenant, ttl: '600' });
  const { token } = (await (await fetch(`${stack.apiUrl}/dev/token?${q}`)).json()) as { token: string };
  const res = await fetch(`${stack.apiUrl}/v1/mail-server`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as MailServerResponse).oauthConnections;
}

describe('signing in for real', () => {
  test('in the popup: provider, callback, completion; the grant is stored and shown; Disconnect ends it', async () => {
    await open();
    await w('#authMethod').selectOption('microsoft');
    await w('#username').fill('anna@firma.at');
    const popup = page.waitForEvent('popup');
    await w('#oauth-sign-in').click();
    await (await popup).waitForEvent('close');
    expect(await waitForStatus(page, /Signed in/)).toBe('Signed in with Microsoft.');
    expect(await w('#oauth-state').innerText()).toBe('Connected as anna@firma.at');
    expect(await storedConnections()).toMatchObject([
      { provider: 'microsoft', account: 'anna@firma.at', connected: true },
    ]);
    expect(oauth.microsoft.stats().codeExchanges).toBeGreaterThan(0);
    // Disconnect: the widget and the API both forget the sign-in.
    await w('#oauth-disconnect').click();
    expect(await waitForStatus(page, /Disconnected/)).toContain('Disconnected from Microsoft.');
    expect(await storedConnections()).toEqual([]);
  });

  test('popups blocked: the page itself goes there and back, completes, and its URL is clean again', async () => {
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await open();
    const before = page.url();
    await w('#authMethod').selectOption('google');
    await w('#username').fill('bert@firma.at');
    await w('#oauth-sign-in').click();
    expect(await waitForStatus(page, /Signed in/)).toBe('Signed in with Google.');
    expect(page.url()).toBe(before);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await w('#oauth-state').innerText()).toBe('Connected as bert@firma.at');
    expect(await storedConnections()).toMatchObject([
      { provider: 'google', account: 'bert@firma.at', connected: true },
    ]);
  });

  test('a provider page that cuts the popup off (opener policy): the widget stops waiting and continues in this window', async () => {
    // The first visit to Microsoft's sign-in answers a page that severs `window.opener`, as some do.
    const authorize = `${oauth.microsoft.env.OAUTH_MICROSOFT_AUTHORITY}/oauth2/v2.0/authorize**`;
    await context.route(
      authorize,
      (route) =>
        route.fulfill({
          contentType: 'text/html',
          headers: { 'cross-origin-opener-policy': 'same-origin' },
          body: '<!doctype html><title>Sign in</title><p>Sign in</p>',
        }),
      { times: 1 },
    );
    await open();
    await w('#authMethod').selectOption('microsoft');
    await w('#username').fill('carla@firma.at');
    await w('#oauth-sign-in').click();
    expect(await waitForStatus(page, /closed/)).toBe(
      'The sign-in window closed without an answer. You can continue the sign-in in this window instead.',
    );
    expect(await storedConnections()).toEqual([]);

    await w('#oauth-sign-in-here').click();
    expect(await waitForStatus(page, /Signed in/)).toBe('Signed in with Microsoft.');
    expect(await w('#oauth-state').innerText()).toBe('Connected as carla@firma.at');
    expect(await storedConnections()).toMatchObject([
      { provider: 'microsoft', account: 'carla@firma.at', connected: true },
    ]);
  });
});
