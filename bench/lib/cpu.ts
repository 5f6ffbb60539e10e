// CPU time per part of the local stack, read from /proc (Linux): where a benchmark's time goes
// when the machine's cores, not the code's waiting, are the limit. Figures only.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

export type CpuPart =
  | 'workerd (the Worker)'
  | 'workerd (dev proxy)'
  | 'sqld'
  | 'wrangler (Node)'
  | 'the API on Node'
  | 'bench client + SMTP server';

/** CPU seconds used so far by each part, summed over its processes; null where /proc is unavailable. */
export function cpuSnapshot(): Map<CpuPart, number> | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const parts = new Map<CpuPart, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
      const part = partOf(Number(pid), readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      if (part) parts.set(part, (parts.get(part) ?? 0) + seconds);
    } catch {
      // the process ended meanwhile
    }
  }
  return parts;
}

function partOf(pid: number, cmdline: string): CpuPart | null {
  if (pid === process.pid) return 'bench client + SMTP server';
  // wrangler dev runs two workerd processes: the Worker (with the inspector) and the proxy in front.
  // Plain `workerd serve <file>.capnp` (bench/lib/workerd.ts) has no proxy.
  if (/\/workerd\0/.test(cmdline))
    return cmdline.includes('--inspector-addr') || cmdline.includes('.capnp')
      ? 'workerd (the Worker)'
      : 'workerd (dev proxy)';
  if (/\/sqld\0/.test(cmdline)) return 'sqld';
  if (/wrangler/.test(cmdline)) return 'wrangler (Node)';
  if (/dist\/node\/server\.js\0/.test(cmdline)) return 'the API on Node';
  return null;
}

/** "workerd 2.41 s, sqld 0.80 s, …" for the CPU used between two snapshots, with the wall time. */
export function cpuBetween(
  before: Map<CpuPart, number> | null,
  after: Map<CpuPart, number> | null,
  wallSeconds: number,
): string {
  if (!before || !after) return 'CPU per process: not available (no /proc)';
  const used = [...after].map(([part, s]) => [part, s - (before.get(part) ?? 0)] as const).filter(([, s]) => s > 0);
  const total = used.reduce((sum, [, s]) => sum + s, 0);
  const list = used
    .sort((a, b) => b[1] - a[1])
    .map(([part, s]) => `${part} ${s.toFixed(2)} s`)
    .join(', ');
  return `CPU ${total.toFixed(2)} s in ${wallSeconds.toFixed(2)} s wall (${(total / wallSeconds).toFixed(2)} of ${availableParallelism()} cores busy): ${list}`;
}
