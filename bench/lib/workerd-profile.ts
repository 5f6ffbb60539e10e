// A CPU profile of a Worker in workerd, over its inspector (Chrome DevTools Protocol), written as
// a .cpuprofile that Chrome's DevTools or speedscope open. For `BENCH_WORKERD_PROF=<dir>`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface WorkerdProfile {
  /** Stops profiling and writes the profile to `file`. */
  stop(file: string): Promise<void>;
}

/** Starts the sampling profiler of the (only) Worker behind workerd's `--inspector-addr`. */
export async function startWorkerdProfile(inspectorUrl: string): Promise<WorkerdProfile> {
  const targets = (await (await fetch(`${inspectorUrl}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const target = targets[0];
  if (!target) throw new Error(`no Worker behind the inspector at ${inspectorUrl}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error(`inspector at ${target.webSocketDebuggerUrl} refused the connection`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (reply.id !== undefined) pending.get(reply.id)?.(reply.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 100 });
  await call('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = (await call('Profiler.stop')) as { profile: unknown };
      socket.close();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}
