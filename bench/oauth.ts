// Signing in with the provider (XOAUTH2), on `npm run start:node`'s server (the token logic is the
// same code on Workers): token-endpoint calls per invoice while the access token is valid (goal 0),
// and what a test send that must refresh first adds, as a ratio to one token-endpoint round trip
// measured in the same run.
import { randomUUID } from 'node:crypto';
import { parseOAuthConfig } from '../api/config/oauth.ts';
import { authorizationUrl, exchangeCode, newCodeVerifier, newState, refreshTokens } from '../api/oauth/client.ts';
import { startAuthServer } from '../scripts/lib/oauth-server.ts';
import { TEST_CA_FILE } from '../test/support/smtp-servers.ts';
import { startSmtpCounter } from './lib/smtp-counter.ts';
import { startBenchStack, type BenchStack } from './lib/stack.ts';
import { median, ms, timeInterleaved } from './lib/stats.ts';

const PUBLIC_URL = 'https://api.bench.example';
const REDIRECT_URI = `${PUBLIC_URL}/v1/oauth/callback`;
const PORTAL = 'https://portal.bench.example';

type AuthServer = Awaited<ReturnType<typeof startAuthServer>>;

async function control(auth: AuthServer, path: string, body?: unknown) {
  const res = await fetch(`${auth.url}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status}`);
  return (await res.json()) as Record<string, number>;
}

const tokenCalls = async (auth: AuthServer) => {
  const s = await control(auth, 'stats');
  return s.refreshes! + s.codeExchanges!;
};

/** A tenant signed in with the local Google and saved to send through the counting server. */
async function signedInTenant(stack: BenchStack, smtpPort: number) {
  const id = `bench-oauth-${randomUUID().slice(0, 8)}`;
  const operator = { authorization: `Bearer ${stack.operatorKey}`, 'content-type': 'application/json' };
  await fetch(`${stack.apiUrl}/v1/tenants/${id}`, {
    method: 'PUT',
    headers: operator,
    body: JSON.stringify({ name: 'Bench', email: `owner@${id}.example` }),
  });
  const bearer = { authorization: `Bearer ${await stack.token(id)}`, 'content-type': 'application/json' };
  const started = await fetch(`${stack.apiUrl}/v1/mail-server/oauth/start`, {
    method: 'POST',
    headers: { ...bearer, origin: PORTAL },
    body: JSON.stringify({ provider: 'google', loginHint: `rechnung@${id}.example` }),
  });
  if (!started.ok) throw new Error(`start: ${started.status} ${await started.text()}${stack.logTail()}`);
  const atProvider = await fetch(((await started.json()) as { authorizationUrl: string }).authorizationUrl, {
    redirect: 'manual',
  });
  const back = new URL(atProvider.headers.get('location')!);
  const page = await fetch(`${stack.apiUrl}${back.pathname}${back.search}`);
  if (page.status !== 200) throw new Error(`callback: ${page.status}`);
  const put = await fetch(`${stack.apiUrl}/v1/mail-server`, {
    method: 'PUT',
    headers: bearer,
    body: JSON.stringify({
      host: 'localhost',
      port: smtpPort,
      security: 'starttls',
      auth: { method: 'xoauth2', provider: 'google' },
    }),
  });
  if (!put.ok) throw new Error(`save: ${put.status} ${await put.text()}`);
  return { id, bearer };
}

