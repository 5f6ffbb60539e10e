import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Spawns a child in its own process group, so stopping it also stops what it started
 * (wrangler starts workerd; a killed `npm run` wrapper would otherwise leave orphans).
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(command, args, { ...options, detached: true });
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
