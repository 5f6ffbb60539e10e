// The webhook receiver for the workers tests: code in workerd cannot listen, so the global setup
// runs the receiver (webhook-receiver.ts) in Node and the tests steer and read it over loopback HTTP:
//   PUT /answers/<tenantId>  ["fail", "accept"]: how the next events of that tenant are answered
//                            (then accept);
//   GET /events?tenantId=&type=&count=: answers once `count` (default 1) events of that tenant
//                            (and type) arrived, with all of them in order of arrival.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Answer, type ReceivedEvent, startWebhookReceiver } from './webhook-receiver.ts';

export interface WebhookReceiverInfo {
  /** WEBHOOK_URL of the workers project. */
  url: string;
  /** WEBHOOK_SECRET of the workers project. */
  secret: string;
  controlUrl: string;
}

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => resolve(raw));
  });

export async function startWebhookReceiverControl() {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startWebhookReceiver(secret);
  const scripts = new Map<string, Answer[]>();
  const tenantOf = (e: ReceivedEvent) => String(e.body.data.tenantId);
  receiver.answer = (e) => scripts.get(tenantOf(e))?.shift() ?? 'accept';

  const control = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answers = url.pathname.match(/^\/answers\/(.+)$/);
    if (answers && req.method === 'PUT') {
      scripts.set(decodeURIComponent(answers[1]!), JSON.parse(await bodyOf(req)) as Answer[]);
      return res.writeHead(204).end();
    }
    if (url.pathname !== '/events' || req.method !== 'GET') return res.writeHead(404).end();
    const tenantId = url.searchParams.get('tenantId');
    const type = url.searchParams.get('type');
    const count = Number(url.searchParams.get('count') ?? '1');
    const matches = (e: ReceivedEvent) => tenantOf(e) === tenantId && (type === null || e.body.type === type);
    await receiver.waitFor((e) => matches(e) && receiver.received.filter(matches).length >= count);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(receiver.received.filter(matches)));
  });
  control.on('error', () => {});
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const info: WebhookReceiverInfo = {
    url: receiver.url,
    secret,
    controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
  };
  return {
    info,
    stop: async () => {
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
      await receiver.stop();
    },
  };
}
