import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SecretBoxConfigError, SecretKeyMissingError } from '../crypto/secret-box.ts';
import { isBusyError } from '../db/busy-retry.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import type { AppEnv } from './context.ts';
import { pickLang, type Lang } from '../i18n/lang.ts';
import type { FieldCode } from '../i18n/field-messages.ts';
import { problemText, type ProblemCode } from '../i18n/problems.ts';
import { errorSummary } from '../util/error-summary.ts';

/** One field's error, placed by the widget next to the field named by `path`. */
export interface FieldError {
  path: string;
  code: FieldCode;
  message: string;
}

/** Field errors in one response; the rest are counted in `errorsOmitted` (a form shows a few at a time anyway). */
export const MAX_FIELD_ERRORS = 20;

/** A coded API error; `onError` turns it into an RFC 9457 problem+json response. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ProblemCode,
    readonly fieldErrors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(status, { message: code });
  }
}

export function problemResponse(_c: Context, error: ApiError, lang: Lang): Response {
  const text = problemText(error.code, lang);
  const body: Record<string, unknown> = {
    type: `urn:mail-server-settings:problem:${error.code}`,
    title: text.title,
    status: error.status,
    detail: text.detail,
    code: error.code,
    ...error.extra,
  };
  if (error.fieldErrors.length > 0) body.errors = error.fieldErrors.slice(0, MAX_FIELD_ERRORS);
  if (error.fieldErrors.length > MAX_FIELD_ERRORS) body.errorsOmitted = error.fieldErrors.length - MAX_FIELD_ERRORS;
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...error.headers },
  });
}

/** Known errors become their problem response; anything else is logged (one safe line, never SQL parameters) and is a 500. */
export function onError(error: Error, c: Context<AppEnv>): Response {
  const lang = c.get('lang') ?? pickLang(c.req.header('accept-language'));
  if (error instanceof ApiError) return problemResponse(c, error, lang);
  if (error instanceof HTTPException) {
    const code: ProblemCode =
      error.status === 401 ? 'unauthorized' : error.status === 404 ? 'not_found' : 'bad_request';
    return problemResponse(c, new ApiError(error.status, code), lang);
  }
  // The encryption key is missing or unusable: an operator fault that /healthz names, not a 500.
  if (error instanceof SecretKeyMissingError || error instanceof SecretBoxConfigError)
    return problemResponse(c, new ApiError(503, 'service_unavailable'), lang);
  if (isBusyError(error)) {
    // Still locked after the client's retries: a moment of overload, not a fault; nothing was written.
    console.error(`database busy on ${c.req.method} ${new URL(c.req.url).pathname}; answered 503`);
    return problemResponse(c, new ApiError(503, 'service_unavailable', [], { 'retry-after': '1' }), lang);
  }
  if (isDatabaseUnavailable(error)) {
    // Not reached or no answer in time: safe to send again (a POST with the same Idempotency-Key, a PUT with If-Match).
    console.error(
      `database unavailable on ${c.req.method} ${new URL(c.req.url).pathname}: ${errorSummary(error)}; answered 503`,
    );
    return problemResponse(c, new ApiError(503, 'database_unavailable', [], { 'retry-after': '5' }), lang);
  }
  console.error(`unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}: ${errorSummary(error)}`);
  return problemResponse(c, new ApiError(500, 'internal'), lang);
}

export function notFound(c: Context<AppEnv>): Response {
  return problemResponse(c, new ApiError(404, 'not_found'), c.get('lang') ?? pickLang(c.req.header('accept-language')));
}

/**
 * A not-found handler that answers 405 with `Allow` when the path exists for other methods.
 * `routes` = the app's registered routes (Hono's `app.routes`); middleware (`ALL`) does not count.
 */
export function notFoundOrMethodNotAllowed(
  routes: readonly { method: string; path: string }[],
): (c: Context<AppEnv>) => Response {
  const resources = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const { method, path } of routes) {
    // Development routes stay a plain 404 elsewhere: a 405 would tell they exist.
    if (method === 'ALL' || path.includes('*') || path.startsWith('/dev/')) continue;
    const key = path.replace(/\/$/, '') || '/';
    const entry = resources.get(key) ?? {
      pattern: new RegExp(`^${key.replace(/:[^/]+/g, '[^/]+')}$`),
      methods: new Set<string>(),
    };
    entry.methods.add(method);
    resources.set(key, entry);
  }
  return (c) => {
    const path = c.req.path;
    const methods = new Set<string>();
    for (const { pattern, methods: allowed } of resources.values())
      if (pattern.test(path)) for (const m of allowed) methods.add(m);
    if (methods.size === 0 || methods.has(c.req.method)) return notFound(c);
    const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    const lang = c.get('lang') ?? pickLang(c.req.header('accept-language'));
    return problemResponse(c, new ApiError(405, 'method_not_allowed', [], { allow }), lang);
  };
}
