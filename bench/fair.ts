// `npm run bench -- fair`: another tenant's 20 invoices, alone and while one tenant's server is a
// tarpit (greets, then answers EHLO one byte every 400 ms, as the probe's did). The floor is the
// same 20 alone, on the same stack, before and after; the figure is the ratio (goal ≤ 2×).
import { createServer, type Server, type Socket } from 'node:net';
import { TEST_CA_FILE } from '../test/support/smtp-servers.ts';
import { startSmtpCounter } from './lib/smtp-counter.ts';
import { startBenchStack, type BenchStack, type Runtime } from './lib/stack.ts';
import { median, ms } from './lib/stats.ts';

const INVOICES = 20;

async function startTarpit(): Promise<{ port: number; connections: () => number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.write('220 tarpit.bench ESMTP\r\n');
    socket.once('data', () => {
      const text = '250-tarpit.bench says hello\r\n';
      let i = 0;
      const timer = setInterval(() => socket.writable && socket.write(text[i++ % text.length]!), 400);
      socket.on('close', () => clearInterval(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function tenantOn(stack: BenchStack, name: string, settings: Record<string, unknown>): Promise<string> {
  const tenant = `${name}-${Date.now()}`;
  const put = await fetch(`${stack.apiUrl}/v1/mail-server`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${await stack.token(tenant)}`, 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (!put.ok) throw new Error(`PUT settings: ${put.status} ${await put.text()}`);
  return tenant;
}

let key = 0;
async function post(stack: BenchStack, tenant: string, subject: string): Promise<void> {
  const res = await fetch(`${stack.apiUrl}/v1/tenants/${tenant}/messages`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.operatorKey}`,
      'content-type': 'application/json',
      'idempotency-key': `fair-${key++}`,
    },
    body: JSON.stringify({ kind: 'invoice', to: ['kunde@kunde.example.com'], subject, text: 'Anbei.' }),
  });
  if (res.status !== 202) throw new Error(`POST message: ${res.status} ${await res.text()}${stack.logTail()}`);
}

/** Ms from the first POST until the counting server has all of this round's invoices. */
async function timedRound(stack: BenchStack, tenant: string, smtp: { accepted: () => number }): Promise<number> {
  const target = smtp.accepted() + INVOICES;
  const start = performance.now();
  for (let i = 0; i < INVOICES; i++) await post(stack, tenant, `Rechnung ${i}`);
  const deadline = Date.now() + 180_000;
  while (smtp.accepted() < target) {
    if (Date.now() > deadline)
      throw new Error(`only ${smtp.accepted() - target + INVOICES} of ${INVOICES} sent in 3 min`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - start;
}

export async function benchFair(runtime: Runtime): Promise<string[]> {
  if (runtime === 'workerd') return ['not measured: plain workerd has no Queue broker'];
  const credentials = { username: 'fair@tenant.example', password: 'Fair-Kennwort-1' };
  const smtp = await startSmtpCounter(credentials);
  const tarpit = await startTarpit();
  const stack = await startBenchStack({ runtime, env: { SSL_CERT_FILE: TEST_CA_FILE } });
  try {
    const other = await tenantOn(stack, 'fair-other', {
      host: 'localhost',
      port: smtp.port,
      security: 'starttls',
      auth: { method: 'plain', ...credentials },
    });
    const slow = await tenantOn(stack, 'fair-tarpit', {
      host: '127.0.0.1',
      port: tarpit.port,
      security: 'none',
      auth: { method: 'none' },
    });
    const floor: number[] = [];
    for (let i = 0; i < 3; i++) floor.push(await timedRound(stack, other, smtp));
    // The tarpit's first invoices: its server is not known to be slow yet.
    for (let i = 0; i < 10; i++) await post(stack, slow, `Rechnung ${i} (Tarpit)`);
    const first = await timedRound(stack, other, smtp);
    // Once its first sends stalled (30 s): the tarpit tenant keeps sending, as a portal would.
    const steady: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 5; j++) await post(stack, slow, `Rechnung ${i}.${j} (Tarpit)`);
      steady.push(await timedRound(stack, other, smtp));
    }
    floor.push(await timedRound(stack, other, smtp));
    const base = median(floor);
    const ratio = (t: number) => `${(t / base).toFixed(1)}×`;
    return [
      `floor: ${INVOICES} invoices of one tenant alone, median of 4 rounds: ${ms(base)}`,
      `with the tarpit's first 10 invoices just posted: ${ratio(first)} the floor (goal ≤ 2×)`,
      `with the tarpit tenant still posting, 3 rounds: ${steady.map(ratio).join(', ')} the floor (goal ≤ 2×)`,
      `the tarpit saw ${tarpit.connections()} connections`,
    ];
  } finally {
    await stack.stop();
    await tarpit.stop();
    await smtp.stop();
  }
}
