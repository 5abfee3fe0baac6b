import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/model/seeded-random.js';
import { lazyGreedy } from '../src/selector/lazy-greedy.js';
import { topK } from '../src/selector/top-k.js';

/** Lazy greedy over a modular objective: the order topK must reproduce. */
function greedyOrder(scores: Float64Array, k: number): number[] {
  return lazyGreedy({ count: scores.length, marginal: (i) => scores[i]!, commit: () => undefined }, k).picks.map((p) => p.index);
}

describe('topK (the modular fast path of batch selection)', () => {
  it('picks exactly what lazy greedy picks, in the same order, ties to the lower index', () => {
    const rng = createRandom(7);
    for (let trial = 0; trial < 200; trial += 1) {
      const n = 1 + Math.floor(rng.next() * 300);
      // Few distinct values so ties are common; some non-finite scores that must never be picked.
      const scores = Float64Array.from({ length: n }, () => {
        const r = rng.next();
        return r < 0.05 ? Number.NaN : r < 0.08 ? -Infinity : r < 0.1 ? Infinity : Math.floor(rng.next() * 6) / 5;
      });
      for (const k of [0, 1, 5, 50, n, n + 3]) {
        expect(Array.from(topK(scores, k)), `trial ${trial}, n ${n}, k ${k}`).toEqual(greedyOrder(scores, k));
      }
    }
  });

  it('returns fewer than k when fewer scores are finite', () => {
    expect(Array.from(topK([Number.NaN, 2, Infinity, 1], 4))).toEqual([1, 3]);
    expect(Array.from(topK([], 3))).toEqual([]);
  });
});
