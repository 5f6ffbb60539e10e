import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { type Config, configOf } from '../config/config.ts';
import type { AppEnv } from './context.ts';
import { isLoopbackHostname } from './loopback.ts';

/**
 * Allowed origins come from ALLOWED_ORIGINS (comma-separated); `*` only in development. The
 * development token endpoint answers pages on this machine only: with `*`, any web page a developer
 * opens could otherwise mint tokens and drive the local API.
 */
export function allowedOrigin(origin: string, config: Config, path: string): string | null {
  if (path.startsWith('/dev/') && !isLoopbackOrigin(origin)) return null;
  const list = config.allowedOrigins;
  if (list.includes('*')) return config.development ? origin : null;
  return list.includes(origin) ? origin : null;
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHostname(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/** CORS for the widget on the portal's pages: the headers the widget sends and reads. */
export const corsForConfig: MiddlewareHandler<AppEnv> = cors({
  origin: (origin, c) => allowedOrigin(origin, configOf(c.env), c.req.path),
  allowMethods: ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS'],
  allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'Accept-Language'],
  exposeHeaders: ['ETag', 'Retry-After'],
  maxAge: 600,
});
