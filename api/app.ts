import { Hono } from 'hono';
import { depsMiddleware, type DepsFactory } from './wiring.ts';
import type { AppEnv } from './http/context.ts';
import { staticAssets } from './http/assets.ts';
import { corsForConfig } from './http/cors.ts';
import { notFound, notFoundOrMethodNotAllowed, onError } from './http/problem.ts';
import { pickLang } from './i18n/lang.ts';
import { devRoutes } from './features/dev/routes.ts';
import { healthRoutes } from './features/health/routes.ts';
import { mailServerRoutes } from './features/mail-server/routes.ts';
import { oauthCallbackRoutes, oauthRoutes } from './features/oauth/routes.ts';
import { checkRoutes, testSendRoutes, verifyRoutes } from './features/test-send/routes.ts';
import { domainCheckRoutes } from './features/domain-check/routes.ts';
import { deliveryRoutes } from './features/deliveries/routes.ts';
import { tenantRoutes } from './features/tenants/routes.ts';
import { discoverRoutes } from './features/discover/routes.ts';
import { apiReferencePage, openApiRoute } from './http/openapi.ts';
import { webhookDeliveryRoutes } from './features/webhooks/routes.ts';

export function createApp(deps: DepsFactory) {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);
  app.use(async (c, next) => {
    c.set('lang', pickLang(c.req.header('accept-language')));
    await next();
  });
  app.use(corsForConfig);
  app.use(depsMiddleware(deps));
  app.use('/dev/*', async (c, next) => {
    if (!c.var.deps.config.development) return notFound(c);
    await next();
  });

  // Static files: the widget module everywhere, the demo host page only in development.
  app.get('*', staticAssets);

  const routes = app
    .route('/healthz', healthRoutes)
    .route('/dev', devRoutes)
    .route('/v1/mail-server/test', testSendRoutes)
    .route('/v1/mail-server/verify', verifyRoutes)
    .route('/v1/mail-server/checks', checkRoutes)
    .route('/v1/mail-server/domain-check', domainCheckRoutes)
    .route('/v1/mail-server/oauth', oauthRoutes)
    .route('/v1/mail-server/discover', discoverRoutes)
    .route('/v1/oauth', oauthCallbackRoutes)
    .route('/v1/mail-server', mailServerRoutes)
    .route('/v1/deliveries', deliveryRoutes)
    .route('/v1/tenants', tenantRoutes)
    .route('/v1/webhook-deliveries', webhookDeliveryRoutes);
  // The OpenAPI document of the described routes (built once per isolate) and, in development, its reference page.
  app.get('/openapi.json', openApiRoute(app));
  app.get('/docs', apiReferencePage);
  // Registered last, so it knows every route: a known path with another method is a 405.
  app.notFound(notFoundOrMethodNotAllowed(app.routes));
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
