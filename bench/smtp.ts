// The median wall time of a test send through the API (POST
// /v1/mail-server/test: token check, one database round trip for tenant, settings and rate-limit
// row, Nodemailer STARTTLS + AUTH; the delivery row is ended after the response) next to
// Nodemailer sending the same message directly from Node to the same local smtp-server (no
// greeting delay), a new connection per send in both. The API runs in workerd under wrangler dev,
// in workerd alone, or on Node. The same request refused at validation shows how much of the
// difference is HTTP (and the dev server) alone; on workerd, Nodemailer alone in a one-route
// Worker shows how much is the runtime's own.
// Figures only — nothing here asserts on time.

import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { testMailText } from '../api/i18n/test-mail.ts';
import { makeMessageId } from '../api/smtp/message-id.ts';
import { startSmtpFixtures, TEST_CA_FILE } from '../test/support/smtp-servers.ts';
import { startFloorWorker } from './lib/floor-worker.ts';
import { startBenchStack, type Runtime } from './lib/stack.ts';
import { cpuSnapshot, type CpuPart } from './lib/cpu.ts';
import { median, ms, percentile } from './lib/stats.ts';

export interface SmtpBenchResult {
  samples: number;
  api: { medianMs: number; p90Ms: number };
  node: { medianMs: number; p90Ms: number };
  /** The same request refused at validation (422): HTTP (through wrangler dev on `workers`) + token check, no database, no SMTP. */
  refused: { medianMs: number };
  /** workerd only: Nodemailer alone in a one-route Worker (bench/floor) run as the API is, same message and server. */
  floor?: { medianMs: number };
  /** api median − node median */
  differenceMs: number;
  /** api median / node median */
  ratio: number;
  /** The target: the API adds at most 10 ms to the median. */
  withinTarget: boolean;
  lines: string[];
}

const TESTS_PER_TENANT = 5; // the API's rate limit per tenant and minute

type Fixtures = Awaited<ReturnType<typeof startSmtpFixtures>>;
type Stack = Awaited<ReturnType<typeof startBenchStack>>;
type Draft = ReturnType<typeof draftFor>;

const draftFor = ({ host, ports, username, password }: Fixtures['info']) => ({
  host,
  port: ports.starttls,
  security: 'starttls',
  auth: { method: 'plain', username, password },
  from: { address: 'rechnung@bench.example', name: 'Bench GmbH' },
});

/** Test sends through the API: one tenant per 5 sends (rate limit), tokens minted outside the timed calls. */
async function apiSender(stack: Stack, draft: Draft, calls: number) {
  const tokens: string[] = [];
  for (let i = 0; i < Math.ceil(calls / TESTS_PER_TENANT); i++)
    tokens.push(await stack.token(`bench-smtp-${Date.now()}-${i}`));
  const body = JSON.stringify(draft);
  let call = 0;
  const phases: Record<string, number[]> = {};
  const send = async (measured: boolean) => {
    const token = tokens[Math.floor(call++ / TESTS_PER_TENANT)];
    const res = await fetch(`${stack.apiUrl}/v1/mail-server/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    const result = (await res.json()) as { ok?: boolean; error?: unknown };
    if (res.status !== 200 || !result.ok)
      throw new Error(`API test send failed: HTTP ${res.status} ${JSON.stringify(result)}${stack.logTail()}`);
    if (!measured) return;
    for (const part of (res.headers.get('server-timing') ?? '').split(',')) {
      const m = /^\s*(\w+);dur=([\d.]+)/.exec(part);
      if (m) (phases[m[1]!] ??= []).push(Number(m[2]));
    }
  };
  return { send, phases };
}

/**
 * The same request refused at validation (port 0): token check, body validation and the HTTP path
 * (through wrangler dev on Workers), without the database round trip and without SMTP.
 */
async function refusedSender(stack: Stack, draft: Draft) {
  const token = await stack.token(`bench-smtp-refused-${Date.now()}`);
  const body = JSON.stringify({ ...draft, port: 0 });
  return async () => {
    const res = await fetch(`${stack.apiUrl}/v1/mail-server/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 422) throw new Error(`expected 422 for port 0, got HTTP ${res.status}`);
  };
}

