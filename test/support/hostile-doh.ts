// A DoH server that answers wrongly on purpose, one way per path (Node only: started by the global
// setup; workerd tests reach it over loopback). Each answers the query it got, then spoils it.
import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import type { DnsFailureReason } from '../../api/dns/types.ts';

/** Each way of answering wrongly, and the reason the resolver must give for it. */
export const HOSTILE_CASES = {
  'wrong-id': 'mismatch',
  'wrong-question': 'mismatch',
  'pointer-loop': 'malformed',
  truncated: 'malformed',
  'tc-flag': 'malformed',
  'query-echo': 'malformed',
  oversize: 'oversize',
  'oversize-declared': 'oversize',
  'wrong-content-type': 'bad_content_type',
  'http-500': 'http_error',
  redirect: 'http_error',
  silent: 'timeout',
  drip: 'timeout',
  servfail: 'servfail',
} as const satisfies Record<string, DnsFailureReason>;
export type HostileCase = keyof typeof HOSTILE_CASES;

/** A correct answer to the query: one A record (or SERVFAIL). */
function answerTo(query: Packet, changes: Partial<Packet> & { rcode?: number } = {}): Buffer {
  const [question] = query.questions ?? [];
  const { rcode = 0, ...rest } = changes;
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: query.questions,
    answers: question && rcode === 0 ? [{ type: 'A', name: question.name, ttl: 300, data: '192.0.2.66' }] : [],
    ...rest,
  });
}

/** The answer with its record's owner name replaced by a compression pointer to itself. */
function pointerLoop(query: Packet): Buffer {
  const answer = answerTo(query);
  // The header and question as the query had them: the answer's first name starts right after.
  const at = dnsPacket.encode({ type: 'query', id: query.id, questions: query.questions }).length;
  const pointer = Buffer.from([0xc0 | (at >> 8), at & 0xff]);
  return Buffer.concat([answer.subarray(0, at), pointer, answer.subarray(at + 2)]);
}

const message = (res: ServerResponse, body: Buffer, type = 'application/dns-message') => {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length });
  res.end(body);
};

function answerCase(name: HostileCase, query: Packet, res: ServerResponse): void {
  const spoiled: Record<Exclude<HostileCase, 'silent'>, () => void> = {
    // Headers at once, then a byte now and then, never the end: the time box covers the body too.
    drip: () => {
      res.writeHead(200, { 'content-type': 'application/dns-message', 'content-length': 512 });
      const timer = setInterval(() => res.write(Buffer.from([0])), 100);
      res.on('close', () => clearInterval(timer));
    },
    'wrong-id': () => message(res, answerTo(query, { id: ((query.id ?? 0) + 1) & 0xffff })),
    'wrong-question': () => message(res, answerTo(query, { questions: [{ type: 'A', name: 'elsewhere.test' }] })),
    'pointer-loop': () => message(res, pointerLoop(query)),
    truncated: () => message(res, answerTo(query).subarray(0, 20)),
    'tc-flag': () => message(res, answerTo(query, { flags: dnsPacket.TRUNCATED_RESPONSE })),
    'query-echo': () => message(res, dnsPacket.encode(query)),
    oversize: () => {
      // Streamed without a length: the client must stop reading at its cap.
      res.writeHead(200, { 'content-type': 'application/dns-message' });
      const chunk = Buffer.alloc(16 * 1024);
      for (let i = 0; i < 8; i++) res.write(chunk);
      res.end();
    },
    'oversize-declared': () => message(res, Buffer.concat([answerTo(query), Buffer.alloc(70_000)])),
    'wrong-content-type': () => message(res, Buffer.from('{"Status":0,"Answer":[]}'), 'application/dns-json'),
    'http-500': () => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    },
    redirect: () => {
      res.writeHead(302, { location: 'https://cloudflare-dns.com/dns-query' });
      res.end();
    },
    servfail: () => message(res, answerTo(query, { rcode: 2 })),
  };
  if (name !== 'silent') spoiled[name]();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the server on a free loopback port; `url(case)` is that case's DoH endpoint. */
export async function startHostileDoh(): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1) as HostileCase;
    readBody(req)
      .then((body) => {
        if (!(name in HOSTILE_CASES)) return res.writeHead(404).end();
        answerCase(name, dnsPacket.decode(body), res);
      })
      .catch(() => res.writeHead(400).end());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: async () => {
      // The silent and dripping cases' requests are still open.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
