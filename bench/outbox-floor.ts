// The outbox's floor, Workers only: the same invoices through bench/floor's Queue route, once
// without a database and once with the least database work an outbox needs (a local sqld).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { startSqld } from '../scripts/lib/sqld.ts';
import { TEST_CA_FILE } from '../test/support/smtp-servers.ts';
import { startFloorWorker } from './lib/floor-worker.ts';
import { startSmtpCounter } from './lib/smtp-counter.ts';
import { cpuBetween, cpuSnapshot } from './lib/cpu.ts';
import { ms, percentile } from './lib/stats.ts';

export async function benchOutboxFloor(count: number, pdfBytes: number): Promise<string[]> {
  const withoutDatabase = await floorRun(count, pdfBytes, null);
  const dir = mkdtempSync(join(tmpdir(), 'mss-bench-floor-db-'));
  const sqld = await startSqld(dir);
  try {
    const setup = createClient({ url: sqld.url });
    await setup.execute(
      'CREATE TABLE floor_messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL, status TEXT NOT NULL, response TEXT)',
    );
    setup.close();
    return [...withoutDatabase, ...(await floorRun(count, pdfBytes, sqld.url))];
  } finally {
    await sqld.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Credentials = { username: string; password: string };

/** Posts `count` invoices to the floor Worker's queue route, 8 at a time; the times of the 202s. */
async function postToFloor(url: string, smtpPort: number, credentials: Credentials, count: number, pdf: string) {
  const acceptedAt: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(`${url}/queue`, {
          method: 'POST',
          body: JSON.stringify({
            host: 'localhost',
            port: smtpPort,
            ...credentials,
            message: {
              from: { name: 'Bench GmbH', address: 'rechnung@bench.example' },
              to: `kunde${i}@kunde.example.com`,
              subject: `Rechnung ${i}`,
              text: 'Anbei Ihre Rechnung.',
              attachments: [
                { filename: `Rechnung-${i}.pdf`, contentType: 'application/pdf', content: pdf, encoding: 'base64' },
              ],
            },
          }),
        });
        const answer = await res.text();
        // wrangler dev answers an uncaught error with an HTML page: its text says what failed.
        if (res.status !== 202)
          throw new Error(
            `floor POST: HTTP ${res.status} ${answer
              .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>|<[^>]*>/g, ' ')
              .replace(/\s+/g, ' ')
              .slice(0, 300)}`,
          );
        acceptedAt.push(Date.now());
      }
    }),
  );
  return acceptedAt;
}

async function floorRun(count: number, pdfBytes: number, databaseUrl: string | null): Promise<string[]> {
  const credentials = { username: 'bench@tenant.example', password: 'Grüße-Pässwort-1' };
  const smtp = await startSmtpCounter(credentials);
  const worker = await startFloorWorker(
    { SSL_CERT_FILE: TEST_CA_FILE },
    databaseUrl ? { DATABASE_URL: databaseUrl } : {},
  ).catch(async (error) => {
    await smtp.stop();
    throw error;
  });
  try {
    const pdf = Buffer.alloc(pdfBytes, 7).toString('base64');
    const cpuAtStart = cpuSnapshot();
    const start = Date.now();
    const acceptedAt = await postToFloor(worker.url, smtp.port, credentials, count, pdf);
    const allAccepted = Date.now();
    const deadline = Date.now() + 120_000;
    while (smtp.accepted() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (smtp.accepted() < count) throw new Error(`floor: only ${smtp.accepted()} of ${count} sent within 2 minutes`);
    const cpuAtEnd = cpuSnapshot();
    const sentAt = smtp.acceptedAt();
    const lastSent = Math.max(...sentAt);
    // The messages carry no id through the SMTP counter: the k-th 202 is paired with the k-th
    // message the server accepted (the queue hands them over in order, batches in parallel).
    acceptedAt.sort((a, b) => a - b);
    const latencies = sentAt.slice(0, count).map((t, k) => Math.max(0, t - acceptedAt[k]!));
    return [
      databaseUrl
        ? `floor with the least database work (the same Worker; store before the 202, read the batch back, record all its replies in one transaction; plain Hrana pipelines to a local sqld):`
        : `floor: the same ${count} invoices through a Worker with none of the API's code (bench/floor: Queue + pooled Nodemailer, no database):`,
      `  all accepted (202) in ${ms(allAccepted - start)}, all sent after ${((lastSent - start) / 1000).toFixed(2)} s → ${(count / ((lastSent - start) / 1000)).toFixed(0)} invoices/s`,
      `  k-th 202 → k-th sent: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`,
      `  ${cpuBetween(cpuAtStart, cpuAtEnd, (Date.now() - start) / 1000)}`,
    ];
  } finally {
    await worker.stop();
    await smtp.stop();
  }
}
