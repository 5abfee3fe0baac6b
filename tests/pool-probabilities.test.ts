import { describe, expect, it, vi } from 'vitest';
import onnxProto from 'onnx-proto';
import { trainCommittee } from '../src/model/committee.js';
import { predictProba, trainLogisticRegression } from '../src/model/logistic-regression.js';
import type { Matrix } from '../src/model/matrix.js';
import { logitsModelBytes, onnxLogitsEngine } from '../src/model/onnx-logits.js';
import { predictProbaMany } from '../src/model/pool-probabilities.js';
import { createRandom } from '../src/model/seeded-random.js';

/** N unit vectors in D dims around C class centres, float32 like stored embeddings. */
function pool(N: number, D: number, C: number, seed: number): { X: Matrix<Float32Array>; y: Int32Array } {
  const rng = createRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: C }, () => Float64Array.from({ length: D }, gauss));
  const data = new Float32Array(N * D);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i += 1) {
    y[i] = i % C;
    let ss = 0;
    const row = Float64Array.from({ length: D }, (_, d) => centres[y[i]!]![d]! + 1.5 * gauss());
    for (const v of row) ss += v * v;
    row.forEach((v, d) => (data[i * D + d] = v / Math.sqrt(ss)));
  }
  return { X: { rows: N, cols: D, data }, y };
}

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('pool probabilities through ONNX Runtime', () => {
  const D = 384;
  const train = pool(300, D, 4, 1);
  const scored = pool(5000, D, 4, 2);
  // Classes 0..4 of which 4 never appears: its probability must stay exactly 0 on both engines.
  const classifier = trainLogisticRegression(train.X, train.y, { classes: 5 });
  const committee = trainCommittee(train.X, train.y, { classes: 5, members: 3, seed: 3 });
  const models = [classifier, ...committee.members.map((m) => m.model)];

  it('agrees with predictProba to float64 rounding for a classifier and a committee in one pass', async () => {
    const onnx = await predictProbaMany(models, scored.X, { engine: 'onnx' });
    const js = await predictProbaMany(models, scored.X, { engine: 'js' });
    expect(onnx).toHaveLength(models.length);
    onnx.forEach((probabilities, m) => {
      expect(probabilities.rows).toBe(5000);
      expect(probabilities.cols).toBe(5);
      expect(maxAbsDifference(probabilities.data, predictProba(models[m]!, scored.X).data)).toBeLessThan(1e-12);
      expect(maxAbsDifference(probabilities.data, js[m]!.data)).toBeLessThan(1e-12);
      for (let i = 0; i < probabilities.rows; i += 1) expect(probabilities.data[i * 5 + 4]).toBe(0);
    });
    // `auto` on a pool this size takes the ONNX path without falling back (a fallback warns).
    const warn = vi.spyOn(process, 'emitWarning');
    const auto = await predictProbaMany(models, scored.X);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(maxAbsDifference(auto[0]!.data, onnx[0]!.data)).toBe(0);
    // The models are not all the same, so the comparison above compared different numbers per model.
    expect(maxAbsDifference(onnx[0]!.data, onnx[1]!.data)).toBeGreaterThan(1e-3);
  });

  it('gives the same logits whatever the chunking', async () => {
    const K = classifier.trainedClasses.length;
    const weights = classifier.weights.slice(0, K * D);
    const intercepts = classifier.intercepts.slice(0, K);
    const whole = await onnxLogitsEngine({ chunkRows: 1 << 20 }).logits(scored.X, weights, intercepts);
    const chunked = await onnxLogitsEngine({ chunkRows: 777, threads: 1 }).logits(scored.X, weights, intercepts);
    expect(maxAbsDifference(whole, chunked)).toBeLessThan(1e-12);
    expect(whole[0]).not.toBe(0);
    expect((await onnxLogitsEngine().logits({ rows: 0, cols: D, data: new Float32Array(0) }, weights, intercepts)).length).toBe(0);
  });

  it('auto uses JavaScript below the size threshold and refuses mismatched inputs', async () => {
    const small = pool(20, D, 4, 4).X;
    const [auto] = await predictProbaMany([classifier], small);
    expect(Array.from(auto!.data)).toEqual(Array.from(predictProba(classifier, small).data)); // bit-identical: the JS path
    await expect(predictProbaMany([classifier], { rows: 1, cols: 3, data: new Float32Array(3) })).rejects.toThrow(/3 columns, the model expects 384/);
    await expect(onnxLogitsEngine().logits(small, new Float64Array(5), new Float64Array(2))).rejects.toThrow(/weights hold 5 values, expected 2×384/);
  });

  it('is a weight-free ONNX graph the bundled runtime accepts (IR 7, opset 13)', () => {
    const model = onnxProto.onnx.ModelProto.decode(logitsModelBytes());
    expect(Number(model.irVersion)).toBe(7);
    expect(model.opsetImport.map((o) => Number(o.version))).toEqual([13]);
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(['Cast', 'Gemm']);
    expect(model.graph!.initializer).toHaveLength(0);
  });
});
