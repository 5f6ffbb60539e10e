import type { Context, MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from './context.ts';
import { ApiError, type FieldError } from './problem.ts';
import { fieldMessage, isFieldCode, tooLongMessage, unknownFieldMessage } from '../i18n/field-messages.ts';
import { jsonShapeProblem } from '../util/json-depth.ts';
import { readAtMost } from '../util/read-at-most.ts';
import { parseJson } from '../util/json-parse.ts';
import type { Lang } from '../i18n/lang.ts';
import { malformedTextPath } from '../util/text.ts';

type AnySchema = v.GenericSchema | v.GenericSchemaAsync;

/** Turns valibot issues into field errors: dotted path, a stable code, a localized message. */
export function toFieldErrors(issues: readonly v.BaseIssue<unknown>[], lang: Lang): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const path = (issue.path ?? []).map((item) => String(item.key)).join('.');
    // A key that is missing altogether is reported by its parent object's check; say "required".
    const missing = issue.input === undefined && path !== '' && issue.kind === 'schema';
    // `unknown_field:<key>` names the key a typo probably meant (http/strict-object.ts).
    const [given = '', meant] = issue.message.split(':', 2);
    const code = missing ? 'required' : isFieldCode(given) ? given : 'invalid_value';
    // One message per field: the first problem found is the one to fix first.
    if (seen.has(path)) continue;
    seen.add(path);
    let message: string;
    // A length limit is named, so the user knows how much to cut.
    if (code === 'too_long' && typeof issue.requirement === 'number') message = tooLongMessage(issue.requirement, lang);
    else if (code === 'unknown_field' && meant) message = unknownFieldMessage(meant, lang);
    else message = fieldMessage(code, lang);
    errors.push({ path, code, message });
  }
  return errors;
}

export function validationError(errors: FieldError[]): ApiError {
  return new ApiError(422, 'validation_failed', errors);
}

/** Bodies of the settings, test and tenant calls are a few hundred bytes; this leaves ample room. */
export const MAX_JSON_BYTES = 64 * 1024;

/** No body this API takes nests deeper than 4 levels; parsing and walking millions of levels takes seconds. */
export const MAX_JSON_DEPTH = 32;

/**
 * Items in all arrays and objects of a body together (an empty one counts as one): the largest
 * message a schema takes has about 560 (three lists of 50 recipients, 100 attachments of 3 fields).
 * Checked before parsing, as 600,000 addresses in 6 MiB took two minutes to validate one by one.
 */
export const MAX_JSON_ITEMS = 1000;

type JsonTarget<S extends AnySchema> = { in: { json: v.InferInput<S> }; out: { json: v.InferOutput<S> } };

/**
 * Reads the JSON body (413 when larger than `maxBytes`, 400 when not UTF-8 or unparsable, 415 when
 * not JSON) and validates it with valibot (422); the route reads the result with
 * `c.req.valid('json')`. The body is decoded and parsed once, here: the checks before parsing need
 * the bytes, and a second parse (as a validator reading `c.req.json()` would do) costs tens of
 * milliseconds on a 14 MiB invoice.
 */
export function jsonBody<S extends AnySchema>(
  schema: S,
  maxBytes = MAX_JSON_BYTES,
): MiddlewareHandler<AppEnv, string, JsonTarget<S>> {
  const limit = limitBody(maxBytes);
  return (c, next) =>
    limit(c, async () => {
      await validateJson(c, schema, await readJsonObject(c, maxBytes));
      await next();
    }) as Promise<void>;
}

/**
 * 413 for a body over `maxBytes`, found while it streams in: a body without a declared length
 * (chunked) is read only up to the limit, never to its end (which may never come), and then handed
 * on as bytes. A body that breaks off is a 400 `invalid_json` (like Hono's bodyLimit, but that one
 * let a broken stream become a 500).
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = c.req.raw;
    if (raw.body && (!raw.headers.has('content-length') || raw.headers.has('transfer-encoding'))) {
      c.req.raw = new Request(raw, { body: await readUpTo(raw.body, maxBytes) });
    } else if (Number(raw.headers.get('content-length')) > maxBytes) {
      throw new ApiError(413, 'payload_too_large');
    }
    await next();
  };
}

async function readUpTo(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await readAtMost(body, maxBytes);
  if (bytes === 'broken') throw new ApiError(400, 'invalid_json'); // the body broke off
  if (bytes === 'too_large') throw new ApiError(413, 'payload_too_large');
  return bytes;
}

/** Validates a parsed body and hands the output to `c.req.valid('json')`. */
export async function validateJson(
  c: Context<AppEnv>,
  schema: AnySchema,
  body: Record<string, unknown>,
): Promise<void> {
  const result = await v.safeParseAsync(schema, body);
  if (!result.success) throw validationError(toFieldErrors(result.issues, c.var.lang));
  c.req.addValidatedData('json', result.output as object);
}

