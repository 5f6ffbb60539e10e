// `npm run bench -- load`: bursts against a whole local stack (sqld included). 50 invoice POSTs at
// once, again and again, while 16 tenants save their settings in a loop; every answer counted by
// status. The floor: one invoice POST and one PUT alone, on the same stack, before the load.
import type { BenchStack } from './lib/stack.ts';
import { median, ms, percentile } from './lib/stats.ts';

const BURST = 50;
const SAVERS = 16;
/** `LOAD_SECONDS` (default 180, the three minutes) and `LOAD_RUNS` (default 1) set the length. */
export const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 180);
export const LOAD_RUNS = Number(process.env.LOAD_RUNS ?? 1);

const settingsFor = (tenant: string, i: number) => ({
  host: 'smtp.example.com',
  security: 'starttls',
  auth: { method: 'plain', username: `rechnung@${tenant}.example.com`, password: `Kennwort-${i}` },
  from: { address: `rechnung@${tenant}.example.com`, name: `Firma ${tenant}` },
});

interface Tally {
  statuses: Map<number, number>;
  post: number[];
  put: number[];
}

function count(tally: Tally, status: number) {
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
}

async function timed(samples: number[], tally: Tally, call: () => Promise<Response>) {
  const start = performance.now();
  try {
    const res = await call();
    await res.arrayBuffer();
    count(tally, res.status);
  } catch {
    count(tally, 0); // no answer at all
  }
  samples.push(performance.now() - start);
}

export async function benchLoad(stack: BenchStack): Promise<string[]> {
  const operator = { authorization: `Bearer ${stack.operatorKey}`, 'content-type': 'application/json' };
  const invoiceTenant = `load-invoices-${Date.now()}`;
  const created = await fetch(`${stack.apiUrl}/v1/tenants/${invoiceTenant}`, {
    method: 'PUT',
    headers: operator,
    body: JSON.stringify({ name: 'Firma Last', email: `owner@${invoiceTenant}.example.com` }),
  });
  if (!created.ok) throw new Error(`PUT tenant: ${created.status} ${await created.text()}${stack.logTail()}`);
  let key = 0;
  const post = () =>
    fetch(`${stack.apiUrl}/v1/tenants/${invoiceTenant}/messages`, {
      method: 'POST',
      headers: { ...operator, 'idempotency-key': `load-${key++}` },
      body: JSON.stringify({
        kind: 'invoice',
        to: ['kunde@kunde.example.com'],
        subject: `Rechnung ${key}`,
        text: 'Anbei.',
      }),
    });
  const savers = await Promise.all(
    Array.from({ length: SAVERS }, async (_, i) => {
      const tenant = `load-saver-${i}-${Date.now()}`;
      const token = await stack.token(tenant);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      let n = 0;
      return () =>
        fetch(`${stack.apiUrl}/v1/mail-server`, {
          method: 'PUT',
          headers,
          body: JSON.stringify(settingsFor(tenant, n++)),
        });
    }),
  );

  const floor: Tally = { statuses: new Map(), post: [], put: [] };
  for (let i = 0; i < 40; i++) {
    await timed(floor.post, floor, post);
    await timed(floor.put, floor, savers[0]!);
  }
  const rows = [
    `floor (one call alone, median of 40): invoice POST ${ms(median(floor.post))}, settings PUT ${ms(median(floor.put))}`,
  ];
  for (let run = 1; run <= LOAD_RUNS; run++) {
    const tally: Tally = { statuses: new Map(), post: [], put: [] };
    const end = Date.now() + LOAD_SECONDS * 1000;
    let bursts = 0;
    const burster = (async () => {
      while (Date.now() < end) {
        await Promise.all(Array.from({ length: BURST }, () => timed(tally.post, tally, post)));
        bursts++;
      }
    })();
    await Promise.all([
      burster,
      ...savers.map(async (save) => {
        while (Date.now() < end) await timed(tally.put, tally, save);
      }),
    ]);
    const statuses = [...tally.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s || 'no answer'}: ${n}`);
    const ratio = (samples: number[], base: number[], p: number) =>
      `${(percentile(samples, p) / median(base)).toFixed(1)}×`;
    rows.push(
      `run ${run}/${LOAD_RUNS}, ${LOAD_SECONDS} s: ${bursts} bursts of ${BURST} invoice POSTs, ${tally.put.length} PUTs by ${SAVERS} tenants; ${statuses.join(', ')}`,
      `  invoice POST in a burst: p50 ${ratio(tally.post, floor.post, 50)}, p99 ${ratio(tally.post, floor.post, 99)} the floor; PUT: p50 ${ratio(tally.put, floor.put, 50)}, p99 ${ratio(tally.put, floor.put, 99)}`,
    );
  }
  return rows;
}
