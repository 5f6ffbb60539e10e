/** Percentile of already collected samples (nearest-rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: number[]) => percentile(samples, 50);

export const ms = (value: number) => `${value.toFixed(2)} ms`;

/**
 * Times several tasks in alternation (one round runs each once, in turns), so that drift in the
 * machine's load affects all of them alike; returns per-call wall times in ms for each task.
 */
export async function timeInterleaved<K extends string>(
  count: number,
  warmup: number,
  tasks: Record<K, () => Promise<void>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(tasks) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + count; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!; // rotate who goes first
      const start = performance.now();
      await tasks[name]();
      if (round >= warmup) samples[name].push(performance.now() - start);
    }
  }
  return samples;
}

/** Calls `task` from `concurrency` loops for `durationMs`; returns completed calls per second. */
export async function throughput(
  concurrency: number,
  durationMs: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  const deadline = performance.now() + durationMs;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await task(done);
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}
