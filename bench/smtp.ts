// Benchmark of issue 3: the median wall time of a test send through the API
// (POST /v1/mail-server/test in workerd under wrangler dev: token check, settings read, rate-limit
// row, Nodemailer STARTTLS + AUTH, delivery row) next to Nodemailer sending the same message
// directly from Node to the same local smtp-server (no greeting delay), connection per send.
// Figures only — nothing here asserts on time.

import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { startSmtpFixtures, TEST_CA_FILE } from '../test/support/smtp-servers.ts';
import { startBenchStack } from './lib/stack.ts';
import { median, ms, percentile, timeSequential } from './lib/stats.ts';

export interface SmtpBenchResult {
  samples: number;
  api: { medianMs: number; p90Ms: number };
  node: { medianMs: number; p90Ms: number };
  /** api median − node median */
  differenceMs: number;
  /** api median / node median */
  ratio: number;
  /** Target of issue 3: the API adds at most 10 ms to the median. */
  withinTarget: boolean;
  lines: string[];
}

const TESTS_PER_TENANT = 5; // the API's rate limit per tenant and minute

export async function benchSmtp(options: { samples?: number; warmup?: number } = {}): Promise<SmtpBenchResult> {
  const samples = options.samples ?? 40;
  const warmup = options.warmup ?? 5;
  const fixtures = await startSmtpFixtures();
  const stack = await startBenchStack({ env: { SSL_CERT_FILE: TEST_CA_FILE } }).catch(async (error) => {
    await fixtures.stop();
    throw error;
  });
  try {
    const { host, ports, username, password } = fixtures.info;
    const draft = {
      host,
      port: ports.starttls,
      security: 'starttls',
      auth: { method: 'plain', username, password },
      from: { address: 'rechnung@bench.example', name: 'Bench GmbH' },
    };

    // API: one tenant per 5 sends (rate limit); tokens are minted outside the timed calls.
    const tokens: string[] = [];
    for (let i = 0; i < Math.ceil((samples + warmup) / TESTS_PER_TENANT); i++) tokens.push(await stack.token(`bench-smtp-${Date.now()}-${i}`));
    const body = JSON.stringify(draft);
    let lastError = '';
    let call = 0;
    const phases: Record<string, number[]> = {};
    const apiTimes = await timeSequential(samples, warmup, async () => {
      const token = tokens[Math.floor(call++ / TESTS_PER_TENANT)];
      const res = await fetch(`${stack.apiUrl}/v1/mail-server/test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      const result = (await res.json()) as { ok?: boolean; error?: unknown };
      for (const part of (res.headers.get('server-timing') ?? '').split(',')) {
        const m = /^\s*(\w+);dur=([\d.]+)/.exec(part);
        if (m) (phases[m[1]!] ??= []).push(Number(m[2]));
      }
      if (res.status !== 200 || !result.ok) lastError = `HTTP ${res.status} ${JSON.stringify(result)}`;
      if (lastError) throw new Error(`API test send failed: ${lastError}`);
    });

    // Node: Nodemailer directly, the same message, a new connection per send (as the API does).
    const ca = readFileSync(TEST_CA_FILE);
    const transport = nodemailer.createTransport({
      host,
      port: ports.starttls,
      secure: false,
      requireTLS: true,
      tls: { ca },
      auth: { user: username, pass: password },
      authMethod: 'PLAIN',
    });
    const nodeTimes = await timeSequential(samples, warmup, async () => {
      await transport.sendMail({
        from: { name: 'Bench GmbH', address: 'rechnung@bench.example' },
        to: 'owner@bench.example.com',
        subject: `Testnachricht: Mailserver ${host}:${ports.starttls} (STARTTLS)`,
        text: 'Hallo,\n\ndies ist eine Testnachricht.\n',
      });
    });
    transport.close();

    const api = { medianMs: median(apiTimes), p90Ms: percentile(apiTimes, 90) };
    const node = { medianMs: median(nodeTimes), p90Ms: percentile(nodeTimes, 90) };
    const differenceMs = api.medianMs - node.medianMs;
    const ratio = api.medianMs / node.medianMs;
    return {
      samples,
      api,
      node,
      differenceMs,
      ratio,
      withinTarget: differenceMs <= 10,
      lines: [
        `POST /v1/mail-server/test (workerd, STARTTLS + AUTH PLAIN): median ${ms(api.medianMs)}, p90 ${ms(api.p90Ms)}`,
        `Nodemailer directly from Node, same message and server:     median ${ms(node.medianMs)}, p90 ${ms(node.p90Ms)}`,
        `  inside the API (Server-Timing medians): ${Object.entries(phases).map(([k, v]) => `${k} ${ms(median(v))}`).join(', ')}`,
        `API adds ${ms(differenceMs)} to the median (×${ratio.toFixed(2)}); target ≤ 10 ms: ${differenceMs <= 10 ? 'met' : 'NOT met'} (${samples} samples each, smtp-server without greeting delay)`,
      ],
    };
  } finally {
    await stack.stop();
    await fixtures.stop();
  }
}
