import { describe, expect, it } from 'vitest';
import { predictProba } from '../src/model/logistic-regression.js';
import { rowOf } from '../src/model/matrix.js';
import { loadEmbeddedPool, trainPoolModel } from '../src/model/pool-model.js';
import { createRandom } from '../src/model/seeded-random.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';

/** A pool of unit vectors around one centre per topic, so a linear model can separate the topics. */
async function syntheticStore(labels: Array<string | undefined>): Promise<MemoryGraphStore> {
  const store = await MemoryGraphStore.open();
  const rng = createRandom(7);
  const topics = ['sports', 'business', 'science'];
  await store.upsertItems(labels.map((label, i) => ({ id: `i${i}`, text: `text ${i}`, meta: {}, ...(label ? { label } : {}) })));
  await store.setEmbeddings(
    labels.map((_, i) => {
      const vector = new Float32Array(8);
      vector[i % topics.length] = 3;
      for (let d = 0; d < 8; d += 1) vector[d] = vector[d]! + rng.next() - 0.5;
      const norm = Math.hypot(...vector);
      return { id: `i${i}`, key: 'k', vector: vector.map((v) => v / norm) };
    }),
  );
  return store;
}

const topicOf = (i: number): string => ['sports', 'business', 'science'][i % 3]!;

describe('trainPoolModel', () => {
  it('cold start: no labels, or one class, gives an untrained model with the reason (no invented probabilities)', async () => {
    const none = await syntheticStore(Array.from({ length: 30 }, () => undefined));
    const noneModel = trainPoolModel(await loadEmbeddedPool(none));
    expect(noneModel).toEqual({ status: 'untrained', reason: expect.stringMatching(/no labeled items/), labelCounts: {} });

    const one = await syntheticStore(Array.from({ length: 30 }, (_, i) => (i < 5 ? 'sports' : undefined)));
    const oneModel = trainPoolModel(await loadEmbeddedPool(one));
    expect(oneModel).toMatchObject({ status: 'untrained', labelCounts: { sports: 5 } });
    expect(oneModel.status === 'untrained' && oneModel.reason).toMatch(/only class "sports"/);
  });

  it('trains a classifier and a committee on the labeled embedded items, deterministically', async () => {
    const labels = Array.from({ length: 60 }, (_, i) => (i < 24 ? topicOf(i) : undefined));
    const store = await syntheticStore(labels);
    const pool = await loadEmbeddedPool(store);
    expect(pool.notEmbedded).toBe(0);
    const model = trainPoolModel(pool, { members: 4, seed: 3 });
    if (model.status !== 'trained') throw new Error(model.reason);
    expect(model.classNames).toEqual(['business', 'science', 'sports']);
    expect(model.labelCounts).toEqual({ business: 8, science: 8, sports: 8 });
    expect(model.trainedOn).toBe(24);
    expect(model.committee!.members).toHaveLength(4);
    const probabilities = predictProba(model.classifier, pool.embeddings);
    let correct = 0;
    for (let row = 0; row < 60; row += 1) {
      const item = Number(pool.ids[row]!.slice(1));
      if (item < 24) continue; // labeled
      const p = rowOf(probabilities, row);
      const best = p.indexOf(Math.max(...p));
      if (model.classNames[best] === topicOf(item)) correct += 1;
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    }
    expect(correct / 36).toBeGreaterThan(0.9);
    const again = trainPoolModel(pool, { members: 4, seed: 3 });
    expect(again.status === 'trained' && Array.from(again.committee!.members[2]!.model.weights)).toEqual(Array.from(model.committee!.members[2]!.model.weights));
  });
});
