// Invoices per second through the outbox (POST → queue → SMTP over the tenant route, STARTTLS +
// AUTH) and the time from each 202 to `sent`. Figures only.
import { TEST_CA_FILE } from '../test/support/smtp-servers.ts';
import { startSmtpCounter } from './lib/smtp-counter.ts';
import type { DeliveriesResponse } from '../contract/index.ts';
import { cpuBetween, cpuSnapshot } from './lib/cpu.ts';
import { startBenchStack, type Runtime } from './lib/stack.ts';
import { benchOutboxFloor } from './outbox-floor.ts';
import { ms, percentile } from './lib/stats.ts';

/** BENCH_PDF_BYTES sets the attachment size (default 30 KB, a typical one-page invoice). */
const pdfBytes = Number(process.env.BENCH_PDF_BYTES ?? 30_000);

export async function benchOutbox(runtime: Runtime = 'workers', count = 200): Promise<string[]> {
  // Cloudflare Queues are Miniflare's (locally) or Cloudflare's: plain workerd has no broker.
  if (runtime === 'workerd')
    return ['not measured: plain workerd has no Queue broker; see the outbox on Workers (wrangler dev)'];
  const lines = await benchOutboxApi(runtime, count);
  return runtime === 'workers' ? [...lines, ...(await benchOutboxFloor(count, pdfBytes))] : lines;
}

type Stack = Awaited<ReturnType<typeof startBenchStack>>;

/** A tenant whose saved settings point at the counting SMTP server; its token. */
async function tenantOnServer(stack: Stack, port: number, credentials: { username: string; password: string }) {
  const tenant = `bench-outbox-${Date.now()}`;
  const token = await stack.token(tenant);
  const put = await fetch(`${stack.apiUrl}/v1/mail-server`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ host: 'localhost', port, security: 'starttls', auth: { method: 'plain', ...credentials } }),
  });
  if (!put.ok) throw new Error(`PUT settings: ${put.status} ${await put.text()}`);
  return { tenant, token };
}

/** `count` invoices posted by 8 concurrent clients; when each was accepted (202), by delivery id. */
async function postInvoices(stack: Stack, tenant: string, count: number): Promise<Map<string, number>> {
  const operator = { authorization: `Bearer ${stack.operatorKey}`, 'content-type': 'application/json' };
  const pdf = Buffer.alloc(pdfBytes, 7).toString('base64');
  const acceptedAt = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(`${stack.apiUrl}/v1/tenants/${tenant}/messages`, {
          method: 'POST',
          headers: { ...operator, 'idempotency-key': `bench-${i}` },
          body: JSON.stringify({
            kind: 'invoice',
            to: [`kunde${i}@kunde.example.com`],
            subject: `Rechnung ${i}`,
            text: 'Anbei Ihre Rechnung.',
            attachments: [{ filename: `Rechnung-${i}.pdf`, contentType: 'application/pdf', content: pdf }],
          }),
        });
        if (res.status !== 202) throw new Error(`POST message: ${res.status} ${await res.text()}${stack.logTail()}`);
        acceptedAt.set(((await res.json()) as { id: string }).id, Date.now());
      }
    }),
  );
  return acceptedAt;
}

/** Polls the tenant's deliveries until all `count` are sent (sentAt from the same machine's clock). */
async function waitUntilSent(stack: Stack, token: string, count: number): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  const deadline = Date.now() + 120_000;
  while (sentAt.size < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    let cursor: string | null = null;
    do {
      const res = await fetch(`${stack.apiUrl}/v1/deliveries?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const page = (await res.json()) as DeliveriesResponse;
      for (const d of page.deliveries) {
        if (d.status === 'failed') throw new Error(`delivery ${d.id} failed: ${JSON.stringify(d.error)}`);
        if (d.status === 'sent' && d.sentAt) sentAt.set(d.id, Date.parse(d.sentAt));
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  if (sentAt.size < count) throw new Error(`only ${sentAt.size} of ${count} sent within 2 minutes`);
  return sentAt;
}

async function benchOutboxApi(runtime: Runtime, count: number): Promise<string[]> {
  const credentials = { username: 'bench@tenant.example', password: 'Grüße-Pässwort-1' };
  const smtp = await startSmtpCounter(credentials);
  const stack = await startBenchStack({ runtime, env: { SSL_CERT_FILE: TEST_CA_FILE } }).catch(async (error) => {
    await smtp.stop();
    throw error;
  });
  try {
    const { tenant, token } = await tenantOnServer(stack, smtp.port, credentials);
    const cpuAtStart = cpuSnapshot();
    const start = Date.now();
    const acceptedAt = await postInvoices(stack, tenant, count);
    const allAccepted = Date.now();
    const cpuAccepted = cpuSnapshot();
    const postedMs = allAccepted - start;
    const sentAt = await waitUntilSent(stack, token, count);
    const cpuAtEnd = cpuSnapshot();
    const endedAt = Date.now();
    const latencies = [...acceptedAt].map(([id, t]) => Math.max(0, sentAt.get(id)! - t));
    const lastSent = Math.max(...sentAt.values());
    const seconds = (lastSent - start) / 1000;
    // Once the POSTs stop competing for the API's one thread, how fast does the outbox drain?
    const sentAfterAccepting = [...sentAt.values()].filter((t) => t > allAccepted).length;
    const drainRate = sentAfterAccepting / Math.max(0.001, (lastSent - allAccepted) / 1000);
    return [
      `${count} invoices (${Math.round(pdfBytes / 1000)} KB PDF each) for one tenant, 8 concurrent POSTs, tenant route STARTTLS + AUTH, ` +
        (runtime === 'workers' ? 'Cloudflare Queue under wrangler dev:' : 'the in-process outbox on Node:'),
      `  all accepted (202) in ${ms(postedMs)}, all sent after ${seconds.toFixed(2)} s → ${(count / seconds).toFixed(0)} invoices/s (target ≥ 100)`,
      `  after the last 202: ${sentAfterAccepting} still to send, drained at ${drainRate.toFixed(0)} invoices/s`,
      `  202 → sent: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))} (target p50 ≤ 1 s)`,
      `  SMTP server accepted ${smtp.accepted()} messages`,
      // The whole stack shares this machine's cores: where they went, while accepting and after.
      `  while accepting: ${cpuBetween(cpuAtStart, cpuAccepted, postedMs / 1000)}`,
      `  after the last 202: ${cpuBetween(cpuAccepted, cpuAtEnd, (endedAt - allAccepted) / 1000)}`,
    ];
  } finally {
    await stack.stop();
    await smtp.stop();
  }
}
