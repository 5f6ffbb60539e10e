// `npm run bench [parts] [runtimes]`: throw-away local stacks, figures only (bench/README.md).
import { benchFair } from './fair.ts';
import { benchDiscover } from './discover.ts';
import { benchLoad, LOAD_RUNS, LOAD_SECONDS } from './load.ts';
import { benchLimits } from './limits.ts';
import { benchOAuth } from './oauth.ts';
import { benchOutbox } from './outbox.ts';
import { RUNTIMES, startBenchStack, type BenchStack, type Runtime } from './lib/stack.ts';
import { ms } from './lib/stats.ts';
import { benchSettings, countSettingsRoundTrips } from './settings.ts';
import { benchSmtp } from './smtp.ts';
import { benchWidget } from './widget.ts';
import { buildWidget } from '../scripts/build-widget.ts';
import { stopAllChildren } from '../scripts/lib/processes.ts';

// Interrupted (Ctrl-C): the stacks run in process groups of their own, which the terminal's
// SIGINT does not reach; stop them rather than leave wrangler, workerd and sqld running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the stacks the benchmark started`);
    void stopAllChildren().finally(() => process.exit(130));
  });
}

async function withStack<T>(
  options: Parameters<typeof startBenchStack>[0],
  use: (stack: BenchStack) => Promise<T>,
): Promise<T> {
  const stack = await startBenchStack(options);
  try {
    return await use(stack);
  } finally {
    await stack.stop();
  }
}

const PARTS = ['settings', 'smtp', 'widget', 'outbox', 'fair', 'oauth', 'limits', 'load', 'discover'];
const args = process.argv.slice(2);
const unknown = args.filter((a) => !PARTS.includes(a) && !(RUNTIMES as readonly string[]).includes(a));
if (unknown.length > 0) {
  console.error(
    `unknown argument "${unknown[0]}": parts ${PARTS.join(', ')}; runtimes ${RUNTIMES.join(', ')}; none for all`,
  );
  process.exit(2);
}
const parts = args.filter((a) => PARTS.includes(a));
const runtimes = (RUNTIMES as readonly string[]).filter((r) => args.includes(r)) as Runtime[];
const want = (name: string) => parts.length === 0 || parts.includes(name);
const on = runtimes.length > 0 ? runtimes : [...RUNTIMES];
const label = (runtime: Runtime) =>
  ({ workers: 'Workers (wrangler dev)', workerd: 'Workers (plain workerd)', node: 'Node (npm run start:node)' })[
    runtime
  ];

// The Worker serves the widget and the demo page from dist/public: wrangler (dev, and the dry-run
// bundle of the plain-workerd stack) refuses to start without that directory, as on a fresh clone.
const widgetBuild = await buildWidget();

console.log(
  `mail-server-settings benchmark — ${new Date().toISOString()}, Node ${process.version}, on loopback; runtimes: ${on.map(label).join(', ')}`,
);

if (want('settings')) {
  for (const runtime of on) {
    const roundTrips = await withStack({ runtime, countRoundTrips: true }, countSettingsRoundTrips);
    console.log(`\nSettings API on ${label(runtime)} (sequential latency; throughput with 8 concurrent clients):`);
    for (const row of await withStack({ runtime }, (stack) => benchSettings(stack, roundTrips)))
      console.log(`  ${row}`);
  }
}

if (want('smtp')) {
  for (const runtime of on) {
    console.log(`\nTest send (POST /v1/mail-server/test) on ${label(runtime)} vs Nodemailer on Node, STARTTLS + AUTH:`);
    for (const line of (await benchSmtp({ runtime })).lines) console.log(`  ${line}`);
  }
}

// The widget is the same bundle whichever runtime serves it: measured once, from wrangler dev.
if (want('widget') && on.includes('workers')) {
  const w = await withStack({}, (stack) => benchWidget(stack, widgetBuild));
  console.log('\nWidget:');
  const kib = (w.gzipBytes / 1024).toFixed(1);
  console.log(
    `  bundle ${w.bundleBytes} bytes minified, ${w.gzipBytes} bytes gzip = ${kib} KiB (Lit included; target ≤ 22 KB: ${w.gzipBytes <= 22_000 ? 'met' : w.gzipBytes <= 22_528 ? 'met if KB means KiB (22,528 bytes), not if 22,000' : 'missed'})`,
  );
  for (const line of w.sizeLines) console.log(line);
  console.log(
    `  module load → populated form in headless Chromium: median ${ms(w.medianMs)}, p90 ${ms(w.p90Ms)} over ${w.samples.length} runs (target < 150 ms)`,
  );
}

if (want('outbox')) {
  for (const runtime of on) {
    console.log(`\nOutbox on ${label(runtime)}:`);
    for (const line of await benchOutbox(runtime)) console.log(`  ${line}`);
  }
}

if (want('fair')) {
  for (const runtime of on) {
    console.log(`\nFair sending on ${label(runtime)}: another tenant's invoices while one server is a tarpit:`);
    for (const line of await benchFair(runtime)) console.log(`  ${line}`);
  }
}

// The token logic is one code path on both runtimes; measured once, on the Node server.
if (want('oauth') && on.includes('node')) {
  console.log('\nSign-in with the provider (XOAUTH2) on Node (npm run start:node):');
  for (const line of await benchOAuth()) console.log(`  ${line}`);
}

// Validation is one code path on both runtimes; measured in process on Node, where CPU can be counted per request.
if (want('limits') && on.includes('node')) {
  console.log('\nCostly bodies (POST /v1/tenants/:id/messages), the app in process on Node:');
  for (const line of await benchLimits()) console.log(`  ${line}`);
}

// Settings from the address: the DoH resolver is the local DNS service (unbound + dnsdist).
if (want('discover')) {
  for (const runtime of on.filter((r) => r !== 'workerd')) {
    console.log(`\nSettings from the address (GET /v1/mail-server/discover) on ${label(runtime)}:`);
    for (const line of await benchDiscover(runtime)) console.log(`  ${line}`);
  }
}

// Long (LOAD_SECONDS × LOAD_RUNS per runtime): only when asked for by name.
if (parts.includes('load')) {
  for (const runtime of on.filter((r) => r !== 'workerd')) {
    console.log(`\nLoad on ${label(runtime)}: ${LOAD_RUNS} × ${LOAD_SECONDS} s, sqld included:`);
    for (const line of await withStack({ runtime }, benchLoad)) console.log(`  ${line}`);
  }
}
