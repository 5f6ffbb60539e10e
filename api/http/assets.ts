import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.ts';

/** The widget module (and its chunks) everywhere; every other static file (the demo page) only in development. */
export const staticAssets: MiddlewareHandler<AppEnv> = async (c, next) => {
  const path = new URL(c.req.url).pathname;
  const isWidget =
    path === '/mail-server-settings.js' ||
    path === '/mail-server-settings.js.LEGAL.txt' ||
    /^\/mail-server-settings\.chunk-[\w-]+\.js$/.test(path); // the language tables the module loads
  const isApi = path.startsWith('/v1/') || path.startsWith('/dev/') || path === '/healthz';
  if (!c.env.ASSETS || isApi || !(isWidget || c.var.deps.config.development)) return next();
  const res = await c.env.ASSETS.fetch(c.req.raw);
  return res.status === 404 ? next() : res;
};
