// The contract check: every response the tests receive from the API is validated against the
// OpenAPI document's schema for its route, method and status. Used by the tests' call helpers.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

type Json = Record<string, any>;

interface Operation {
  template: string;
  pattern: RegExp;
  literals: number;
}

/** `~` and `/` escaped, as a JSON pointer segment. */
const segment = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Paths the document answers for; others (the widget file, the demo, /dev) are not part of the API. */
const isApiPath = (path: string) => path.startsWith('/v1/') || path === '/healthz';

export function contractChecker(document: Json) {
  const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
  // ajv-formats is CommonJS: its default export arrives wrapped or not, depending on the loader.
  ((formats as unknown as { default?: typeof formats }).default ?? formats)(ajv);
  ajv.addSchema(document, 'openapi');
  const validators = new Map<string, ValidateFunction>();
  const operations: Operation[] = Object.keys(document.paths as Json)
    .map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
    }))
    // A literal segment wins over a parameter (`/v1/mail-server/test` before `/v1/mail-server/{x}`).
    .sort((a, b) => b.literals - a.literals);

  function validator(pointer: string): ValidateFunction {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  }

  /** Where the response object for this answer lives in the document, or why there is none. */
  function responsePointer(method: string, path: string, status: number): string {
    const op = operations.find((o) => o.pattern.test(path) && document.paths[o.template][method]);
    // The router's own answers for what no route serves: a 404, or a 405 naming the methods.
    if (!op && (status === 404 || status === 405)) return `/components/responses/Problem${status}`;
    if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in openapi.json`);
    const response = document.paths[op.template][method].responses[String(status)];
    const route = `${method.toUpperCase()} ${op.template}`;
    if (!response) throw new Error(`${route} answered ${status}, which openapi.json does not document`);
    if (response.$ref) return String(response.$ref).slice(1);
    return `/paths/${segment(op.template)}/${method}/responses/${status}`;
  }

  return async function check(method: string, url: string, response: Response): Promise<void> {
    const path = new URL(url).pathname;
    const verb = method.toLowerCase();
    // CORS preflights and HEAD are answered by the framework, not by the routes.
    if (!isApiPath(path) || verb === 'options' || verb === 'head') return;
    const pointer = responsePointer(verb, path, response.status);
    const documented = pointer
      .split('/')
      .slice(1)
      .reduce((node: Json, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    const where = `${method.toUpperCase()} ${path} → ${response.status}`;
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!documented.content) {
      if (type) throw new Error(`${where}: openapi.json documents no body, the API sent ${type}`);
      return;
    }
    if (!documented.content[type]) throw new Error(`${where}: openapi.json does not document the body type ${type}`);
    // A stream (server-sent events) is only checked for its type; reading it here would wait for its end.
    if (!/json$/.test(type)) return;
    const validate = validator(`${pointer}/content/${segment(type)}/schema`);
    const body = await response.clone().json();
    if (!validate(body)) throw new Error(`${where} does not match openapi.json: ${ajv.errorsText(validate.errors)}`);
  };
}

export type ContractCheck = ReturnType<typeof contractChecker>;
