/**
 * Class probabilities of one or more fitted logistic-regression models (the classifier, a committee's
 * members) over a whole pool, in one pass: every model's weight rows are stacked so the pool is read
 * once, and large pools go through ONNX Runtime's DGEMM (onnx-logits.ts) instead of the scalar loop of
 * `predictProba`. The softmax is the same as `predictProba`'s (trained classes only, max-shifted, absent
 * classes exactly 0), so the two agree to float64 rounding.
 */
import { predictProba, type LogisticRegressionModel } from './logistic-regression.js';
import type { Matrix } from './matrix.js';
import { onnxLogitsEngine, type LogitsEngine, type OnnxLogitsOptions } from './onnx-logits.js';

export interface PoolProbabilityOptions {
  /**
   * `onnx`: ONNX Runtime for the product; `js`: `predictProba` per model; `auto` (default): ONNX Runtime
   * when the pool has at least `minOnnxValues` embedding values and the runtime loads, else JavaScript.
   */
  engine?: 'auto' | 'onnx' | 'js';
  /** Pool size (rows × dims) from which `auto` uses ONNX Runtime. Default 2^20 (≈ 2,700 rows of 384). */
  minOnnxValues?: number;
  onnx?: OnnxLogitsOptions;
}

let onnxUnavailable: Error | undefined;

/** One N×C probability matrix per model, in model order. */
export async function predictProbaMany(
  models: readonly LogisticRegressionModel[],
  X: Matrix<Float32Array> | Matrix<Float64Array>,
  options: PoolProbabilityOptions = {},
): Promise<Matrix<Float64Array>[]> {
  for (const model of models) {
    if (X.cols !== model.dims) throw new RangeError(`embeddings have ${X.cols} columns, the model expects ${model.dims}`);
  }
  const engine = options.engine ?? 'auto';
  const large = X.rows * X.cols >= (options.minOnnxValues ?? 1 << 20);
  const useOnnx = engine === 'onnx' || (engine === 'auto' && large && onnxUnavailable === undefined);
  if (!useOnnx || models.length === 0) return models.map((model) => predictProba(model, X));
  if (!(X.data instanceof Float32Array)) {
    if (engine === 'onnx') throw new TypeError('the ONNX engine takes float32 embeddings');
    return models.map((model) => predictProba(model, X));
  }
  try {
    return await onnxProbabilities(onnxLogitsEngine(options.onnx), models, X as Matrix<Float32Array>);
  } catch (error) {
    if (engine === 'onnx') throw error;
    // No usable runtime on this platform: say so once and score in JavaScript from then on.
    onnxUnavailable = error instanceof Error ? error : new Error(String(error));
    process.emitWarning(`kgal: ONNX Runtime unavailable for scoring, using JavaScript (${onnxUnavailable.message})`);
    return models.map((model) => predictProba(model, X));
  }
}

async function onnxProbabilities(engine: LogitsEngine, models: readonly LogisticRegressionModel[], X: Matrix<Float32Array>): Promise<Matrix<Float64Array>[]> {
  const D = X.cols;
  const K = models.reduce((sum, m) => sum + m.trainedClasses.length, 0);
  const weights = new Float64Array(K * D);
  const intercepts = new Float64Array(K);
  let row = 0;
  for (const model of models) {
    for (const k of model.trainedClasses) {
      weights.set(model.weights.subarray(k * D, (k + 1) * D), row * D);
      intercepts[row] = model.intercepts[k]!;
      row += 1;
    }
  }
  const Z = await engine.logits(X, weights, intercepts);
  let first = 0;
  return models.map((model) => {
    const probabilities = softmaxColumns(model, Z, K, first, X.rows);
    first += model.trainedClasses.length;
    return probabilities;
  });
}

/** predictProba's softmax over one model's logit columns [first, first + K_m) of Z (N × stride). */
function softmaxColumns(model: LogisticRegressionModel, Z: Float64Array, stride: number, first: number, N: number): Matrix<Float64Array> {
  const trained = model.trainedClasses;
  const K = trained.length;
  const Ccount = model.classes;
  const out = new Float64Array(N * Ccount);
  for (let i = 0; i < N; i++) {
    const zo = i * stride + first;
    const oo = i * Ccount;
    let max = -Infinity;
    for (let c = 0; c < K; c++) if (Z[zo + c]! > max) max = Z[zo + c]!;
    let sum = 0;
    for (let c = 0; c < K; c++) {
      const e = Math.exp(Z[zo + c]! - max);
      out[oo + trained[c]!] = e;
      sum += e;
    }
    for (let c = 0; c < K; c++) out[oo + trained[c]!] = out[oo + trained[c]!]! / sum;
  }
  return { rows: N, cols: Ccount, data: out };
}
