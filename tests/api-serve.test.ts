import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { call } from './support/api.js';
import { kgalBin } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { freePort } from './support/serve.js';

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('kgal serve did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `kgal serve` as users run it: configuration from the environment, JSON logs, data kept after SIGTERM. */
describe('kgal serve', () => {
  it('serves the API with env configuration, logs JSON lines, and persists the embedded store on shutdown', async () => {
    const dataDir = await tempDir();
    const port = await freePort();
    const child = spawn(process.execPath, [kgalBin, 'serve', '--port', String(port)], {
      env: { ...process.env, NEO4J_URI: '', KGAL_DATA_DIR: dataDir, KGAL_API_KEY: 'k', KGAL_READ_KEY: 'r', KGAL_LABELS: 'Sports,World', KGAL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHealth(url);
      const items = { items: [{ id: 's1', text: 'Roger Federer won in Basel.' }, { id: 's2', text: 'Talks in Geneva ended.' }] };
      expect((await call(url, 'POST', '/v1/items', items)).status).toBe(401);
      expect((await call(url, 'POST', '/v1/items', items, { authorization: 'Bearer k' })).status).toBe(200);
      expect((await call(url, 'POST', '/v1/labels', { labels: [{ id: 's1', label: 'Tennis' }] }, { 'x-api-key': 'k' })).status).toBe(400);
      expect((await call(url, 'POST', '/v1/labels', { labels: [{ id: 's1', label: 'Sports' }] }, { 'x-api-key': 'k' })).status).toBe(200);
      expect((await call(url, 'GET', '/ready')).body).toMatchObject({ status: 'ready' });
      // Reads need a key too (the write key or the read key); the read key cannot write.
      expect((await call(url, 'GET', '/v1/items/s1')).status).toBe(401);
      expect((await call(url, 'GET', '/v1/items/s1', undefined, { authorization: 'Bearer r' })).body).toMatchObject({ label: 'Sports' });
      expect((await call(url, 'GET', '/v1/stats', undefined, { 'x-api-key': 'k' })).status).toBe(200);
      expect((await call(url, 'POST', '/v1/labels', { labels: [{ id: 's2', label: 'World' }] }, { authorization: 'Bearer r' })).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const logLines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { req?: { method: string; url: string }; res?: { statusCode: number } });
    expect(logLines.some((l) => l.req?.url === '/v1/labels' && l.res?.statusCode === 400)).toBe(true);
    // Keys are redacted in the request logs.
    expect(stdout).not.toMatch(/Bearer [kr]\b|"x-api-key":"k"/);
    expect(stdout).toContain('"authorization":"[redacted]"');
    const store = await MemoryGraphStore.open({ dataDir, readOnly: true });
    expect(await store.getItem('s1')).toMatchObject({ label: 'Sports' });
    expect((await store.stats()).items).toBe(2);
    await store.close();
  });

  it('fails loudly (exit 1, no "kgal API on") when the port is in use', async () => {
    const busy = createServer();
    const port = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)));
    try {
      const child = spawn(process.execPath, [kgalBin, 'serve', '--port', String(port)], {
        env: { ...process.env, NEO4J_URI: '', KGAL_DATA_DIR: await tempDir(), KGAL_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
      expect(stderr).not.toContain('kgal API on');
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
