// Shared setup for the browser tests: the real API stack (sqld + wrangler dev) with a mail sink
// as system relay, a loopback "portal" origin that embeds the built widget, and headless
// Chromium (Debian's package, never a downloaded browser).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { VerifyResult } from '../../../contract/index.ts';
import { buildWidget } from '../../../scripts/build-widget.ts';
import { ensureDevSecrets, writeEnvFile } from '../../../scripts/lib/dev-secrets.ts';
import { startMailSink, type MailSink } from '../../../scripts/lib/mail-sink.ts';
import { startStack } from '../../../scripts/lib/stack.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface WidgetStack {
  apiUrl: string;
  sink: MailSink;
  stop(): Promise<void>;
}

export interface WidgetStackOptions {
  /** The API's port (a free one when omitted): known before the start when PUBLIC_URL must name it. */
  port?: number;
  /** More settings for the API, through its private env file (they may carry client secrets). */
  vars?: Record<string, string>;
}

/** The API under `wrangler dev` with fresh secrets, a fresh database and a mail sink as relay. */
export async function startWidgetStack(options: WidgetStackOptions = {}): Promise<WidgetStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-browser-'));
  const sink = await startMailSink();
  try {
    const secrets = join(dataDir, 'secrets.env');
    const runtime = join(dataDir, 'runtime.env');
    ensureDevSecrets(secrets);
    writeEnvFile(runtime, { SYSTEM_SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`, ...options.vars });
    const stack = await startStack({
      dataDir,
      port: options.port,
      envFiles: [secrets, runtime],
      vars: { SYSTEM_FROM: 'system@relay.localhost', MAIL_SINK_URL: sink.httpUrl },
    });
    return {
      apiUrl: stack.apiUrl,
      sink,
      async stop() {
        await stack.stop();
        await sink.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sink.stop();
    throw error;
  }
}

/**
 * The test portal. Query parameters: api (API base URL), tenant, lang (document language),
 * elementLang (the element's own lang), expired=1 (the first token handed out is expired),
 * hangingToken=1 (the first getToken call never settles), tokenTimeout (ms, the element's),
 * hostile=1 (aggressive page styles that must not reach inside the element).
 */
const HOST_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Test portal</title>
<style id="hostile" media="not all">
  body { font-size: 30px; line-height: 3; letter-spacing: 2px; word-spacing: 6px; text-transform: uppercase;
         text-align: center; white-space: nowrap; font-weight: 700; font-style: italic; text-indent: 40px; color: red; }
  * { box-sizing: content-box; letter-spacing: 3px; line-height: 2.5; text-transform: lowercase; }
  input, select, button, label, p, fieldset, legend, form, h2, h3, div, span, ul, li, dl, dt, dd, details, pre {
    all: unset; margin: 11px; padding: 7px; border: 3px solid red; font-size: 30px; display: inline-block; }
</style>
<style id="theme" media="not all">
  mail-server-settings { --mss-color-accent: rgb(1, 2, 3); }
  mail-server-settings::part(button) { border-radius: 17px; }
</style>
<script type="module" src="/mail-server-settings.js"></script>
</head><body><main><h1>Portal settings</h1><mail-server-settings></mail-server-settings></main>
<script type="module">
  const p = new URLSearchParams(location.search);
  document.documentElement.lang = p.get('lang') ?? 'en';
  if (p.get('hostile')) document.getElementById('hostile').media = 'all';
  if (p.get('theme')) document.getElementById('theme').media = 'all';
  // The typed event classes are exported by the bundle (names are minified, so compare classes).
  const widget = await import('/mail-server-settings.js');
  const classes = {
    'mail-server-saved': widget.MailServerSavedEvent, 'mail-server-reset': widget.MailServerResetEvent,
    'mail-server-tested': widget.MailServerTestedEvent, 'mail-server-error': widget.MailServerErrorEvent,
    'mail-server-oauth-connected': widget.MailServerOAuthConnectedEvent,
    'mail-server-oauth-disconnected': widget.MailServerOAuthDisconnectedEvent,
    'mail-server-delivery-problem': widget.MailServerDeliveryProblemEvent,
  };
  window.events = [];
  for (const [type, EventClass] of Object.entries(classes)) {
    document.addEventListener(type, (e) => window.events.push({
      type: e.type, detail: e.detail, bubbles: e.bubbles, composed: e.composed, typed: e instanceof EventClass,
    }));
  }
  window.tokenCalls = 0;
  const el = document.querySelector('mail-server-settings');
  if (p.get('elementLang')) el.lang = p.get('elementLang');
  if (p.get('tokenTimeout')) el.tokenTimeout = Number(p.get('tokenTimeout'));
  if (p.get('api')) {
    el.setAttribute('api-base', p.get('api'));
    el.getToken = async () => {
      window.tokenCalls++;
      if (window.tokenCalls === 1 && p.get('hangingToken')) return new Promise(() => {});
      const ttl = window.tokenCalls === 1 && p.get('expired') ? -60 : 3600;
      const q = new URLSearchParams({ tenant: p.get('tenant') ?? 'browser-test', ttl: String(ttl) });
      const res = await fetch(p.get('api') + '/dev/token?' + q);
      return (await res.json()).token;
    };
  }
</script></body></html>`;

export interface HostServer {
  url: string;
  stop(): Promise<void>;
}

/** Builds the widget and serves it with the test portal page from another loopback origin. */
export async function startHostServer(): Promise<HostServer> {
  const { bundle, chunks } = await buildWidget();
  // The bundle and the chunks it loads (the language tables), by URL path.
  const modules = new Map(
    [bundle, ...chunks.map((chunk) => chunk.file)].map((file) => [`/${basename(file)}`, readFileSync(file)]),
  );
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const module = modules.get(path);
    if (module) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(module);
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(HOST_PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let tenantCounter = 0;
/** A tenant id no other test uses (each test starts from an unconfigured tenant). */
export function freshTenant(name: string): string {
  return `${name}-${process.pid}-${++tenantCounter}-${Date.now()}`;
}

/** Opens the portal and waits until the widget shows its populated form. */
export async function openWidget(page: Page, hostUrl: string, params: Record<string, string>): Promise<void> {
  await page.goto(`${hostUrl}?${new URLSearchParams(params)}`);
  await page.locator('mail-server-settings form').waitFor();
}

/** An element inside the widget (Playwright's CSS locators pierce its shadow root). */
export const inWidget = (page: Page, selector: string) => page.locator(`mail-server-settings ${selector}`);

/** Fills a valid configuration for the server on loopback `port`: plain SMTP, no sign-in. */
export async function fillPlain(page: Page, port: number): Promise<void> {
  await inWidget(page, '#host').fill('127.0.0.1');
  await inWidget(page, '#security').selectOption('none');
  await inWidget(page, '#port').fill(String(port));
  await inWidget(page, '#authMethod').selectOption('none');
}

const PASSED_VERIFY: VerifyResult = { ok: true, response: '250 OK', durationMs: 1, transcript: [], warnings: [] };

/**
 * Save verifies first (save-verify.test.ts tests that): lets every draft pass, for tests that save
 * servers nobody runs or that answer no SMTP.
 */
export const passVerify = (page: Page) =>
  page.route('**/v1/mail-server/verify', (route) =>
    route.fulfill({ status: 200, headers: { 'access-control-allow-origin': '*' }, json: PASSED_VERIFY }),
  );

/** The id of the element focused inside the widget. */
export const focusedId = (page: Page) =>
  page.evaluate(() => document.querySelector('mail-server-settings')?.shadowRoot?.activeElement?.id ?? null);

/** Records the page's requests to the API as "METHOD path" (preflights left out); empty it with `length = 0`. */
export function recordApiCalls(page: Page, apiUrl: string): string[] {
  const calls: string[] = [];
  const origin = new URL(apiUrl).origin;
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === origin && request.method() !== 'OPTIONS') calls.push(`${request.method()} ${url.pathname}`);
  });
  return calls;
}

export async function statusText(page: Page): Promise<string> {
  return (await inWidget(page, '[role=status]').innerText()).trim();
}

/** Waits until the status region shows text matching `pattern`; answers its text. */
export async function waitForStatus(page: Page, pattern: RegExp): Promise<string> {
  await page
    .waitForFunction(
      ([source, flags]) => {
        const region = document.querySelector('mail-server-settings')?.shadowRoot?.querySelector('[role=status]');
        return new RegExp(source!, flags).test(region?.textContent ?? '');
      },
      [pattern.source, pattern.flags],
      { timeout: 10_000 },
    )
    .catch(async (error: Error) => {
      throw new Error(`${error.message}; the status says: ${await statusText(page).catch(() => '(no status)')}`);
    });
  return statusText(page);
}

export interface RecordedEvent {
  type: string;
  detail: unknown;
  bubbles: boolean;
  composed: boolean;
  /** The event is an instance of its exported typed class. */
  typed: boolean;
}

export function recordedEvents(page: Page): Promise<RecordedEvent[]> {
  return page.evaluate(() => (window as unknown as { events: RecordedEvent[] }).events);
}

/** Runs axe-core on the whole document (it descends into open shadow roots). */
export async function axeViolations(page: Page): Promise<{ id: string; help: string; targets: string[] }[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown,
          ) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
}
