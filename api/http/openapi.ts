import { Scalar } from '@scalar/hono-api-reference';
import type { Env, Hono, MiddlewareHandler, Schema } from 'hono';
import { describeRoute, generateSpecs, openAPIRouteHandler, resolver } from 'hono-openapi';
import type { OpenAPIV3_1 } from 'openapi-types';
import type * as v from 'valibot';
import type { ProblemCode } from '../i18n/problems.ts';
import type { AppEnv } from './context.ts';
import { problemSchema } from './openapi-schemas.ts';

/** The status each problem code is answered with; a new code must be placed here (the type checker asks). */
export const PROBLEM_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  invalid_encoding: 400,
  json_too_deep: 400,
  json_too_many_items: 400,
  unauthorized: 401,
  token_audience_mismatch: 401,
  token_issuer_mismatch: 401,
  token_lifetime_too_long: 401,
  operator_unauthorized: 401,
  forbidden: 403,
  loopback_host_required: 403,
  not_found: 404,
  tenant_not_found: 404,
  method_not_allowed: 405,
  not_configured: 409,
  delivery_in_progress: 409,
  delivery_already_sent: 409,
  delivery_not_resendable: 409,
  system_relay_unavailable: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  message_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  idempotency_conflict: 422,
  rate_limited: 429,
  internal: 500,
  service_unavailable: 503,
  database_unavailable: 503,
  outcome_unknown: 503,
} as const satisfies Record<ProblemCode, number>;

type ProblemStatus = (typeof PROBLEM_STATUS)[keyof typeof PROBLEM_STATUS];

const STATUS_TEXT: Record<ProblemStatus, string> = {
  400: 'The body is not readable JSON (broken off, not UTF-8, too deeply nested or too many items).',
  401: 'The bearer token is missing, expired or invalid (see `WWW-Authenticate`).',
  403: 'Refused for this caller.',
  404: 'Nothing at this address, or not this tenant’s.',
  405: 'The path exists for other methods (see `Allow`).',
  409: 'Nothing is saved to act on, or the delivery’s state does not allow the action (see `code`).',
  412: 'The `If-Match` version is not the stored one: reload and try again.',
  413: 'The body or the message is too large.',
  415: 'The body is not `application/json` in UTF-8.',
  422: 'Field errors in `errors` (path, code, localized message), or an Idempotency-Key reused with another body.',
  429: 'Too many in a short time; try again after `Retry-After` seconds.',
  500: 'An unexpected fault; it is logged.',
  503: 'A dependency is not reachable or not configured; safe to retry after `Retry-After`.',
};

function codesFor(status: ProblemStatus): ProblemCode[] {
  return (Object.keys(PROBLEM_STATUS) as ProblemCode[]).filter((code) => PROBLEM_STATUS[code] === status);
}

function problemResponse(status: ProblemStatus) {
  const codes = codesFor(status);
  const code = codes[0]!;
  return {
    description: `${STATUS_TEXT[status]} Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    content: {
      'application/problem+json': {
        schema: resolver(problemSchema(codes)),
        example: {
          type: `urn:mail-server-settings:problem:${code}`,
          title: 'Invalid input',
          status,
          detail: 'Please correct the fields marked.',
          code,
          ...(status === 422 ? { errors: [{ path: 'host', code: 'required', message: 'Required.' }] } : {}),
        },
      },
    },
  };
}

const STATUSES = [...new Set(Object.values(PROBLEM_STATUS))];

/** References to the shared problem responses, e.g. `...problems(401, 422)` in a route's `responses`. */
export function problems(...statuses: ProblemStatus[]): Record<string, OpenAPIV3_1.ReferenceObject> {
  return Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Problem${s}` }]));
}

/** A JSON response whose schema is the valibot schema's, with an example. */
export function jsonResponse(description: string, schema: v.GenericSchema, example?: unknown) {
  return { description, content: { 'application/json': { schema: resolver(schema), example } } };
}

/** A JSON request body validated by the valibot schema the route's `jsonBody` uses. */
export function jsonRequest(schema: v.GenericSchema | v.GenericSchemaAsync, example: unknown, required = true) {
  return { required, content: { 'application/json': { schema: resolver(schema), example } } };
}

export const tenantAuth = { security: [{ tenantToken: [] }] };
export const operatorAuth = { security: [{ operatorKey: [] }] };

/** Problems every body-taking route can answer before its own checks. */
export const BODY_PROBLEMS = [400, 413, 415, 422] as const;

export { describeRoute };

const options: Parameters<typeof generateSpecs>[1] = {
  documentation: {
    info: {
      title: 'mail-server-settings API',
      version: '1',
      description:
        'Tenant-owned outgoing mail server: the settings a tenant edits in the `<mail-server-settings>` widget (tenant token) and the host application’s server-to-server calls (operator key). Errors are RFC 9457 problem+json with a stable `code`; texts follow `Accept-Language` (German or English).',
    },
    tags: [
      { name: 'settings', description: 'The tenant’s mail server (tenant token).' },
      { name: 'operator', description: 'The host application’s calls (operator key).' },
      { name: 'service', description: 'Health and this document.' },
    ],
    components: {
      securitySchemes: {
        tenantToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'HS256 JWT minted by the host application’s backend for one tenant (`sub`, `email`, `name`).',
        },
        operatorKey: { type: 'http', scheme: 'bearer', description: 'The deployment’s `OPERATOR_API_KEY`.' },
      },
      responses: Object.fromEntries(STATUSES.map((s) => [`Problem${s}`, problemResponse(s)])),
    },
  },
  // Any route can fail unexpectedly or lose its database.
  defaultOptions: Object.fromEntries(
    (['GET', 'PUT', 'POST', 'DELETE'] as const).map((m) => [m, { responses: problems(500, 503) }]),
  ),
};

/** The OpenAPI 3.1 document of the app's described routes (the script and the tests). */
export function openApiDocument<E extends Env, S extends Schema, P extends string>(app: Hono<E, S, P>) {
  return generateSpecs(app, options);
}

/** `GET /openapi.json`: built on the first request of an isolate, then served from memory. */
export function openApiRoute<E extends Env, S extends Schema, P extends string>(app: Hono<E, S, P>) {
  return openAPIRouteHandler(app, options);
}

/** `GET /docs`: Scalar's reference page of /openapi.json, in development only. */
export const apiReferencePage: MiddlewareHandler<AppEnv> = (c, next) =>
  c.var.deps.config.development ? referencePage(c, next) : next();

const referencePage = Scalar<AppEnv>({ url: '/openapi.json', pageTitle: 'mail-server-settings API' });
