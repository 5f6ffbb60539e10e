// What a log line may say about an unexpected error. Database errors carry the statement and its
// parameters (drizzle's DrizzleQueryError: "Failed query: …\nparams: …", plus `params` and a
// `cause`), and parameters hold password ciphertexts, message bodies and addresses: never logged.

const MAX_LINE = 300;

/** A short machine-readable code of the error or its cause (libSQL's `SQLITE_…`, Node's `E…`), if any. */
export function errorCode(error: unknown): string | null {
  for (
    let e = error, depth = 0;
    e && typeof e === 'object' && depth < 3;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  }
  return null;
}

/**
 * One line, safe to log: the error's class, a code if present, and the first line of its message
 * with anything from "params:" on removed. Never the parameters, the cause's message or the stack.
 */
export function errorSummary(error: unknown): string {
  const isError = error instanceof Error;
  const name = isError
    ? error.name && error.name !== 'Error'
      ? error.name
      : error.constructor?.name || 'Error'
    : typeof error;
  const message = isError ? error.message : String(error);
  let line = message.split(/\r?\n/, 1)[0] ?? '';
  const params = line.search(/params:/i);
  if (params >= 0) line = line.slice(0, params);
  line = line.trim();
  if (line.length > MAX_LINE) line = `${line.slice(0, MAX_LINE)}…`;
  const code = errorCode(error);
  return `${name}${code ? ` [${code}]` : ''}${line ? `: ${line}` : ''}`;
}
