// One RFC 8484 exchange: POST the query as application/dns-message, read at most `maxBytes` back.
import { readAtMost } from '../util/read-at-most.ts';
import type { WireFailure } from './wire.ts';

const DNS_MESSAGE = 'application/dns-message';

export const TIMEOUT: WireFailure = { reason: 'timeout', detail: 'no complete answer in time' };

/** Drops an answer's body unread (whether the cancel itself fails does not matter). */
const discard = (res: Response) => void res.body?.cancel().catch(() => {});

async function answerBytes(res: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array | WireFailure> {
  if (res.status !== 200) {
    discard(res);
    return { reason: 'http_error', detail: `HTTP ${res.status}` };
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== DNS_MESSAGE) {
    discard(res);
    return { reason: 'bad_content_type', detail: `content type ${type || '(none)'}` };
  }
  const oversize: WireFailure = { reason: 'oversize', detail: `answer over ${maxBytes} bytes` };
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    discard(res);
    return oversize;
  }
  const body = res.body ? await readAtMost(res.body, maxBytes) : new Uint8Array(0);
  if (body === 'too_large') return oversize;
  if (body === 'broken') return signal.aborted ? TIMEOUT : { reason: 'network', detail: 'the answer broke off' };
  return body;
}

/** Sends one query; the answer's bytes, or why there are none. Never throws. */
export async function exchange(
  url: string,
  query: Uint8Array,
  signal: AbortSignal,
  maxBytes: number,
): Promise<Uint8Array | WireFailure> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': DNS_MESSAGE, accept: DNS_MESSAGE },
      body: query as Uint8Array<ArrayBuffer>,
      signal,
      redirect: 'manual',
    });
    return await answerBytes(res, maxBytes, signal);
  } catch (error) {
    if (signal.aborted) return TIMEOUT;
    return { reason: 'network', detail: error instanceof Error ? error.message : String(error) };
  }
}