async function sendInvoices(stack: BenchStack, tenant: string, count: number, sent: () => number) {
  const target = sent() + count;
  const operator = { authorization: `Bearer ${stack.operatorKey}`, 'content-type': 'application/json' };
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${stack.apiUrl}/v1/tenants/${tenant}/messages`, {
      method: 'POST',
      headers: { ...operator, 'idempotency-key': `bench-oauth-${i}` },
      body: JSON.stringify({
        kind: 'invoice',
        to: [`kunde${i}@kunde.example`],
        subject: `Rechnung ${i}`,
        text: 'Anbei.',
      }),
    });
    if (res.status !== 202) throw new Error(`POST message: ${res.status} ${await res.text()}`);
  }
  const deadline = Date.now() + 120_000;
  while (sent() < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (sent() < target) throw new Error(`only ${sent() - target + count} of ${count} invoices sent in 2 minutes`);
}

/** One token-endpoint round trip (a refresh with a grant of the bench's own), the floor of a refresh. */
async function tokenRoundTrip(auth: AuthServer, rounds: number): Promise<number> {
  const provider = parseOAuthConfig({ PUBLIC_URL, ...auth.env }).providers.google!;
  const verifier = newCodeVerifier();
  const url = await authorizationUrl(provider, {
    redirectUri: REDIRECT_URI,
    state: newState(),
    codeVerifier: verifier,
    loginHint: 'floor@bench.example',
  });
  const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
  const now = () => new Date();
  const { refreshToken } = await exchangeCode(provider, REDIRECT_URI, code, verifier, now);
  const times = await timeInterleaved(rounds, 3, {
    refresh: () => refreshTokens(provider, refreshToken, now).then(() => {}),
  });
  return median(times.refresh);
}

export async function benchOAuth(invoices = 200, rounds = 20): Promise<string[]> {
  const auth = await startAuthServer('google', { redirectUris: [REDIRECT_URI] });
  const smtp = await startSmtpCounter({
    username: '',
    password: '',
    xoauth2: (user, token) => auth.verifyAccessToken(token, user),
  });
  const stack = await startBenchStack({
    runtime: 'node',
    vars: { ...(auth.env as Record<string, string>), PUBLIC_URL, ALLOWED_ORIGINS: PORTAL, ALLOW_PRIVATE_HOSTS: 'true' },
    env: { SSL_CERT_FILE: TEST_CA_FILE },
  });
  try {
    const steady = await signedInTenant(stack, smtp.port);
    const before = await tokenCalls(auth);
    await sendInvoices(stack, steady.id, invoices, smtp.accepted);
    const perSend = ((await tokenCalls(auth)) - before) / invoices;

    // Tenants whose access token lasts 60 s (under the two-minute margin) refresh before each send.
    const test = (tenant: { bearer: Record<string, string> }) => async () => {
      const res = await fetch(`${stack.apiUrl}/v1/mail-server/test`, { method: 'POST', headers: tenant.bearer });
      const body = (await res.json()) as { ok: boolean; error?: unknown };
      if (!body.ok) throw new Error(`test send failed: ${JSON.stringify(body.error)}`);
    };
    const valid: { bearer: Record<string, string> }[] = [];
    const expiring: { bearer: Record<string, string> }[] = [];
    for (let i = 0; i < rounds + 2; i++) {
      await control(auth, 'access-ttl', { seconds: 3600 });
      valid.push(await signedInTenant(stack, smtp.port));
      await control(auth, 'access-ttl', { seconds: 60 });
      expiring.push(await signedInTenant(stack, smtp.port));
    }
    await control(auth, 'access-ttl', { seconds: 3600 });
    let v = 0;
    let e = 0;
    const times = await timeInterleaved(rounds, 2, {
      valid: () => test(valid[v++]!)(),
      refresh: () => test(expiring[e++]!)(),
    });
    const floor = await tokenRoundTrip(auth, rounds);
    const added = median(times.refresh) - median(times.valid);
    return [
      `token-endpoint calls per invoice over ${invoices} invoices with a valid access token: ${perSend.toFixed(3)} (goal 0)`,
      `test send with a valid token: median ${ms(median(times.valid))}; needing a refresh: ${ms(median(times.refresh))} (${rounds} each, interleaved)`,
      `added by the refresh: ${ms(added)} = ${(added / floor).toFixed(2)}× one token-endpoint round trip (${ms(floor)}, a refresh from this process; the rest is taking the refresh lock, one database write; storing the new tokens runs alongside the send)`,
    ];
  } finally {
    await stack.stop();
    await smtp.stop();
    await auth.stop();
  }
}
