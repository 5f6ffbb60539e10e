// `npm run start:node`: the API (and the widget bundle) served by Node. Bundled by
// scripts/build-node.ts into dist/node/server.js; configuration comes from the environment
// under the Worker's binding names (README "Running on Node"), plus PORT and HOST.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { configOf } from '../config/config.ts';
import { directoryAssets } from './assets.ts';
import { bindingsFromEnv, createNodeService } from './service.ts';
import { waitAtMost } from '../util/wait-at-most.ts';

const env = bindingsFromEnv(process.env);
// The widget build (npm run build:widget) next to the bundle: dist/node/server.js → dist/public.
const assetsDir = process.env.ASSETS_DIR || fileURLToPath(new URL('../public/', import.meta.url));
if (existsSync(assetsDir)) env.ASSETS = directoryAssets(assetsDir);

const port = Number(process.env.PORT || 8788);
const hostname = process.env.HOST || '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}

const { missing, webhooks } = configOf(env);
if (missing.length > 0)
  console.error(`missing configuration (GET /healthz answers 503 until set): ${missing.join(', ')}`);
// Events are stored meanwhile and sent once it is fixed.
if (webhooks?.invalid.length)
  console.error(`unusable configuration (GET /healthz answers 503 until fixed): ${webhooks.invalid.join(', ')}`);

const service = createNodeService(env);
if (env.DATABASE_URL) service.outbox.startSweeper(60_000);

const server = serve({ fetch: service.fetch, port, hostname }, (info) => {
  console.log(
    `mail-server-settings API on http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port} (runtime node)`,
  );
});
server.on('error', (error) => {
  console.error(`cannot listen on ${hostname}:${port}: ${error.message}`);
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  // Stop taking requests, let the outbox finish sends in flight (bounded), then close the database.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  await service.close();
  await waitAtMost(closed, 5_000);
  process.exit(0);
}
process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));
