/**
 * A real `kgal serve` process on the embedded store: it embeds posted items itself, and `kgal embed` run
 * beside it (the store is locked by the server) asks the server over HTTP instead of failing on the lock.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from './support/api.js';
import { kgalBin, runKgal } from './support/cli.js';
import { sharedData, tempDir } from './support/fixtures.js';
import { modelSkipped } from './support/model.js';
import { startKgalServe, type ServeProcess } from './support/serve.js';

const KEY = 'embed-key';
/** The embedded store even when the test run has NEO4J_URI set. */
const EMBEDDED = { NEO4J_URI: '' };
const auth = { authorization: `Bearer ${KEY}` };
const news = readFileSync(sharedData('ag_news', 'ag_news_test.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .slice(0, 60)
  .map((line) => JSON.parse(line) as { id: string; text: string; label: string });

/** `kgal <args>` without blocking this process's event loop (the server under test may be an in-process peer). */
function runKgalAsync(args: string[], env: Record<string, string | undefined>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [kgalBin, ...args], { env: { ...process.env, NEO4J_URI: undefined, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe.skipIf(modelSkipped())('kgal serve embeds, and kgal embed works against a running server (embedded store)', () => {
  let server: ServeProcess | undefined;
  afterEach(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    server = undefined;
  });

  it('posted items are embedded by the server itself; kgal embed beside it asks the server (key from KGAL_API_KEY) and exits 0 when all are embedded', async () => {
    const dataDir = await tempDir('kgal-serve-embed-');
    server = await startKgalServe({ ...EMBEDDED, KGAL_DATA_DIR: dataDir, KGAL_API_KEY: KEY, KGAL_LOG_LEVEL: 'silent', KGAL_ALLOW_REMOTE_MODELS: '0' });
    // The server says where it answers, beside the lock it holds.
    expect(JSON.parse(readFileSync(join(dataDir, 'kgal.server.json'), 'utf8'))).toEqual({ url: server.url, pid: server.child.pid });

    expect((await call(server.url, 'POST', '/v1/items', { items: news.slice(0, 30).map(({ id, text }) => ({ id, text })) }, auth)).status).toBe(200);
    const stats = await waitFor(
      async () => (await call(server!.url, 'GET', '/v1/stats', undefined, auth)).body,
      (body) => body.embedding.state === 'idle' && body.embedding.embedded === 30,
    );
    expect(stats.embedding).toMatchObject({ state: 'idle', embedded: 30, pending: 0, automatic: true, model: 'Xenova/all-MiniLM-L6-v2:fp32' });

    // Nothing left to do: `kgal embed` says so through the server.
    const idle = await runKgalAsync(['embed', '--json'], { KGAL_DATA_DIR: dataDir, KGAL_API_KEY: KEY });
    expect(idle.stderr).toContain(`the store is held by the kgal server at ${server.url}`);
    expect(idle.status).toBe(0);
    expect(JSON.parse(idle.stdout)).toMatchObject({ server: server.url, status: { state: 'idle', embedded: 30, pending: 0 } });

    // Without the key: a clear error naming what to set, exit 1.
    const noKey = await runKgalAsync(['embed'], { KGAL_DATA_DIR: dataDir, KGAL_API_KEY: undefined });
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toMatch(/holds the store and needs its API key: set KGAL_API_KEY/);
  }, 240_000);

  it('with background embedding off (KGAL_BACKGROUND_EMBED=0), kgal embed has the server embed the pending items and exits 0 once none is left', async () => {
    const dataDir = await tempDir('kgal-serve-embed-');
    server = await startKgalServe({ ...EMBEDDED, KGAL_DATA_DIR: dataDir, KGAL_API_KEY: KEY, KGAL_LOG_LEVEL: 'silent', KGAL_ALLOW_REMOTE_MODELS: '0', KGAL_BACKGROUND_EMBED: '0' });
    expect((await call(server.url, 'POST', '/v1/items', { items: news.map(({ id, text }) => ({ id, text })) }, auth)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await call(server.url, 'GET', '/v1/embed', undefined, auth)).body).toMatchObject({ state: 'idle', embedded: 0, pending: 60, automatic: false });

    const result = await runKgalAsync(['embed'], { KGAL_DATA_DIR: dataDir, KGAL_API_KEY: KEY });
    expect(result.stderr).toContain('embedding through it');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`embedded 60 items through ${server.url.replace(/[.]/g, '\\.')}; all 60 items have an embedding`));
    const stats = (await call(server.url, 'GET', '/v1/stats', undefined, auth)).body;
    expect(stats).toMatchObject({ embeddedItems: 60, embedding: { state: 'idle', embedded: 60, pending: 0 } });
  }, 240_000);

  it('without a model: the server keeps serving with embedding unavailable (one-line reason), and kgal embed exits 3 with it', async () => {
    const dataDir = await tempDir('kgal-serve-embed-');
    server = await startKgalServe({
      ...EMBEDDED,
      KGAL_DATA_DIR: dataDir,
      KGAL_LOG_LEVEL: 'silent',
      KGAL_MODEL_DIR: join(dataDir, 'no-models'),
      KGAL_ALLOW_REMOTE_MODELS: '0',
      KGAL_AUTO_MODEL: '0',
    });
    expect((await call(server.url, 'POST', '/v1/items', { items: news.slice(0, 5).map(({ id, text }) => ({ id, text })) })).status).toBe(200);
    const status = await waitFor(
      async () => (await call(server!.url, 'GET', '/v1/embed')).body,
      (body) => body.state === 'unavailable',
    );
    expect(status).toMatchObject({ state: 'unavailable', pending: 5 });
    expect(status.reason).toMatch(/no-models/);
    expect(status.reason).not.toContain('\n');
    expect((await call(server.url, 'GET', '/ready')).status).toBe(200);

    const result = await runKgalAsync(['embed'], { KGAL_DATA_DIR: dataDir, KGAL_MODEL_DIR: join(dataDir, 'no-models'), KGAL_ALLOW_REMOTE_MODELS: '0' });
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/kgal: the kgal server at .* cannot embed: .*no-models/);
    expect(server.child.exitCode).toBeNull();
  }, 240_000);

  it('kgal query names the fallback in its text output, and the server removes its address file on shutdown', async () => {
    const dataDir = await tempDir('kgal-serve-embed-');
    server = await startKgalServe({ ...EMBEDDED, KGAL_DATA_DIR: dataDir, KGAL_LOG_LEVEL: 'silent', KGAL_BACKGROUND_EMBED: '0' });
    expect((await call(server.url, 'POST', '/v1/items', { items: news.slice(0, 12).map(({ id, text }) => ({ id, text })) })).status).toBe(200);
    server.child.kill('SIGTERM');
    await server.exited;
    server = undefined;
    expect(existsSync(join(dataDir, 'kgal.server.json'))).toBe(false);

    const query = runKgal(['query', '--strategy', 'entropy', '--batch', '3', '--no-record'], { KGAL_DATA_DIR: dataDir });
    expect(query.status).toBe(0);
    expect(query.stdout.split('\n')[0]).toMatch(/^cold-start \(fallback: entropy needs a trained model: no embeddings/);
    expect(query.stdout).not.toMatch(/^entropy/m);
  }, 120_000);
  it('an embedding process that dies (killed, out of memory) is replaced: the next items are embedded, the server keeps serving', async () => {
    const dataDir = await tempDir('kgal-serve-embed-crash-');
    server = await startKgalServe({ ...EMBEDDED, KGAL_DATA_DIR: dataDir, KGAL_API_KEY: KEY, KGAL_LOG_LEVEL: 'silent', KGAL_ALLOW_REMOTE_MODELS: '0' });
    const stats = async () => (await call(server!.url, 'GET', '/v1/stats', undefined, auth)).body as { embeddedItems: number; embedding: { state: string; pending: number } };
    expect((await call(server.url, 'POST', '/v1/items', { items: news.slice(0, 10).map(({ id, text }) => ({ id, text })) }, auth)).status).toBe(200);
    expect((await waitFor(stats, (s) => s.embeddedItems === 10 && s.embedding.state === 'idle')).embeddedItems).toBe(10);

    // The model's process is the server's child running embedder-worker.js: kill it as the OOM killer would.
    const children = execFileSync('pgrep', ['-P', String(server.child.pid), '-f', 'embedder-worker'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    expect(children).toHaveLength(1);
    process.kill(Number(children[0]), 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect((await call(server.url, 'POST', '/v1/items', { items: news.slice(10, 20).map(({ id, text }) => ({ id, text })) }, auth)).status).toBe(200);
    const after = await waitFor(stats, (s) => s.embeddedItems === 20 && s.embedding.state === 'idle');
    expect(after.embeddedItems).toBe(20);
    expect(after.embedding.pending).toBe(0);
    expect((await call(server.url, 'GET', '/health')).status).toBe(200);
  }, 180_000);
});
