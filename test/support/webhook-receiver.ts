// A real HTTP receiver for webhook tests: it verifies every request with the standardwebhooks
// library's own verifier and answers as the test tells it (accept, fail, or hang till closed).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  id: string;
  timestamp: string;
  /** Whether Webhook.verify accepted the signature (over id, timestamp and the raw body). */
  verified: boolean;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
}

export type Answer = 'accept' | 'fail' | 'hang';

export interface WebhookReceiver {
  url: string;
  received: ReceivedEvent[];
  /** How the receiver answers an event (default: accept). */
  answer: (event: ReceivedEvent) => Answer;
  /** Resolves with the first event received (or already received) that matches. */
  waitFor: (match: (event: ReceivedEvent) => boolean) => Promise<ReceivedEvent>;
  stop: () => Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const waiting: { match: (e: ReceivedEvent) => boolean; resolve: (e: ReceivedEvent) => void }[] = [];
  const hanging = new Set<ServerResponse>();
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    answer: () => 'accept',
    waitFor: (match) => {
      const found = receiver.received.find(match);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ match, resolve }));
    },
    stop: async () => {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    let verified = true;
    try {
      verifier.verify(raw, headers);
    } catch {
      verified = false;
    }
    const event = {
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      verified,
      body: JSON.parse(raw),
    };
    receiver.received.push(event);
    for (const w of [...waiting])
      if (w.match(event)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(event);
      }
    const answer = receiver.answer(event);
    if (answer === 'hang') hanging.add(res);
    else res.writeHead(answer === 'accept' ? 204 : 500).end();
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