/**
 * The message the API builds for this draft (From, Reply-To = the tenant, To with name, the
 * localized subject and text, Message-ID on the sender's domain, Date).
 */
function testMessage({ host, ports }: Fixtures['info']) {
  const tenantEmail = 'owner@bench-smtp-node.example.com';
  const now = new Date();
  return {
    from: { name: 'Bench GmbH', address: 'rechnung@bench.example' },
    replyTo: tenantEmail,
    to: { name: 'Bench', address: tenantEmail },
    ...testMailText(
      {
        host,
        port: ports.starttls,
        security: 'starttls',
        senderAddress: 'rechnung@bench.example',
        sentAt: now,
        saved: false,
      },
      'de',
    ),
    messageId: makeMessageId('rechnung@bench.example'),
    date: now,
  };
}

/**
 * Nodemailer directly on Node, a new connection per send (as the API does), with the options the
 * API's engine gives it (EHLO name = the sender's domain, STARTTLS required, AUTH PLAIN).
 */
function nodeSender(info: Fixtures['info']) {
  const transport = nodemailer.createTransport({
    host: info.host,
    port: info.ports.starttls,
    name: 'bench.example',
    secure: false,
    requireTLS: true,
    tls: { ca: readFileSync(TEST_CA_FILE) },
    auth: { user: info.username, pass: info.password },
    authMethod: 'PLAIN',
  });
  return {
    send: async () => {
      await transport.sendMail(testMessage(info));
    },
    close: () => transport.close(),
  };
}

/** Workers: the same send by Nodemailer alone inside workerd, run the same way as the API. */
async function floorSender(info: Fixtures['info'], runtime: Runtime) {
  if (runtime === 'node') return undefined;
  const worker = await startFloorWorker({ SSL_CERT_FILE: TEST_CA_FILE }, {}, runtime);
  const { host, ports, username, password } = info;
  return {
    send: async () => {
      const res = await fetch(worker.url, {
        method: 'POST',
        body: JSON.stringify({ host, port: ports.starttls, username, password, message: testMessage(info) }),
      });
      const result = (await res.json()) as { ok: boolean; error?: string };
      if (!result.ok) throw new Error(`Nodemailer in workerd failed: ${result.error}`);
    },
    stop: () => worker.stop(),
  };
}

/** Timed blocks of calls, with the CPU seconds the stack's processes used per call (from /proc). */
class TimedBlocks {
  private readonly cpu = new Map<number[], { parts: Map<CpuPart, number>; calls: number }>();

  /** Runs `count` timed calls after one untimed one (which also lets work left from the last block finish). */
  async run(into: number[], count: number, task: (measured: boolean) => Promise<void>) {
    await task(false);
    const before = cpuSnapshot();
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await task(true);
      into.push(performance.now() - start);
    }
    const after = cpuSnapshot();
    if (!before || !after) return;
    const entry = this.cpu.get(into) ?? { parts: new Map<CpuPart, number>(), calls: 0 };
    for (const [part, seconds] of after) {
      if (part !== 'bench client + SMTP server')
        entry.parts.set(part, (entry.parts.get(part) ?? 0) + seconds - (before.get(part) ?? 0));
    }
    entry.calls += count;
    this.cpu.set(into, entry);
  }

  /** "33.0 ms (workerd (the Worker) 21.0, sqld 4.5, …)" per call, or n/a without /proc. */
  perCall(times: number[]): string {
    const entry = this.cpu.get(times);
    if (!entry || entry.calls === 0) return 'n/a';
    const per = [...entry.parts]
      .map(([part, sec]) => [part, (sec * 1000) / entry.calls] as const)
      .filter(([, v]) => v > 0)
      .sort((x, y) => y[1] - x[1]);
    return `${ms(per.reduce((sum, [, v]) => sum + v, 0))} (${per.map(([part, v]) => `${part} ${v.toFixed(1)}`).join(', ')})`;
  }
}

interface Times {
  api: number[];
  node: number[];
  refused: number[];
  floor: number[];
}

