import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/model/seeded-random.js';
import type { Matrix } from '../src/model/matrix.js';
import { kCenterGreedy, maxSimilarity } from '../src/strategies/similarity.js';
import { poolLabeledSimilarity } from '../src/selector/labeled-similarity.js';

function unitRows(rows: number, cols: number, seed: number): Matrix<Float32Array> {
  const rng = createRandom(seed);
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r += 1) {
    let norm = 0;
    for (let c = 0; c < cols; c += 1) {
      const v = rng.next() * 2 - 1;
      data[r * cols + c] = v;
      norm += v * v;
    }
    for (let c = 0; c < cols; c += 1) data[r * cols + c] = data[r * cols + c]! / Math.sqrt(norm);
  }
  return { rows, cols, data };
}

const dist2 = (X: Matrix<Float32Array>, a: number, b: number): number => {
  let s = 0;
  for (let c = 0; c < X.cols; c += 1) s += (X.data[a * X.cols + c]! - X.data[b * X.cols + c]!) ** 2;
  return s;
};

/** k-center greedy by its textbook definition: argmax_i min_{j ∈ chosen} ‖x_i − x_j‖² (Euclidean, as in the core-set paper). */
function referenceKCenter(X: Matrix<Float32Array>, candidates: number[], labeled: number[], k: number): number[] {
  const chosen = [...labeled];
  const picks: number[] = [];
  for (let step = 0; step < k; step += 1) {
    let best = -1;
    let bestDistance = -Infinity;
    candidates.forEach((row, i) => {
      if (picks.includes(i)) return;
      const d = chosen.length === 0 ? Infinity : Math.min(...chosen.map((j) => dist2(X, row, j)));
      if (d > bestDistance + 1e-9) {
        best = i;
        bestDistance = d;
      }
    });
    picks.push(best);
    chosen.push(candidates[best]!);
  }
  return picks;
}

describe('nearest similarity and k-center greedy (core-set)', () => {
  it('maxSimilarity is the largest dot product to the reference rows, −Infinity without references', () => {
    const X = unitRows(30, 8, 1);
    const query = Int32Array.from([0, 5, 9]);
    const reference = Int32Array.from([3, 4, 20]);
    const got = maxSimilarity(X, query, reference);
    for (let q = 0; q < query.length; q += 1) {
      const expected = Math.max(...Array.from(reference, (r) => 1 - dist2(X, query[q]!, r) / 2));
      expect(got[q]).toBeCloseTo(expected, 5);
    }
    expect(Array.from(maxSimilarity(X, query, new Int32Array(0)))).toEqual([-Infinity, -Infinity, -Infinity]);
  });

  it('maxSimilarity gives bit for bit the dot products summed one reference row at a time, for any number of references', () => {
    const X = unitRows(40, 13, 2);
    const query = Int32Array.from([1, 7, 22, 39]);
    for (let count = 0; count <= 9; count += 1) {
      const reference = Int32Array.from({ length: count }, (_, r) => (r * 11 + 3) % 40);
      const expected = Array.from(query, (q) => {
        let best = -Infinity;
        for (const r of reference) {
          let dot = 0;
          for (let d = 0; d < X.cols; d += 1) dot += X.data[q * X.cols + d]! * X.data[r * X.cols + d]!;
          if (dot > best) best = dot;
        }
        return best;
      });
      expect(Array.from(maxSimilarity(X, query, reference))).toEqual(expected);
    }
  });

  it('picks what the Euclidean k-center definition picks on unit vectors', () => {
    for (let trial = 0; trial < 20; trial += 1) {
      const X = unitRows(60, 6, 100 + trial);
      const labeled = [0, 1, 2, 3, 4].slice(0, trial % 5);
      const candidates = Array.from({ length: 55 }, (_, i) => i + 5);
      const rows = Int32Array.from(candidates);
      const labeledSimilarity = labeled.length > 0 ? maxSimilarity(X, rows, Int32Array.from(labeled)) : undefined;
      const got = kCenterGreedy(X, rows, 10, labeledSimilarity ? { labeledSimilarity } : {}).map((p) => p.candidate);
      const expected = referenceKCenter(X, candidates, labeled, 10);
      // Without labels the first pick is arbitrary in the definition (every distance is infinite): compare the rest given it.
      if (labeled.length === 0) {
        expect(got.slice(1)).toEqual(referenceKCenter(X, candidates, [candidates[got[0]!]!], 9).map((i) => i));
      } else {
        expect(got, `trial ${trial}`).toEqual(expected);
      }
    }
  });

  it('starts from the highest seed score when nothing is labeled', () => {
    const X = unitRows(10, 4, 3);
    const seedScores = Float64Array.from({ length: 10 }, (_, i) => (i === 7 ? 1 : 0));
    expect(kCenterGreedy(X, Int32Array.from({ length: 10 }, (_, i) => i), 1, { seedScores })[0]!.candidate).toBe(7);
  });

  it('the per-matrix labeled similarity folds in new labels and recomputes when a label goes', () => {
    const X = unitRows(40, 5, 9);
    const all = Int32Array.from({ length: 40 }, (_, i) => i);
    const direct = (labeled: number[]): number[] => Array.from(maxSimilarity(X, all, Int32Array.from(labeled)));
    expect(Array.from(poolLabeledSimilarity(X, Int32Array.from([1, 2])))).toEqual(direct([1, 2]));
    expect(Array.from(poolLabeledSimilarity(X, Int32Array.from([1, 2, 30])))).toEqual(direct([1, 2, 30]));
    expect(Array.from(poolLabeledSimilarity(X, Int32Array.from([2, 30])))).toEqual(direct([2, 30]));
  });
});
