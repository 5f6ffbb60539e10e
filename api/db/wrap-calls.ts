import type { Client } from '@libsql/client';

type Call = (...args: unknown[]) => Promise<unknown>;

/** The client with its `execute` and `batch` passed through `wrap`; everything else is the client's own. */
export function wrapCalls(client: Client, wrap: (run: Call) => Call): Client {
  const execute = wrap(client.execute.bind(client) as Call);
  const batch = wrap(client.batch.bind(client) as Call);
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key === 'execute') return execute;
      if (key === 'batch') return batch;
      const value = Reflect.get(target, key, receiver);
      // The client keeps private fields: its own methods must run on it, not on the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
