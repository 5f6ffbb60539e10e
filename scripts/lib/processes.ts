import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

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
    [...running].map(([child, { group }]) =>
      group
        ? stopGroup(child, graceMs)
        : new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
          }),
    ),
  );
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
