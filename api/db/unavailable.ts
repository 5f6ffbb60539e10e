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
 * The database was not reached (as opposed to a statement it refused): our fetch's error, or the
 * client's codes for a non-200 answer and a closed stream or WebSocket (Node, libsql://).
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
 * The libSQL client's fetch: gives up after `timeoutMs`, and reads the whole body here so that a
 * connection lost halfway also counts as the database being unavailable. `uncompressed` (Node):
 * Node's fetch asks for gzip, and inflating sqld's answers took 385 ms of 5 s CPU in the outbox
 * benchmark; workerd never asks, so its requests stay as the client built them.
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
