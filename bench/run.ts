// `npm run bench`: starts throw-away local stacks and prints the figures the issues ask for.
// Figures only — nothing here asserts on time.
import { benchOutbox } from './outbox.ts';
import { startBenchStack, type BenchStack } from './lib/stack.ts';
import { ms } from './lib/stats.ts';
import { benchSettings, countSettingsRoundTrips } from './settings.ts';
import { benchSmtp } from './smtp.ts';
import { benchWidget } from './widget.ts';

async function withStack<T>(options: Parameters<typeof startBenchStack>[0], use: (stack: BenchStack) => Promise<T>): Promise<T> {
  const stack = await startBenchStack(options);
  try {
    return await use(stack);
  } finally {
    await stack.stop();
  }
}

const PARTS = ['settings', 'smtp', 'widget', 'outbox'];
const only = process.argv[2]; // e.g. `npm run bench -- outbox`
if (only !== undefined && !PARTS.includes(only)) {
  console.error(`unknown part "${only}": one of ${PARTS.join(', ')}, or none for all`);
  process.exit(2);
}
const want = (name: string) => !only || only === name;

console.log(`mail-server-settings benchmark — ${new Date().toISOString()}, Node ${process.version}, wrangler dev on loopback\n`);

if (want('settings')) {
  const roundTrips = await withStack({ countRoundTrips: true }, countSettingsRoundTrips);
  console.log('Settings API (sequential latency; throughput with 8 concurrent clients):');
  for (const row of await withStack({}, (stack) => benchSettings(stack, roundTrips))) console.log(`  ${row}`);
}

if (want('smtp')) {
  console.log('\nTest send (POST /v1/mail-server/test) vs Nodemailer on Node, STARTTLS + AUTH:');
  for (const line of (await benchSmtp()).lines) console.log(`  ${line}`);
}

if (want('widget')) {
  const w = await withStack({}, (stack) => benchWidget(stack));
  console.log('\nWidget:');
  const kib = (w.gzipBytes / 1024).toFixed(1);
  console.log(`  bundle ${w.bundleBytes} bytes minified, ${w.gzipBytes} bytes gzip = ${kib} KiB (Lit included; target ≤ 16 KB: ${w.gzipBytes <= 16_000 ? 'met' : w.gzipBytes <= 16_384 ? 'met if KB means KiB (16,384 bytes), not if 16,000' : 'missed'})`);
  console.log(`  module load → populated form in headless Chromium: median ${ms(w.medianMs)}, p90 ${ms(w.p90Ms)} over ${w.samples.length} runs (target < 150 ms)`);
}

if (want('outbox')) {
  console.log('\nOutbox:');
  for (const line of await benchOutbox()) console.log(`  ${line}`);
}
