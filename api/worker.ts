import { createApp } from './app.ts';
import { defaultDeps } from './deps.ts';
import type { Bindings } from './env.ts';

const app = createApp(defaultDeps('workers'));

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Bindings>;
