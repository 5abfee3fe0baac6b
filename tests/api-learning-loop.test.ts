/**
 * The server learns as it goes, over HTTP only, with the real all-MiniLM-L6-v2: items posted to the API are
 * embedded by the server's own background embedder (no `kgal embed`), labels posted over /v1/labels train the
 * classifier, and the next query ranks by the trained model's uncertainty; /v1/model reads the model the query
 * fitted instead of fitting one per call.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddingWorkerOf } from '../src/api/app.js';
import type { BackgroundEmbedderOptions } from '../src/api/background-embedder.js';
import { embedderConfigFromEnv } from '../src/embeddings/embedder-config.js';
import { TransformersEmbedder } from '../src/embeddings/transformers-embedder.js';
import { WorkerEmbedder } from '../src/embeddings/worker-embedder.js';
import { ingestRows } from '../src/ingest/ingest-pool.js';
import type { GraphStore } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { call, startApi, type Reply } from './support/api.js';
import { sharedData, tempDir } from './support/fixtures.js';
import { modelSkipped } from './support/model.js';
import { connectNeo4jStore, freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';

interface NewsRow {
  id: string;
  text: string;
  label: string;
}

const news: NewsRow[] = readFileSync(sharedData('ag_news', 'ag_news_test.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .slice(0, 400)
  .map((line) => JSON.parse(line) as NewsRow)
  .map(({ id, text, label }) => ({ id, text, label }));
const labelOf = new Map(news.map((r) => [r.id, r.label]));

const realModel = (overrides: Partial<BackgroundEmbedderOptions> = {}): BackgroundEmbedderOptions => {
  const config = { ...embedderConfigFromEnv(), allowRemote: false };
  // As `kgal serve` does: the model on a worker thread.
  return { load: () => WorkerEmbedder.load(config), modelId: TransformersEmbedder.idFor(config), ...overrides };
};

/** Polls GET /v1/stats until `done(stats)` or the deadline; returns the last stats. */
async function pollStats(url: string, done: (body: Reply['body']) => boolean, timeoutMs = 120_000): Promise<Reply['body']> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await call(url, 'GET', '/v1/stats');
    expect(stats.status).toBe(200);
    if (done(stats.body) || Date.now() > deadline) return stats.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const allEmbedded = (n: number) => (body: Reply['body']) => body.embedding.state === 'idle' && body.embedding.embedded === n && body.embedding.pending === 0;