function report(
  runtime: Runtime,
  samples: number,
  times: Times,
  phases: Record<string, number[]>,
  blocks: TimedBlocks,
): SmtpBenchResult {
  const where = { workers: 'workerd under wrangler dev', workerd: 'plain workerd, no wrangler dev', node: 'Node' }[
    runtime
  ];
  const api = { medianMs: median(times.api), p90Ms: percentile(times.api, 90) };
  const node = { medianMs: median(times.node), p90Ms: percentile(times.node, 90) };
  const refused = { medianMs: median(times.refused) };
  const floor = times.floor.length > 0 ? { medianMs: median(times.floor) } : undefined;
  const differenceMs = api.medianMs - node.medianMs;
  const ratio = api.medianMs / node.medianMs;
  const phaseMedians = Object.entries(phases)
    .map(([k, v]) => `${k} ${ms(median(v))}`)
    .join(', ');
  return {
    samples,
    api,
    node,
    refused,
    floor,
    differenceMs,
    ratio,
    withinTarget: differenceMs <= 10,
    lines: [
      `POST /v1/mail-server/test (${where}, STARTTLS + AUTH PLAIN): median ${ms(api.medianMs)}, p90 ${ms(api.p90Ms)}`,
      `Nodemailer directly from Node, same message and server: median ${ms(node.medianMs)}, p90 ${ms(node.p90Ms)}`,
      `  inside the API (Server-Timing medians${runtime !== 'node' ? ", workerd's clock moves on I/O only" : ''}): ${phaseMedians}`,
      `  the same request refused at validation (422: HTTP${runtime === 'workers' ? ' through wrangler dev' : ''} + token check, no database, no SMTP): median ${ms(refused.medianMs)}`,
      ...(floor
        ? [
            `  Nodemailer alone in workerd, in a one-route Worker (bench/floor, run as the API is: no token, no database, none of the API's code): median ${ms(floor.medianMs)}, ` +
              `+${ms(floor.medianMs - node.medianMs)} over Nodemailer on Node before the API does anything`,
            `  CPU per call of the stack's processes (/proc, 10 ms ticks summed over each block; the SMTP server is not counted): API ${blocks.perCall(times.api)}; floor ${blocks.perCall(times.floor)}; refused at validation ${blocks.perCall(times.refused)}`,
          ]
        : []),
      `API adds ${ms(differenceMs)} to the median (×${ratio.toFixed(2)}); target ≤ 10 ms: ${differenceMs <= 10 ? 'met' : 'NOT met'} (${samples} samples each, smtp-server without greeting delay)`,
    ],
  };
}

export async function benchSmtp(
  options: { samples?: number; warmup?: number; runtime?: Runtime } = {},
): Promise<SmtpBenchResult> {
  const samples = options.samples ?? 40;
  const warmup = options.warmup ?? 5;
  const runtime = options.runtime ?? 'workers';
  const rounds = 4;
  const fixtures = await startSmtpFixtures();
  const stack = await startBenchStack({ runtime, env: { SSL_CERT_FILE: TEST_CA_FILE } }).catch(async (error) => {
    await fixtures.stop();
    throw error;
  });
  try {
    const draft = draftFor(fixtures.info);
    const api = await apiSender(stack, draft, samples + warmup + rounds);
    const refused = await refusedSender(stack, draft);
    const node = nodeSender(fixtures.info);
    const floor = await floorSender(fixtures.info, runtime);
    // In rounds (API ×n, Node ×n, refused ×n, then again), so that load drifting on the machine
    // affects all alike while each loop stays hot.
    const times: Times = { api: [], node: [], refused: [], floor: [] };
    const blocks = new TimedBlocks();
    try {
      for (let i = 0; i < warmup; i++) {
        await api.send(false);
        await node.send();
        await refused();
        if (floor) await floor.send();
      }
      for (let r = 0; r < rounds; r++) {
        const count = Math.floor(samples / rounds) + (r < samples % rounds ? 1 : 0);
        await blocks.run(times.api, count, api.send);
        await blocks.run(times.node, count, node.send);
        await blocks.run(times.refused, count, refused);
        if (floor) await blocks.run(times.floor, count, floor.send);
      }
    } finally {
      node.close();
      await floor?.stop();
    }
    return report(runtime, samples, times, api.phases, blocks);
  } finally {
    await stack.stop();
    await fixtures.stop();
  }
}
