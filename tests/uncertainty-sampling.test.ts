import { describe, expect, it } from 'vitest';
import { predictProba, trainLogisticRegression } from '../src/model/logistic-regression.js';
import type { Matrix } from '../src/model/matrix.js';
import { createRandom } from '../src/model/seeded-random.js';
import { uncertaintySampling, type SamplingMeasure } from '../src/selector/uncertainty-sampling.js';
import { entropy, leastConfidence, margin } from '../src/strategies/uncertainty.js';

function blobs(N: number, D: number, C: number, seed: number): { X: Matrix<Float32Array>; y: Int32Array } {
  const rng = createRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: C }, () => Float64Array.from({ length: D }, gauss));
  const data = new Float32Array(N * D);
  const y = Int32Array.from({ length: N }, (_, i) => i % C);
  for (let i = 0; i < N; i += 1) for (let d = 0; d < D; d += 1) data[i * D + d] = (centres[y[i]!]![d]! + 2 * gauss()) / Math.sqrt(D);
  return { X: { rows: N, cols: D, data }, y };
}

describe('uncertaintySampling (modAL uncertainty/margin/entropy_sampling on a matrix)', () => {
  const train = blobs(200, 384, 4, 1);
  const classifier = trainLogisticRegression(train.X, train.y, { classes: 4 });
  const pool = blobs(3000, 384, 4, 2); // 3000 × 384 values: the ONNX Runtime path of predictProbaMany

  const reference: Record<SamplingMeasure, (p: Matrix) => Float64Array> = { entropy, margin, 'least-confidence': leastConfidence };
  for (const measure of ['entropy', 'margin', 'least-confidence'] as const) {
    it(`${measure}: the n most uncertain rows by the reference score, most uncertain first`, async () => {
      const scores = reference[measure](predictProba(classifier, pool.X));
      const sign = measure === 'margin' ? 1 : -1; // margin: smallest first; the others: largest first
      const expected = Array.from(scores.keys()).sort((a, b) => sign * (scores[a]! - scores[b]!) || a - b).slice(0, 25);
      const result = await uncertaintySampling(classifier, pool.X, 25, { measure });
      expect(Array.from(result.indices)).toEqual(expected);
      result.scores.forEach((s, k) => expect(s).toBeCloseTo(scores[expected[k]!]!, 12));
    });
  }

  it('returns every row when n exceeds the pool, and rejects a bad n', async () => {
    const small = blobs(7, 384, 4, 3).X;
    expect((await uncertaintySampling(classifier, small, 50)).indices).toHaveLength(7);
    await expect(uncertaintySampling(classifier, small, -1)).rejects.toThrow(/n must be an integer/);
  });
});
