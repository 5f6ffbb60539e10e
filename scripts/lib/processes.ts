import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { waitForHttp } from './ports.ts';

/**
 * Spawns a child in its own process group, so stopping it also stops what it started
 * (wrangler starts workerd; a killed `npm run` wrapper would otherwise leave orphans).
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return track(spawn(command, args, { ...options, detached: true }), true);
}

/** Children still running that this process started: process groups, and plain children (sqld). */
const running = new Map<ChildProcess, { group: boolean }>();

/** Registers a child so that `stopAllChildren` can stop it; forgotten once it exited. */
export function track(child: ChildProcess, group = false): ChildProcess {
  running.set(child, { group });
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * Stops every child this process started that is still running, for a script interrupted midway
 * (Ctrl-C in `npm run bench`): detached groups do not get the terminal's SIGINT themselves.
 */
export async function stopAllChildren(graceMs = 3000): Promise<void> {
  await Promise.all(
    [...running].map(([child, { group }]) => (group ? stopGroup(child, graceMs) : stopChild(child, graceMs))),
  );
}

/** SIGTERM to one child, SIGKILL after a grace period; resolves when it exited. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

export interface ServerProcess {
  child: ChildProcess;
  /** Its last lines of output (an error it logged says why a call failed). */
  output(): string;
}

/**
 * Spawns a server in its own process group, keeps its last lines of output (each also handed to
 * `onOutput`), and resolves once `readyUrl` answers 2xx. If it does not, it is stopped and the
 * error says so with its output (`hopeless` ends the wait early, see waitForHttp).
 */
export async function startServerProcess(
  name: string,
  command: string,
  args: string[],
  options: {
    spawn: SpawnOptions;
    readyUrl: string;
    timeoutMs: number;
    onOutput?: (line: string) => void;
    hopeless?: (status: number, body: string) => string | null;
  },
): Promise<ServerProcess> {
  const child = spawnGroup(command, args, { ...options.spawn, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 60) tail.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  try {
    await waitForHttp(options.readyUrl, options.timeoutMs, () => child.exitCode === null, options.hopeless);
  } catch (error) {
    await stopGroup(child);
    throw new Error(`${name} did not start: ${String(error)}\n${tail.join('\n')}`);
  }
  return { child, output: () => tail.join('\n') };
}

/** SIGTERM to the whole group, SIGKILL after a grace period (at once with 0); resolves when the leader exited. */
export function stopGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const pid = child.pid;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = graceMs > 0 ? setTimeout(() => kill('SIGKILL'), graceMs) : undefined;
    child.once('exit', () => {
      clearTimeout(timer);
      kill('SIGKILL'); // anything left in the group
      resolve();
    });
    kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  });
}