/** The body as a JSON object, with every check that comes before validation. */
export async function readJsonObject(c: Context<AppEnv>, maxBytes = MAX_JSON_BYTES): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  // JSON is UTF-8 (RFC 8259); another declared charset would be read wrongly.
  const charset = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(type);
  if (
    !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type) ||
    (charset && !/^utf-?8$/i.test(charset[1] ?? charset[2] ?? ''))
  ) {
    throw new ApiError(415, 'unsupported_media_type');
  }
  let bytes: ArrayBuffer;
  try {
    bytes = await c.req.arrayBuffer();
  } catch {
    throw new ApiError(400, 'invalid_json'); // the body broke off
  }
  // Without a declared length (chunked, or built in-process) the bytes tell.
  if (bytes.byteLength > maxBytes) throw new ApiError(413, 'payload_too_large');
  let text: string;
  try {
    // Bytes that are not UTF-8 would become U+FFFD unnoticed.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_encoding');
  }
  const shape = jsonShapeProblem(text, MAX_JSON_DEPTH, MAX_JSON_ITEMS);
  if (shape) throw new ApiError(400, shape === 'too_deep' ? 'json_too_deep' : 'json_too_many_items');
  let body: unknown;
  try {
    body = parseJson(text);
  } catch {
    throw new ApiError(400, 'invalid_json');
  }
  // Every body this API takes is a JSON object (valibot's object schema would accept an array).
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationError([{ path: '', code: 'invalid_object', message: fieldMessage('invalid_object', c.var.lang) }]);
  }
  // JSON can spell half a surrogate pair ("\ud800"); such text cannot be stored or sent.
  const malformed = malformedTextPath(body);
  if (malformed !== null)
    throw validationError([
      { path: malformed, code: 'invalid_text', message: fieldMessage('invalid_text', c.var.lang) },
    ]);
  return body as Record<string, unknown>;
}

/**
 * Like `jsonBody`, but a request without a body passes with `c.req.valid('json')` undefined
 * (the test send: without a draft the saved settings are tested).
 */
export function optionalJsonBody<S extends AnySchema>(
  schema: S,
  maxBytes = MAX_JSON_BYTES,
): MiddlewareHandler<AppEnv, string, { in: { json?: v.InferInput<S> }; out: { json: v.InferOutput<S> | undefined } }> {
  const limit = limitBody(maxBytes);
  return (c, next) => limit(c, () => readOptionalJson(c, schema, maxBytes, next)) as Promise<void>;
}

async function readOptionalJson(
  c: Context<AppEnv>,
  schema: AnySchema,
  maxBytes: number,
  next: () => Promise<void>,
): Promise<void> {
  const length = c.req.header('content-length');
  if (length === '0') return next();
  const declared = length !== undefined || c.req.header('transfer-encoding') !== undefined;
  // A body without a declared length (a Request built in-process, as on Node or in tests) is read
  // to be sure it is really empty. As bytes: the read is cached, and the JSON reading after it must
  // see the bytes themselves to refuse what is not UTF-8.
  if (!declared && (c.req.raw.body === null || (await bodyByteLength(c)) === 0)) return next();
  await validateJson(c, schema, await readJsonObject(c, maxBytes));
  return next();
}

/** Bytes in the (already limited) body; one that broke off is a 400 like any unreadable body. */
async function bodyByteLength(c: Context<AppEnv>): Promise<number> {
  try {
    return (await c.req.arrayBuffer()).byteLength;
  } catch {
    throw new ApiError(400, 'invalid_json');
  }
}
