import { describe, expect, it } from 'vitest';
import type { ItemEntityLists } from '../graph/entity-index.js';
import { createRandom } from '../src/model/seeded-random.js';
import { entityLabelSignal } from '../src/strategies/entity-label-signal.js';

function lists(entitiesPerItem: number[][]): ItemEntityLists {
  const offsets = new Int32Array(entitiesPerItem.length + 1);
  entitiesPerItem.forEach((list, i) => (offsets[i + 1] = offsets[i]! + list.length));
  return { count: entitiesPerItem.length, offsets, entities: Int32Array.from(entitiesPerItem.flat()) };
}

describe('entityLabelSignal (does an entity tell the label?)', () => {
  it('is near 1 when every shared entity is pure in its label, with much evidence', () => {
    // 60 entities, each mentioned by 5 items of one class (3 classes).
    const items: number[][] = [];
    const labels: number[] = [];
    for (let e = 0; e < 60; e += 1) for (let k = 0; k < 5; k += 1) (items.push([e]), labels.push(e % 3));
    const result = entityLabelSignal(lists(items), Int32Array.from(labels), { prior: 10 });
    expect(result.purity).toBe(1);
    expect(result.chancePurity).toBeLessThan(0.8);
    expect(result.signal).toBeCloseTo(60 / 70, 2);
  });

  it('is near 0 when labels are independent of entities', () => {
    const rng = createRandom(3);
    const items: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 600; i += 1) (items.push([Math.floor(rng.next() * 40)]), labels.push(Math.floor(rng.next() * 4)));
    expect(entityLabelSignal(lists(items), Int32Array.from(labels)).signal).toBeLessThan(0.1);
  });

  it('is 0 without shared entities and shrinks with little evidence', () => {
    expect(entityLabelSignal(lists([[1], [2], []]), Int32Array.from([0, 1, 0])).signal).toBe(0);
    const few = entityLabelSignal(lists([[1], [1], [2], [2], [3]]), Int32Array.from([0, 0, 1, 1, 2]), { prior: 10 });
    expect(few.purity).toBe(1);
    expect(few.signal).toBeLessThanOrEqual(2 / 12 + 1e-9);
  });

  it('counts an item once per entity and checks its inputs', () => {
    expect(entityLabelSignal(lists([[1, 1], [2]]), Int32Array.from([0, 1])).sharedEntities).toBe(0);
    expect(() => entityLabelSignal(lists([[1]]), Int32Array.from([0, 1]))).toThrow(RangeError);
  });
});
