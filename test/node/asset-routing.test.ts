// The static-file fallback (widget module, demo page) must never answer or slow down an API path:
// /v1/*, /dev/* and /healthz go straight to their routes without an ASSETS lookup.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { defaultDeps } from '../../api/wiring.ts';
import type { Bindings } from '../../api/config/bindings.ts';

function recordingAssets() {
  const asked: string[] = [];
  const fetcher = {
    fetch: async (input: RequestInfo | URL) => {
      asked.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return new Response('from assets', { status: 200 });
    },
    connect: () => {
      throw new Error('not a socket');
    },
  } as unknown as Fetcher;
  return { fetcher, asked };
}

describe('static files next to the API', () => {
  const app = createApp(
    defaultDeps('node', {
      database: () => {
        throw new Error('no database in this test');
      },
    }),
  );

  it('asks ASSETS for the widget and the demo page only, never for API paths', async () => {
    const { fetcher, asked } = recordingAssets();
    const env: Bindings = { ENVIRONMENT: 'development', ASSETS: fetcher };

    const ping = await app.request('/dev/ping', {}, env);
    expect(await ping.json()).toEqual({ ok: true });
    const health = await app.request('/healthz', {}, env);
    expect(health.status).toBe(503); // answered by the route (config missing), not by the asset
    const settings = await app.request('/v1/mail-server', {}, env);
    expect(settings.status).toBe(401);
    expect(asked).toEqual([]);

    expect(await (await app.request('/mail-server-settings.js', {}, env)).text()).toBe('from assets');
    expect(await (await app.request('/', {}, env)).text()).toBe('from assets');
    expect(asked).toEqual(['/mail-server-settings.js', '/']);
  });

  it('serves the widget and its language chunks but not the demo page outside development', async () => {
    const { fetcher, asked } = recordingAssets();
    const env: Bindings = { ENVIRONMENT: 'production', ASSETS: fetcher };
    expect(await (await app.request('/mail-server-settings.js', {}, env)).text()).toBe('from assets');
    const chunk = '/mail-server-settings.chunk-de-LV6D4VQR.js';
    expect(await (await app.request(chunk, {}, env)).text()).toBe('from assets');
    expect((await app.request('/', {}, env)).status).toBe(404);
    expect((await app.request('/mail-server-settings.chunk-../x.js', {}, env)).status).toBe(404);
    expect(asked).toEqual(['/mail-server-settings.js', chunk]);
  });
});
