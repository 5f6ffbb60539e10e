// The outbox survives a process that dies mid-send: wrangler dev (workerd) is killed with SIGKILL
// while an SMTP transaction or the database update after it is in flight, then started again on
// the same data. The sweeper completes what was cut off: exactly once when the server had not
// accepted the message yet, at most twice (same Message-ID) when it had; a minute after the crash
// when the message had not been handed to the server yet, after the whole lease when it had.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries } from '../../api/db/schema.ts';
import { DEFAULT_LEASE_MS } from '../../api/config/outbox-timing.ts';
import { dueDeliveries, sweepOutbox } from '../../api/outbox/sweeper.ts';
import { startDbProxy, type DbProxy } from '../../scripts/lib/db-proxy.ts';
import { writeEnvFile } from '../../scripts/lib/dev-secrets.ts';
import { startStack, type Stack } from '../../scripts/lib/stack.ts';

interface Accepted {
  subject: string;
  messageId: string;
}

/** A relay whose DATA phase can be made to hang (the client dies before the 250). */
async function startRelay() {
  const accepted: Accepted[] = [];
  let stall = false;
  let onStalled: () => void = () => {};
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    async onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      if (stall) {
        onStalled();
        return; // never answers: the sender is killed while it waits
      }
      const parsed = await simpleParser(Buffer.concat(chunks));
      accepted.push({ subject: parsed.subject ?? '', messageId: parsed.messageId ?? '' });
      callback(null, `2.0.0 Ok: queued as C${accepted.length}`);
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    accepted,
    stallNext(): Promise<void> {
      stall = true;
      return new Promise((resolve) => (onStalled = resolve));
    },
    answerAgain() {
      stall = false;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('outbox after a crash', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-crash-'));
  const operatorKey = randomBytes(16).toString('hex');
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let stack: Stack | undefined;
  let proxy: DbProxy | undefined;
  /** The database itself (not through the proxy), for what the test does in place of waiting. */
  let databaseUrl = '';

  async function start(): Promise<Stack> {
    stack = await startStack({
      dataDir,
      envFiles: [join(dataDir, 'secrets.env')],
      // The default lease (5 min): the test moves its end in the database instead of waiting.
      vars: { SYSTEM_FROM: 'system@relay.example', OUTBOX_RETRY_DELAYS: '0,0,0' },
      databaseUrlFor: async (url) => {
        databaseUrl = url;
        proxy = await startDbProxy(url);
        return proxy.url;
      },
    });
    return stack;
  }

  async function crash(): Promise<void> {
    await stack!.kill();
    await proxy!.stop();
  }

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack!.apiUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${operatorKey}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });

  async function post(subject: string): Promise<string> {
    const res = await api('/v1/tenants/crash-tenant/messages', {
      method: 'POST',
      headers: { 'idempotency-key': subject },
      body: JSON.stringify({ kind: 'invoice', to: ['kunde@kunde.example.com'], subject, text: 'Anbei die Rechnung.' }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  }

  async function status(id: string) {
    return (await (await api(`/v1/tenants/crash-tenant/messages/${id}`)).json()) as {
      status: string;
      messageId: string;
      attempts: number;
    };
  }

  /** The cut-off attempt's lease runs out now, instead of after its 5 min. */
  async function leaseRunsOut(id: string) {
    await getDatabase(databaseUrl)
      .update(deliveries)
      .set({ leaseUntil: new Date(Date.now() - 1_000) })
      .where(eq(deliveries.id, id));
  }

  /** The database as a minute after the crash: the dead holder's last renewal a minute further back. */
  async function aMinutePasses(id: string) {
    await getDatabase(databaseUrl)
      .update(deliveries)
      .set({ leaseUntil: sql`${deliveries.leaseUntil} - 60000` })
      .where(eq(deliveries.id, id));
  }

  /** Whether the sweeper (of now) takes the row up again. */
  const due = async (id: string) =>
    (await dueDeliveries(getDatabase(databaseUrl), new Date(), DEFAULT_LEASE_MS)).some((d) => d.id === id);

  /** Once the lease ran out, the sweeper re-enqueues; wait until the delivery has ended. */
  async function recover(id: string) {
    await leaseRunsOut(id);
    return sweptUntilEnded(id);
  }

  async function sweptUntilEnded(id: string) {
    await stack!.runScheduled();
    for (let i = 0; i < 200; i++) {
      const s = await status(id);
      if (s.status === 'sent' || s.status === 'failed') return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    return status(id);
  }

  beforeAll(async () => {
    relay = await startRelay();
    writeEnvFile(join(dataDir, 'secrets.env'), {
      TENANT_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      SETTINGS_ENCRYPTION_KEY: `c1:${randomBytes(32).toString('base64')}`,
      OPERATOR_API_KEY: operatorKey,
      SYSTEM_SMTP_URL: `smtp://127.0.0.1:${relay.port}`,
    });
    await start();
    const res = await api('/v1/tenants/crash-tenant', {
      method: 'PUT',
      body: JSON.stringify({ name: 'Crash GmbH', email: 'office@crash.example.com' }),
    });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('killed before the hand-over: sent by the first sweep a minute after the crash, exactly once', {
    timeout: 60_000,
  }, async () => {
    // Hold the hand-over mark: the process dies after claiming the row, before any server has it.
    proxy!.holdWhen((body) => body.includes('coalesce(\\"deliveries\\".\\"message_id\\"'));
    const id = await post('crash-before-hand-over');
    await proxy!.held();
    await crash();

    await start();
    expect(await due(id)).toBe(false); // its holder renewed just now: it may be alive
    await aMinutePasses(id);
    expect(await due(id)).toBe(true);
    const s = await sweptUntilEnded(id);
    expect(s).toMatchObject({ status: 'sent', attempts: 1 });
    expect(relay.accepted.filter((m) => m.subject === 'crash-before-hand-over')).toEqual([
      { subject: 'crash-before-hand-over', messageId: s.messageId },
    ]);
  });

  it('killed before the server accepted: completed by the sweeper and received exactly once', {
    timeout: 60_000,
  }, async () => {
    const stalled = relay.stallNext();
    const id = await post('crash-before-accept');
    await stalled; // the message is in the SMTP DATA phase
    await crash();
    relay.answerAgain();

    await start();
    await aMinutePasses(id);
    expect(await due(id)).toBe(false); // handed over: the server may have it, so the whole lease holds
    const s = await recover(id);
    expect(s.status).toBe('sent');
    expect(relay.accepted.filter((m) => m.subject === 'crash-before-accept')).toEqual([
      { subject: 'crash-before-accept', messageId: s.messageId },
    ]);
  });

  it('killed after the server accepted: received at most twice, with the same Message-ID', {
    timeout: 60_000,
  }, async () => {
    // Hold the database update that would record "sent": the process dies right after the 250.
    proxy!.holdWhen((body) => body.includes('update') && body.includes('deliveries') && body.includes('"sent"'));
    const id = await post('crash-after-accept');
    await proxy!.held();
    expect(relay.accepted.filter((m) => m.subject === 'crash-after-accept')).toHaveLength(1);
    await crash();

    await start();
    const s = await recover(id);
    expect(s.status).toBe('sent');
    // An hour later the sweeper still finds nothing to send again.
    const later = new Date(Date.now() + 60 * 60_000);
    expect(await sweepOutbox(getDatabase(databaseUrl), later, async () => {})).toEqual({ failed: 0, requeued: 0 });
    const copies = relay.accepted.filter((m) => m.subject === 'crash-after-accept');
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((c) => c.messageId))).toEqual(new Set([s.messageId]));
  });
});
