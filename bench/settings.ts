// GET/PUT /v1/mail-server: latency and throughput next to the bare route and the bare route plus
// one `SELECT 1` (the floors), and the database round trips per call.
import type { BenchStack } from './lib/stack.ts';
import { median, ms, percentile, throughput, timeInterleaved } from './lib/stats.ts';

const settings = {
  host: 'smtp.example.com',
  security: 'starttls',
  auth: { method: 'plain', username: 'rechnung@example.com', password: 'Grüße-Pässwort-1' },
  from: { address: 'rechnung@example.com', name: 'Müller & Söhne GmbH' },
  replyTo: 'buchhaltung@example.com',
};

function settingsCalls(stack: BenchStack, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  return {
    'GET /dev/ping (bare route)': () => fetch(`${stack.apiUrl}/dev/ping`),
    // The floor under the target: the bare route plus one `SELECT 1` by plain fetch, no client.
    'GET /dev/db-ping (bare + SELECT 1)': () => fetch(`${stack.apiUrl}/dev/db-ping`),
    'GET /v1/mail-server': () => fetch(`${stack.apiUrl}/v1/mail-server`, { headers: auth }),
    'PUT /v1/mail-server': () =>
      fetch(`${stack.apiUrl}/v1/mail-server`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(settings),
      }),
  };
}

async function expectOk(stack: BenchStack, name: string, res: Response) {
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${await res.text()}${stack.logTail()}`);
  await res.arrayBuffer();
}

/** Database round trips per call, counted by a proxy in front of sqld (on a stack of its own). */
export async function countSettingsRoundTrips(stack: BenchStack): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const calls = settingsCalls(stack, await stack.token('bench-round-trips'));
  for (const [name, call] of Object.entries(calls)) {
    await expectOk(stack, name, await call()); // the first call creates the tenant
    stack.dbRoundTrips!.reset();
    await expectOk(stack, name, await call());
    counts[name] = stack.dbRoundTrips!.count();
  }
  return counts;
}

export async function benchSettings(
  stack: BenchStack,
  roundTrips: Record<string, number>,
  count = 400,
): Promise<string[]> {
  const calls = settingsCalls(stack, await stack.token('bench-settings'));
  const tasks = Object.fromEntries(
    Object.entries(calls).map(([name, call]) => [name, async () => expectOk(stack, name, await call())]),
  );
  // Latency: the calls take turns, so a busier moment of the machine does not favour one of them.
  const samples = await timeInterleaved(count, 50, tasks);
  const bareMedian = median(samples['GET /dev/ping (bare route)']!);
  const rows: string[] = [];
  for (const [name, task] of Object.entries(tasks)) {
    const rps = await throughput(8, 2000, task);
    const med = median(samples[name]!);
    rows.push(
      `${name.padEnd(34)} median ${ms(med).padStart(9)}  p99 ${ms(percentile(samples[name]!, 99)).padStart(9)}  ${rps.toFixed(0).padStart(5)} req/s (8 concurrent)  ` +
        `${roundTrips[name]} DB round trip(s)` +
        (name.includes('(bare route)') ? '' : `  ratio ${(med / bareMedian).toFixed(2)}×, +${ms(med - bareMedian)}`),
    );
  }
  return rows;
}
