/**
 * `SELECT 1` as one Hrana pipeline by plain fetch (no libSQL client, no drizzle): the floor under
 * every call that reads or writes, which the benchmark shows next to GET /v1/mail-server.
 */
export async function pingDatabase(url: string, authToken: string | undefined): Promise<boolean> {
  return fetch(`${url.replace(/\/+$/, '')}/v2/pipeline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authToken ? { authorization: `Bearer ${authToken}` } : {}) },
    body: '{"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}},{"type":"close"}]}',
    signal: AbortSignal.timeout(5_000),
  }).then(
    async (res) => {
      await res.arrayBuffer();
      return res.ok;
    },
    () => false,
  );
}
