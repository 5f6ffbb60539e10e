import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { type Config, configOf } from './config.ts';
import { depsMiddleware, type DepsFactory } from './wiring.ts';
import type { AppEnv } from './env.ts';
import { notFound, notFoundOrMethodNotAllowed, onError } from './http/problem.ts';
import { pickLang } from './i18n/lang.ts';
import { devRoutes } from './routes/dev.ts';
import { healthRoutes } from './routes/health.ts';
import { mailServerRoutes } from './routes/mail-server.ts';
import { mailServerTestRoutes } from './routes/mail-server-test.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { tenantRoutes } from './routes/tenants.ts';

/**
 * Allowed origins come from ALLOWED_ORIGINS (comma-separated); `*` only in development. The
 * development token endpoint answers pages on this machine only: with `*`, any web page a developer
 * opens could otherwise mint tokens and drive the local API.
 */
function allowedOrigin(origin: string, config: Config, path: string): string | null {
  if (path.startsWith('/dev/') && !isLoopbackOrigin(origin)) return null;
  const list = config.allowedOrigins;
  if (list.includes('*')) return config.development ? origin : null;
  return list.includes(origin) ? origin : null;
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const { hostname } = new URL(origin);
    return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
  } catch {
    return false;
  }
}

export function createApp(deps: DepsFactory) {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);
  app.use(async (c, next) => {
    c.set('lang', pickLang(c.req.header('accept-language')));
    await next();
  });
  app.use(
    cors({
      origin: (origin, c) => allowedOrigin(origin, configOf(c.env), c.req.path),
      allowMethods: ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'Accept-Language'],
      exposeHeaders: ['ETag', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(depsMiddleware(deps));
  app.use('/dev/*', async (c, next) => {
    if (!c.var.deps.config.development) return notFound(c);
    await next();
  });

  // Static files: the widget module everywhere, the demo host page only in development.
  app.get('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const isWidget = path === '/mail-server-settings.js' || path === '/mail-server-settings.js.LEGAL.txt';
    const isApi = path.startsWith('/v1/') || path.startsWith('/dev/') || path === '/healthz';
    if (!c.env.ASSETS || isApi || !(isWidget || c.var.deps.config.development)) return next();
    const res = await c.env.ASSETS.fetch(c.req.raw);
    return res.status === 404 ? next() : res;
  });

  const routes = app
    .route('/healthz', healthRoutes)
    .route('/dev', devRoutes)
    .route('/v1/mail-server/test', mailServerTestRoutes)
    .route('/v1/mail-server', mailServerRoutes)
    .route('/v1/deliveries', deliveryRoutes)
    .route('/v1/tenants', tenantRoutes);
  // Registered last, so it knows every route: a known path with another method is a 405.
  app.notFound(notFoundOrMethodNotAllowed(app.routes));
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
