// The benchmark's floor Worker, with nothing of this project in it (bench/README.md, "Floors"):
// POST / sends one message with Nodemailer; POST /queue goes through a Queue to pooled Nodemailer,
// with DATABASE_URL also storing, reading back and recording each message by plain Hrana pipelines.
import net from 'node:net';
import nodemailer from 'nodemailer';

interface SendRequest {
  host: string;
  port: number;
  username: string;
  password: string;
  message: Record<string, unknown>;
}

interface Env {
  FLOOR_QUEUE: Queue<SendRequest | { id: number }>;
  DATABASE_URL?: string;
}

type HranaValue = { type: 'integer' | 'text'; value: string } | { type: 'null' };
interface HranaResult {
  results: { type: 'ok' | 'error'; error?: { message: string }; response?: { result?: { rows: HranaValue[][] } } }[];
}

/** One pipeline of statements (each with positional text/integer arguments) on a new stream. */
async function pipeline(
  url: string,
  statements: { sql: string; args?: (string | number)[] }[],
): Promise<HranaValue[][][]> {
  const requests = statements.map(({ sql, args = [] }) => ({
    type: 'execute',
    stmt: {
      sql,
      args: args.map((a) =>
        typeof a === 'number' ? { type: 'integer', value: String(a) } : { type: 'text', value: a },
      ),
    },
  }));
  // SQLite lets one writer in at a time; sqld answers "database is locked" to the others, which
  // try again after a moment (as the API does, api/db/busy-retry.ts).
  for (const delay of [10, 30, 80, 200, 500, 0]) {
    const res = await fetch(`${url}/v2/pipeline`, {
      method: 'POST',
      body: JSON.stringify({ requests: [...requests, { type: 'close' }] }),
    });
    if (!res.ok) throw new Error(`database: HTTP ${res.status}`);
    const body = (await res.json()) as HranaResult;
    const failed = body.results.find((r) => r.type !== 'ok');
    if (failed && /locked|SQLITE_BUSY/.test(failed.error?.message ?? '') && delay > 0) {
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
      continue;
    }
    if (failed) throw new Error(`database: ${failed.error?.message}`);
    return body.results.slice(0, statements.length).map((r) => r.response?.result?.rows ?? []);
  }
  throw new Error('unreachable');
}

const text = (v: HranaValue | undefined) => (v && v.type !== 'null' ? v.value : '');

function transportFor({ host, port, username, password }: SendRequest, pool: boolean) {
  return nodemailer.createTransport({
    host,
    port,
    name: 'bench.example',
    secure: false,
    requireTLS: true,
    auth: { user: username, pass: password },
    authMethod: 'PLAIN',
    ...(pool ? { pool: true, maxConnections: 4, maxMessages: Infinity } : {}),
    // Nodemailer waits minutes by default; a stalled connection then held up the whole queue.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 10_000,
    // As the API's engine does: opened by host name, so workerd's connect() resolves it and checks
    // the certificate against it (Nodemailer's own lookup would go over DNS-over-HTTPS).
    getSocket: (_options: unknown, callback: (error: Error | null, socket?: { connection: net.Socket }) => void) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => callback(null, { connection: socket }));
      socket.once('error', (error) => callback(error));
    },
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (request.method !== 'POST') return new Response('ok');
    const send = (await request.json()) as SendRequest;
    if (new URL(request.url).pathname === '/queue') {
      if (!env.DATABASE_URL) {
        await env.FLOOR_QUEUE.send(send);
      } else {
        const [rows] = await pipeline(env.DATABASE_URL, [
          {
            sql: "INSERT INTO floor_messages (body, status) VALUES (?, 'queued') RETURNING id",
            args: [JSON.stringify(send)],
          },
        ]);
        await env.FLOOR_QUEUE.send({ id: Number(text(rows![0]![0])) });
      }
      return Response.json({ status: 'queued' }, { status: 202 });
    }
    const transport = transportFor(send, false);
    try {
      const info = await transport.sendMail(send.message);
      return Response.json({ ok: true, response: info.response });
    } catch (error) {
      return Response.json({ ok: false, error: String(error) }, { status: 502 });
    } finally {
      transport.close();
    }
  },

  async queue(batch: MessageBatch<SendRequest | { id: number }>, env: Env): Promise<void> {
    if (batch.messages.length === 0) return;
    const url = env.DATABASE_URL;
    let sends: { id: number | null; send: SendRequest; ack(): void; retry(): void }[];
    if (!url) {
      sends = batch.messages.map((m) => ({
        id: null,
        send: m.body as SendRequest,
        ack: () => m.ack(),
        retry: () => m.retry(),
      }));
    } else {
      const ids = batch.messages.map((m) => (m.body as { id: number }).id);
      const [rows] = await pipeline(url, [
        { sql: `SELECT id, body FROM floor_messages WHERE id IN (${ids.map(() => '?').join(',')})`, args: ids },
      ]);
      const bodies = new Map(rows!.map((r) => [Number(text(r[0])), JSON.parse(text(r[1])) as SendRequest]));
      sends = batch.messages.map((m) => {
        const id = (m.body as { id: number }).id;
        return { id, send: bodies.get(id)!, ack: () => m.ack(), retry: () => m.retry() };
      });
    }
    const transport = transportFor(sends[0]!.send, true);
    const sent: { id: number | null; response: string; ack(): void }[] = [];
    try {
      await Promise.all(
        sends.map(async (s) => {
          try {
            const info = await transport.sendMail(s.send.message);
            sent.push({ id: s.id, response: String(info.response), ack: () => s.ack() });
          } catch {
            s.retry();
          }
        }),
      );
    } finally {
      transport.close();
    }
    // Every reply recorded, all of the batch in one transaction (one round trip) once it is sent.
    if (url && sent.length > 0) {
      await pipeline(url, [
        { sql: 'BEGIN' },
        ...sent.map((m) => ({
          sql: "UPDATE floor_messages SET status = 'sent', response = ? WHERE id = ?",
          args: [m.response, m.id!],
        })),
        { sql: 'COMMIT' },
      ]);
    }
    for (const m of sent) m.ack();
  },
};
