import { describe, expect, it } from 'vitest';
import { lazyGreedy, type GreedyObjective } from '../src/selector/lazy-greedy.js';
import { createRandom } from '../src/model/seeded-random.js';

/** Weighted coverage plus a modular term: f(S) = Σ_i u_i + Σ_{e covered by S} w_e. */
function coverageObjective(sets: number[][], weights: number[], unary: number[]): GreedyObjective & { covered: Set<number> } {
  const covered = new Set<number>();
  return {
    count: sets.length,
    covered,
    marginal(i) {
      let gain = unary[i]!;
      for (const e of sets[i]!) if (!covered.has(e)) gain += weights[e]!;
      return gain;
    },
    commit(i) {
      for (const e of sets[i]!) covered.add(e);
    },
  };
}

function plainGreedy(make: () => GreedyObjective, k: number): number[] {
  const objective = make();
  const picked: number[] = [];
  for (let step = 0; step < k; step += 1) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < objective.count; i += 1) {
      if (picked.includes(i)) continue;
      const score = objective.marginal(i);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    picked.push(best);
    objective.commit(best);
  }
  return picked;
}

describe('lazyGreedy', () => {
  it('picks exactly what plain greedy picks on weighted coverage, with far fewer evaluations', () => {
    const rng = createRandom(11);
    for (let trial = 0; trial < 20; trial += 1) {
      const entities = 60;
      const weights = Array.from({ length: entities }, () => rng.next());
      const sets = Array.from({ length: 300 }, () => Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => Math.floor(rng.next() * entities)));
      const unary = sets.map(() => rng.next() * 0.2);
      const lazy = lazyGreedy(coverageObjective(sets, weights, unary), 15);
      expect(lazy.picks.map((p) => p.index)).toEqual(plainGreedy(() => coverageObjective(sets, weights, unary), 15));
      expect(lazy.evaluations).toBeLessThan(300 * 15 / 3);
      const scores = lazy.picks.map((p) => p.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores); // marginal gains never grow
    }
  });

  it('never picks a candidate twice or a non-finite one, and stops when candidates run out', () => {
    const objective: GreedyObjective = {
      count: 4,
      marginal: (i) => (i === 2 ? Number.NEGATIVE_INFINITY : 4 - i),
      commit: () => undefined,
    };
    expect(lazyGreedy(objective, 10).picks.map((p) => p.index)).toEqual([0, 1, 3]);
  });

  it('breaks ties by lower index', () => {
    const objective: GreedyObjective = { count: 5, marginal: () => 1, commit: () => undefined };
    expect(lazyGreedy(objective, 3).picks.map((p) => p.index)).toEqual([0, 1, 2]);
  });
});
