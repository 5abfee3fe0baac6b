/**
 * Regression test of issue 11: on a pool where many texts mention no entity (Banking77 intents), the
 * knowledge term must not starve them. The old default (a weighted sum over the whole pool, still reachable
 * as `shortlist: 0`) picked entity-free texts at a fraction of their share; kg-guided must pick them at a
 * rate within a factor of 2 of their share among the candidates.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLabeledFile } from '../src/simulation/labeled-dataset.js';
import { cachedTransformerEmbedder } from '../src/simulation/embedding-cache.js';
import { prepareDataset, type PreparedDataset } from '../src/simulation/prepared-dataset.js';
import { restoreSnapshot } from '../src/simulation/store-snapshot.js';
import { queryPool, type QueryResult } from '../src/selector/query-pool.js';
import { createRandom, shuffled } from '../src/model/seeded-random.js';
import type { GraphStore } from '../src/store/graph-store.js';
import { modelSkipped } from './support/model.js';
import { sharedData, tempFile } from './support/fixtures.js';

describe.skipIf(modelSkipped())('kg-guided does not starve entity-free texts (Banking77 slice, real model)', () => {
  let prepared: PreparedDataset;
  let store: GraphStore;
  let entityFree: Set<string>;
  let shareAmongCandidates: number;

  beforeAll(async () => {
    // Every 8th line: all 77 intents (the file is sorted by intent), 1,251 texts.
    const lines = (await readFile(sharedData('banking77', 'banking77_train.jsonl'), 'utf8')).split('\n').filter((l, i) => l.trim() !== '' && i % 8 === 0);
    const all = await readLabeledFile(await tempFile('banking77_slice.jsonl', lines.join('\n')));
    const examples = all.slice(10);
    prepared = await prepareDataset({ dataset: 'banking77_slice', pool: examples, eval: all.slice(0, 10), embedder: cachedTransformerEmbedder() });
    store = await restoreSnapshot(prepared.snapshot);
    const labelOf = new Map(examples.map((e) => [e.id, e.label]));
    const labeled = shuffled(createRandom(5), examples.map((e) => e.id)).slice(0, 150);
    await store.setLabels(labeled.map((id) => ({ id, label: labelOf.get(id)!, annotator: 'oracle' })));
    const mentions = await store.listItemEntities();
    const withEntities = new Set(mentions.filter((m) => m.keys.length > 0).map((m) => m.id));
    entityFree = new Set(examples.map((e) => e.id).filter((id) => !withEntities.has(id)));
    const labeledSet = new Set(labeled);
    const candidates = examples.filter((e) => !labeledSet.has(e.id));
    shareAmongCandidates = candidates.filter((e) => entityFree.has(e.id)).length / candidates.length;
  }, 300_000);

  const entityFreeRate = (result: QueryResult): number => result.picks.filter((p) => entityFree.has(p.id)).length / result.picks.length;

  it('the slice really has many entity-free texts', () => {
    expect(shareAmongCandidates).toBeGreaterThan(0.3);
  });

  it('picks entity-free texts within a factor of 2 of their share, with the model trained', async () => {
    const result = await queryPool(store, { batchSize: 50, record: false });
    expect(result.coldStart).toBe(false);
    expect(result.picks).toHaveLength(50);
    const rate = entityFreeRate(result);
    expect(rate, `rate ${rate} vs share ${shareAmongCandidates}`).toBeGreaterThanOrEqual(shareAmongCandidates / 2);
    expect(rate).toBeLessThanOrEqual(Math.min(1, shareAmongCandidates * 2));
    // Every pick carries the model's prediction.
    for (const pick of result.picks) expect(pick.prediction?.label).toMatch(/\w/);
  });

  it('a selection led by the knowledge term (the coverage preset) starves them: the check can fail', async () => {
    const result = await queryPool(store, { batchSize: 50, record: false, strategy: 'coverage' });
    expect(entityFreeRate(result)).toBeLessThan(shareAmongCandidates / 2);
  });
});
