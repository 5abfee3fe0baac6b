import { describe, expect, it } from 'vitest';
import { labelSetKey, ModelCache } from '../src/model/model-cache.js';
import { loadEmbeddedPool } from '../src/model/pool-model.js';
import { createRandom } from '../src/model/seeded-random.js';
import { queryPool } from '../src/selector/query-pool.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';

const topics = ['sports', 'business', 'science'];

/** 45 items whose vectors cluster by topic (a linear model can separate them); the first `labeled` carry their topic. */
async function topicStore(labeled: number): Promise<MemoryGraphStore> {
  const store = await MemoryGraphStore.open();
  const rng = createRandom(11);
  await store.upsertItems(
    Array.from({ length: 45 }, (_, i) => ({ id: `i${String(i).padStart(2, '0')}`, text: `Item ${i} about ${topics[i % 3]} in Paris and Berlin`, meta: {} })),
  );
  await store.setEmbeddings(
    Array.from({ length: 45 }, (_, i) => {
      const vector = new Float32Array(8);
      vector[i % 3] = 3;
      for (let d = 0; d < 8; d += 1) vector[d] = vector[d]! + rng.next() - 0.5;
      const norm = Math.hypot(...vector);
      return { id: `i${String(i).padStart(2, '0')}`, key: 'k', vector: vector.map((v) => v / norm) };
    }),
  );
  if (labeled > 0) await store.setLabels(Array.from({ length: labeled }, (_, i) => ({ id: `i${String(i).padStart(2, '0')}`, label: topics[i % 3]! })));
  return store;
}

describe('ModelCache: one fit per label set', () => {
  it('a second request with the same labels reuses the model; a new label, or a changed embedding, fits again', async () => {
    const store = await topicStore(9);
    const cache = new ModelCache();
    const first = cache.get(await loadEmbeddedPool(store), { committee: false });
    expect(first).toMatchObject({ reused: false, model: { status: 'trained', trainedOn: 9 } });
    expect(cache.fits).toBe(1);

    const second = cache.get(await loadEmbeddedPool(store), { committee: false });
    expect(second.reused).toBe(true);
    expect(second.model).toBe(first.model);
    expect(second.trainedAt).toBe(first.trainedAt);
    expect(cache.fits).toBe(1);

    await store.setLabels([{ id: 'i30', label: 'sports' }]);
    const third = cache.get(await loadEmbeddedPool(store), { committee: false });
    expect(third).toMatchObject({ reused: false, model: { status: 'trained', trainedOn: 10 } });
    expect(third.key).not.toBe(first.key);
    expect(cache.fits).toBe(2);

    // Re-embedding a labeled item changes what the model would be trained on: a new fit, not a stale model.
    const pool = await loadEmbeddedPool(store);
    await store.setEmbeddings([{ id: 'i00', key: 'k2', vector: new Float32Array(8).fill(Math.SQRT1_2 / 2) }]);
    const changed = await loadEmbeddedPool(store);
    expect(labelSetKey(changed)).not.toBe(labelSetKey(pool));
    expect(cache.get(changed, { committee: false }).reused).toBe(false);
    expect(cache.fits).toBe(3);
  });

  it('a committee is fitted once per label set and committee settings; the classifier alone is served from any fit', async () => {
    const store = await topicStore(12);
    const cache = new ModelCache();
    const pool = await loadEmbeddedPool(store);
    const withCommittee = cache.get(pool, { committee: true, members: 3, seed: 1 });
    expect(withCommittee.model.status === 'trained' && withCommittee.model.committee?.members).toHaveLength(3);
    expect(cache.get(pool, { committee: true, members: 3, seed: 1 }).reused).toBe(true);
    expect(cache.get(pool, { committee: false }).reused).toBe(true);
    expect(cache.get(pool, { committee: true, members: 4, seed: 1 }).reused).toBe(false);
    expect(cache.fits).toBe(2);
  });

  it('keeps a bounded number of label sets (least recently used goes first)', async () => {
    const store = await topicStore(6);
    const cache = new ModelCache(2);
    const keys: string[] = [];
    for (let extra = 0; extra < 3; extra += 1) {
      await store.setLabels([{ id: `i${30 + extra}`, label: topics[extra]! }]);
      keys.push(cache.get(await loadEmbeddedPool(store), { committee: false }).key);
    }
    expect(cache.size).toBe(2);
    expect(new Set(keys).size).toBe(3);
  });
});

describe('queryPool with a model cache', () => {
  it('the second query with the same labels does not retrain; a new label does', async () => {
    const store = await topicStore(9);
    const cache = new ModelCache();
    const first = await queryPool(store, { batchSize: 3, strategy: 'margin', record: false, modelCache: cache });
    expect(first).toMatchObject({ strategy: 'margin', requestedStrategy: 'margin', coldStart: false, uncertaintySource: 'model', model: { status: 'trained', reused: false } });
    expect(first.fallback).toBeUndefined();
    const second = await queryPool(store, { batchSize: 3, strategy: 'kg-guided', record: false, modelCache: cache });
    expect(second.model).toMatchObject({ status: 'trained', reused: true, trainedOn: 9 });
    expect(cache.fits).toBe(1);

    await store.setLabels([{ id: first.picks[0]!.id, label: 'science' }]);
    const third = await queryPool(store, { batchSize: 3, record: false, modelCache: cache });
    expect(third.model).toMatchObject({ status: 'trained', reused: false, trainedOn: 10 });
    expect(cache.fits).toBe(2);

    // Without a cache (the CLI) the model is fitted for the query and `reused` is not reported.
    const uncached = await queryPool(store, { batchSize: 3, record: false });
    expect(uncached.model).toEqual({ status: 'trained', classes: topics.slice().sort(), trainedOn: 10 });
  });
});

describe('fallback naming', () => {
  it('a preset that needs a model and has none answers as cold-start, with the reason, never under its own name', async () => {
    const store = await topicStore(0);
    for (const requested of ['entropy', 'margin', 'bald', 'kg-guided'] as const) {
      const result = await queryPool(store, { batchSize: 4, strategy: requested, record: false });
      expect(result.strategy, requested).toBe('cold-start');
      expect(result.requestedStrategy).toBe(requested);
      expect(result.fallback?.reason).toMatch(new RegExp(`^${requested} needs a trained model: cold start: no labeled items`));
      expect(result.uncertaintySource).toBe('none');
      expect(result.picks.map((p) => p.strategy)).toEqual(['cold-start', 'cold-start', 'cold-start', 'cold-start']);
    }
    // The round is recorded under the strategy that chose it.
    const recorded = await queryPool(store, { batchSize: 2, strategy: 'entropy' });
    expect((await store.getPickHistory(recorded.picks[0]!.id))[0]).toMatchObject({ strategy: 'cold-start' });
  });

  it('presets that need no model, and model presets once trained, answer under their own name without a fallback', async () => {
    const cold = await topicStore(0);
    const coverage = await queryPool(cold, { batchSize: 4, strategy: 'coverage', record: false });
    expect(coverage).toMatchObject({ strategy: 'coverage', requestedStrategy: 'coverage', coldStart: false });
    expect(coverage.fallback).toBeUndefined();

    const trained = await topicStore(9);
    const entropy = await queryPool(trained, { batchSize: 4, strategy: 'entropy', record: false });
    expect(entropy).toMatchObject({ strategy: 'entropy', requestedStrategy: 'entropy', uncertaintySource: 'model' });
    expect(entropy.fallback).toBeUndefined();
    expect(entropy.picks.every((p) => p.strategy === 'entropy')).toBe(true);
  });
});
