/** How long one database call may take before it counts as the database being away. */
export const DATABASE_TIMEOUT_MS = 15_000;

/**
 * The database could not be reached or did not answer (network error, timeout, an HTTP error from
 * sqld/Turso): nothing is known to have been applied. The API answers 503 with Retry-After.
 */
export class DatabaseUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    // The cause's class and code only: its message may quote the server's answer.
    const code = (cause as { code?: unknown } | null)?.code;
    super(
      `database unavailable (${(cause as Error | null)?.name ?? typeof cause}${typeof code === 'string' ? ` ${code}` : ''})`,
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/** Whether this error, or one it wraps (drizzle wraps driver errors), is a DatabaseUnavailableError. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let e = error, depth = 0;
    e && typeof e === 'object' && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (e instanceof DatabaseUnavailableError) return true;
  }
  return false;
}

/**
 * Whether a client error means the database was not reached, as opposed to a statement it refused
 * (a constraint, a syntax error: LibsqlError with an SQLite code). A failed or timed-out fetch is
 * already a DatabaseUnavailableError (fetchWithTimeout), also when the client wraps it; besides
 * that the client reports SERVER_ERROR for an HTTP status other than 200, and its own codes for a
 * closed stream or WebSocket (Node, libsql://).
 */
export function isUnavailable(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SERVER_ERROR' || code === 'HRANA_CLOSED_ERROR' || code === 'HRANA_WEBSOCKET_ERROR';
}

/** The request's headers, asking for an uncompressed answer. */
function uncompressed(input: RequestInfo | URL, init: RequestInit | undefined): Headers {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.set('accept-encoding', 'identity');
  return headers;
}

/**
 * The fetch for the libSQL client: a call gives up after DATABASE_TIMEOUT_MS, and whatever makes it
 * fail before the whole answer is in (workerd says "Network connection lost.", Node "fetch failed"
 * or "terminated", also when the connection drops halfway through the body) is reported as the
 * database being unavailable. The body is read here for that reason.
 *
 * `uncompressed` (Node): asks for answers without compression, as workerd's fetch does anyway.
 * Node's fetch asks for gzip, so sqld compressed every answer and Node inflated it again (each
 * invoice's payload is read back before it is sent): in a CPU profile of the Node outbox
 * benchmark, inflating took 385 ms of about 5 s, for nothing on loopback. workerd never asks, so
 * its requests go as the libSQL client built them, not rebuilt with new headers.
 */
export function fetchWithTimeout(
  timeoutMs = DATABASE_TIMEOUT_MS,
  options: { uncompressed?: boolean } = {},
): typeof fetch {
  return (input, init) =>
    fetch(input, {
      ...init,
      ...(options.uncompressed ? { headers: uncompressed(input, init) } : {}),
      signal: init?.signal ?? AbortSignal.timeout(timeoutMs),
    })
      .then(async (res) => {
        const body = await res.arrayBuffer();
        // fetch has decoded the body already: the copy must not claim an encoding or another length.
        const headers = new Headers(res.headers);
        headers.delete('content-encoding');
        headers.delete('content-length');
        return new Response(body, { status: res.status, statusText: res.statusText, headers });
      })
      .catch((error: unknown) => {
        throw new DatabaseUnavailableError(error);
      });
}
