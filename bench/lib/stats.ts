/** Percentile of already collected samples (nearest-rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: number[]) => percentile(samples, 50);

export const ms = (value: number) => `${value.toFixed(2)} ms`;

/** Runs `task` sequentially `count` times after `warmup` runs; returns per-call wall times in ms. */
export async function timeSequential(count: number, warmup: number, task: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await task(i);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await task(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Calls `task` from `concurrency` loops for `durationMs`; returns completed calls per second. */
export async function throughput(concurrency: number, durationMs: number, task: (i: number) => Promise<void>): Promise<number> {
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
