// Types for `cloudflare:workers` inside the test pool: the Worker's bindings and its default export.
import type { Bindings } from '../api/config/bindings.ts';

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {}
    interface GlobalProps {
      mainModule: typeof import('../api/worker.ts');
    }
  }
}
