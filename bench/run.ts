// `npm run bench`: starts throw-away local stacks and prints the figures the issues ask for.
// Figures only — nothing here asserts on time.
import { startBenchStack, type BenchStack } from './lib/stack.ts';
import { benchSettings, countSettingsRoundTrips } from './settings.ts';

async function withStack<T>(options: Parameters<typeof startBenchStack>[0], use: (stack: BenchStack) => Promise<T>): Promise<T> {
  const stack = await startBenchStack(options);
  try {
    return await use(stack);
  } finally {
    await stack.stop();
  }
}

console.log(`mail-server-settings benchmark — ${new Date().toISOString()}, Node ${process.version}\n`);

const roundTrips = await withStack({ countRoundTrips: true }, countSettingsRoundTrips);
console.log('Settings API (sequential latency; throughput with 8 concurrent clients; wrangler dev on loopback):');
for (const row of await withStack({}, (stack) => benchSettings(stack, roundTrips))) console.log(`  ${row}`);