describe.skipIf(modelSkipped())('the server learns as it goes (embedded store, real model)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(options: { embedding: BackgroundEmbedderOptions; store?: GraphStore }) {
    const store = options.store ?? (await MemoryGraphStore.open({ dataDir: await tempDir('kgal-loop-') }));
    const api = await startApi(store, { embedding: options.embedding });
    cleanups.push(async () => {
      await api.close();
      await embeddingWorkerOf(api.app)?.stop();
      await store.close();
    });
    return { store, api };
  }

  it('post items → embedded without any CLI step → label → the next query uses the trained model, /v1/model does not refit', async () => {
    const { store, api } = await serve({ embedding: realModel() });
    const pool = news.slice(0, 60);
    const posted = await call(api.url, 'POST', '/v1/items', { items: pool.map(({ id, text }) => ({ id, text })) });
    expect(posted).toMatchObject({ status: 200, body: { items: 60 } });

    // Embedded in the background: /v1/stats shows the run and then every item embedded by the server's model.
    const stats = await pollStats(api.url, allEmbedded(60));
    expect(stats.embedding).toMatchObject({ state: 'idle', embedded: 60, pending: 0, model: 'Xenova/all-MiniLM-L6-v2:fp32', automatic: true });
    expect(stats.embedding.lastRun.embedded).toBe(60);
    expect(stats.embeddedItems).toBe(60);
    // Durable like `kgal embed`: the vectors are in the store, 384-d, unit length.
    const { ids, matrix } = await store.getEmbeddings();
    expect(ids).toHaveLength(60);
    expect(matrix.cols).toBe(384);
    expect(Math.hypot(...matrix.data.subarray(0, 384))).toBeCloseTo(1, 5);

    // Before any label: no model, so kg-guided answers as its fallback, saying why.
    const cold = await call(api.url, 'POST', '/v1/query', { batchSize: 8, annotator: 'ann-1' });
    expect(cold.body).toMatchObject({ strategy: 'cold-start', requestedStrategy: 'kg-guided', coldStart: true, uncertaintySource: 'none' });
    expect(cold.body.fallback.reason).toMatch(/^kg-guided needs a trained model: cold start: no labeled items/);

    // The annotator labels the batch (the oracle: AG News' own labels), plus a few more so every class has some.
    const firstIds: string[] = cold.body.picks.map((p: { id: string }) => p.id);
    const extra = pool.filter((r) => !firstIds.includes(r.id)).slice(0, 8);
    const labels = [...firstIds.map((id) => ({ id, label: labelOf.get(id)!, annotator: 'ann-1' })), ...extra.map((r) => ({ id: r.id, label: r.label, annotator: 'ann-2' }))];
    expect(new Set(labels.map((l) => l.label)).size).toBeGreaterThanOrEqual(3);
    expect((await call(api.url, 'POST', '/v1/labels', { labels })).status).toBe(200);

    // The next query trains on those labels and ranks by the model's uncertainty.
    const warm = await call(api.url, 'POST', '/v1/query', { batchSize: 8, annotator: 'ann-1' });
    expect(warm.status).toBe(200);
    expect(warm.body).toMatchObject({ strategy: 'kg-guided', requestedStrategy: 'kg-guided', coldStart: false, uncertaintySource: 'model' });
    expect(warm.body.fallback).toBeUndefined();
    expect(warm.body.model).toMatchObject({ status: 'trained', trainedOn: 16, reused: false });
    for (const pick of warm.body.picks) {
      expect(pick.strategy).toBe('kg-guided');
      expect(warm.body.model.classes).toContain(pick.prediction.label);
      expect(pick.components.uncertainty.raw).toBeGreaterThan(0);
    }

    // /v1/model reads the model that query fitted: trained, the same fit, not refitted per call.
    const model = await call(api.url, 'GET', '/v1/model');
    expect(model.body).toMatchObject({ status: 'trained', trainedOn: 16, reused: true, embeddedItems: 60, notEmbedded: 0 });
    const again = await call(api.url, 'GET', '/v1/model');
    expect(again.body.trainedAt).toBe(model.body.trainedAt);
    // A query with the same labels reuses it too; one more label makes the next call fit a new model.
    expect((await call(api.url, 'POST', '/v1/query', { batchSize: 4, strategy: 'entropy' })).body).toMatchObject({ strategy: 'entropy', model: { reused: true } });
    const next = warm.body.picks[0].id as string;
    expect((await call(api.url, 'POST', '/v1/labels', { labels: [{ id: next, label: labelOf.get(next)!, annotator: 'ann-1' }] })).status).toBe(200);
    const refit = await call(api.url, 'GET', '/v1/model');
    expect(refit.body).toMatchObject({ status: 'trained', trainedOn: 17, reused: false });

    // More items arrive later: embedded too, and the next query can pick them.
    const later = news.slice(60, 80);
    expect((await call(api.url, 'POST', '/v1/items', { items: later.map(({ id, text }) => ({ id, text })) })).status).toBe(200);
    await pollStats(api.url, allEmbedded(80));
    const withLater = await call(api.url, 'POST', '/v1/query', { batchSize: 80, strategy: 'margin' });
    expect(withLater.body.picks.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(later.map((r) => r.id)));
  }, 300_000);

  it('a long run does not hold queries up: a query is answered while the embedder is still running', async () => {
    // Small write chunks and batches so the run has many steps; queries get the selection queue between them.
    const { api } = await serve({ embedding: realModel({ writeEvery: 16, batchSize: 8 }) });
    const pool = news.slice(0, 400);
    expect((await call(api.url, 'POST', '/v1/items', { items: pool.map(({ id, text }) => ({ id, text })) })).status).toBe(200);
    await pollStats(api.url, (body) => body.embedding.embedded > 0, 120_000);
    // The forward passes run on the embedder's thread: the server answers at once meanwhile.
    for (let k = 0; k < 5; k += 1) {
      const started = performance.now();
      expect((await call(api.url, 'GET', '/health')).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
    const query = await call(api.url, 'POST', '/v1/query', { batchSize: 5, strategy: 'coverage' });
    expect(query.status).toBe(200);
    const during = await call(api.url, 'GET', '/v1/embed');
    expect(during.body.state).toBe('running');
    expect(during.body.done).toBeLessThan(during.body.total);
    const stats = await pollStats(api.url, allEmbedded(400), 240_000);
    expect(stats.embedding).toMatchObject({ state: 'idle', embedded: 400, pending: 0 });
  }, 300_000);

  it('without a model: state unavailable with a one-line reason, the server keeps serving, POST /v1/embed tries again', async () => {
    const config = { ...embedderConfigFromEnv(), modelDir: '/nonexistent/kgal-models', allowRemote: false };
    const { api } = await serve({ embedding: { load: () => WorkerEmbedder.load(config), modelId: TransformersEmbedder.idFor(config) } });
    expect((await call(api.url, 'POST', '/v1/items', { items: news.slice(0, 10).map(({ id, text }) => ({ id, text })) })).status).toBe(200);
    const stats = await pollStats(api.url, (body) => body.embedding.state === 'unavailable');
    expect(stats.embedding).toMatchObject({ state: 'unavailable', embedded: 0, pending: 10 });
    expect(stats.embedding.reason).toMatch(/embedding model Xenova\/all-MiniLM-L6-v2 not found at \/nonexistent\/kgal-models/);
    expect(stats.embedding.reason).not.toContain('\n');
    // Queries still work (cold start, by the graph), and say why.
    const query = await call(api.url, 'POST', '/v1/query', { batchSize: 3, strategy: 'entropy' });
    expect(query.body).toMatchObject({ strategy: 'cold-start', requestedStrategy: 'entropy' });
    expect(query.body.fallback.reason).toMatch(/^entropy needs a trained model: no embeddings/);
    const retry = await call(api.url, 'POST', '/v1/embed');
    expect(retry.status).toBe(202);
    expect(['running', 'unavailable']).toContain(retry.body.state);
    expect((await pollStats(api.url, (body) => body.embedding.state === 'unavailable')).embedding.pending).toBe(10);
  }, 120_000);

  it('POST /v1/embed needs the write key; a server created without an embedder answers 503 and says so in /v1/stats', async () => {
    const store = await MemoryGraphStore.open();
    const plain = await startApi(store, { apiKey: 'w' });
    try {
      expect((await call(plain.url, 'POST', '/v1/embed')).status).toBe(401);
      const refused = await call(plain.url, 'POST', '/v1/embed', undefined, { authorization: 'Bearer w' });
      expect(refused).toMatchObject({ status: 503, body: { code: 'model-unavailable' } });
      const stats = await call(plain.url, 'GET', '/v1/stats', undefined, { authorization: 'Bearer w' });
      expect(stats.body.embedding).toMatchObject({ state: 'unavailable', automatic: false, reason: expect.stringMatching(/no embedder/) });
    } finally {
      await plain.close();
      await store.close();
    }
  });
});

describe.skipIf(modelSkipped() || neo4jSkipped())('the server embeds what other processes ingest into a shared Neo4j', () => {
  it('items written by another connection are found by the periodic check and embedded', async () => {
    const store = await freshNeo4jStore();
    const api = await startApi(store, { embedding: realModel({ pollMs: 200 }) });
    const other = await connectNeo4jStore();
    try {
      const rows = news.slice(100, 130);
      await ingestRows(other, rows.map(({ id, text }) => ({ id, text })), { source: 'other-process' });
      const stats = await pollStats(api.url, allEmbedded(30));
      expect(stats.embedding).toMatchObject({ state: 'idle', embedded: 30, pending: 0 });
      expect((await other.getEmbeddings()).ids).toHaveLength(30);
    } finally {
      await api.close();
      await embeddingWorkerOf(api.app)?.stop();
      await other.close();
      await store.close();
    }
  }, 180_000);
});
