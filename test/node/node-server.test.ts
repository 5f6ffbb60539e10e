// The Node entry as an operator runs it: the esbuild bundle (dist/node/server.js) started with
// plain `node` on a free port, configured through environment variables, on a `file:` database
// that scripts/lib/migrate.ts prepared. It answers /healthz, serves the API with the Node
// capabilities and the widget, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import type { MailServerResponse } from '../../contract/index.ts';
import { directoryAssets } from '../../api/node/assets.ts';
import { buildNode } from '../../scripts/build-node.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { freePort, waitForHttp } from '../../scripts/lib/ports.ts';

describe('Node server entry (bundle)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mss-node-'));
  const secret = randomBytes(32).toString('base64url');
  let child: ChildProcess;
  let base: string;
  let output = '';

  beforeAll(async () => {
    const [{ bundle }, port] = await Promise.all([buildNode(), freePort()]);
    const databaseUrl = pathToFileURL(join(dir, 'api.db')).href;
    await applyMigrations(databaseUrl);
    await applyMigrations(databaseUrl); // idempotent on file: too
    const assets = join(dir, 'public');
    mkdirSync(assets);
    writeFileSync(join(assets, 'mail-server-settings.js'), 'export const widget = true;\n');
    writeFileSync(join(assets, 'index.html'), '<!doctype html><title>demo</title>');
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--enable-source-maps', bundle], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        TENANT_TOKEN_SECRET: secret,
        SETTINGS_ENCRYPTION_KEY: `t1:${randomBytes(32).toString('base64')}`,
        OPERATOR_API_KEY: 'node-operator-key',
        SYSTEM_SMTP_URL: 'smtp://127.0.0.1:1',
        ALLOWED_ORIGINS: 'https://portal.example',
        ALLOW_PRIVATE_HOSTS: 'false',
        ASSETS_DIR: assets,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await waitForHttp(`${base}/healthz`, 15_000, () => child.exitCode === null).catch((error) => {
      throw new Error(`${String(error)}\n${output}`);
    });
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz with the file: database and all secrets present', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(output).toMatch(/runtime node/);
  });

  it('serves the API with the Node capabilities and stores settings in the file database', async () => {
    const token = await mintTenantToken(secret, {
      id: 'node-server-tenant',
      email: 'owner@node-server.example.com',
      name: 'Node GmbH',
    });
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      origin: 'https://portal.example',
    };
    const put = await fetch(`${base}/v1/mail-server`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        host: 'smtp.node-server.example.com',
        port: 25,
        security: 'starttls',
        allowUntrustedCertificate: true,
        auth: { method: 'none' },
      }),
    });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe('https://portal.example');
    const res = await fetch(`${base}/v1/mail-server`, { headers });
    const body = (await res.json()) as MailServerResponse;
    expect(body.capabilities).toEqual({
      runtime: 'node',
      allowUntrustedCertificate: true,
      blockedPorts: [],
      oauthProviders: [],
    });
    expect(body.settings).toMatchObject({
      host: 'smtp.node-server.example.com',
      port: 25,
      allowUntrustedCertificate: true,
    });

    // Anti-SSRF still holds on Node: private hosts only with ALLOW_PRIVATE_HOSTS.
    const local = await fetch(`${base}/v1/mail-server`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ host: '127.0.0.1', security: 'starttls', auth: { method: 'none' } }),
    });
    expect(local.status).toBe(422);
  });

  it('serves the widget module from the assets directory; the demo page only in development', async () => {
    const widget = await fetch(`${base}/mail-server-settings.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await widget.text()).toBe('export const widget = true;\n');
    // ENVIRONMENT defaults to production: the demo page is not served.
    expect((await fetch(`${base}/index.html`)).status).toBe(404);
    expect((await fetch(`${base}/`)).status).toBe(404);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('Node assets directory', () => {
  it('serves files below the directory only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mss-assets-'));
    try {
      mkdirSync(join(dir, 'public'));
      writeFileSync(join(dir, 'public', 'a.js'), 'ok');
      writeFileSync(join(dir, 'secret.txt'), 'secret');
      const assets = directoryAssets(join(dir, 'public'));
      const get = (path: string) => assets.fetch(`http://assets.test${path}`);
      expect(await (await get('/a.js')).text()).toBe('ok');
      for (const path of [
        '/..%2fsecret.txt',
        '/%2e%2e/secret.txt',
        '/../secret.txt',
        '/missing.js',
        '/a.js%00',
        '/%E0%A4%A',
      ]) {
        expect((await get(path)).status, path).toBe(404);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
