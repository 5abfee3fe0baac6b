/**
 * Multinomial (softmax) logistic regression on embeddings, L2-regularised, fitted with L-BFGS.
 *
 * Objective (the one scikit-learn's `LogisticRegression(C=C, solver='lbfgs', fit_intercept=True)` minimises
 * for 3+ classes, so the same C gives the same coefficients; docs/model-classifier.md):
 *
 *     C · Σ_i s_i · CE_i(W, b) + ½‖W‖²_F        CE_i = log Σ_k exp(w_k·x_i + b_k) − (w_{y_i}·x_i + b_{y_i})
 *
 * s_i = sample weights (default 1); intercepts b are not penalised. Internally the objective is divided by
 * C·Σs_i (as scikit-learn does), so `tolerance` means what scikit-learn's `tol` means: L-BFGS stops when the
 * largest gradient component of the weight-normalised objective is ≤ tolerance.
 *
 * Classes: `classes` (the column count C of every output) may exceed the classes present in y. A class with
 * no (positively weighted) sample has no finite optimum under the softmax objective (its intercept would
 * run to −∞), so kgal fits only the present classes and the absent ones get probability exactly 0 (their
 * weight rows and intercepts are stored as 0 and `trainedClasses` lists the fitted ones). Fewer than two
 * present classes throws NotTrainableError: the caller's cold-start path takes over; no probabilities are
 * invented.
 *
 * Two present classes: kgal keeps the softmax form (two weight vectors, both penalised). scikit-learn's
 * binary case fits one logit (w, b) with penalty ½‖w‖². At kgal's optimum w₁ = −w₀ (the penalty splits the
 * difference evenly), so ½(‖w₀‖² + ‖w₁‖²) = ¼‖w₁ − w₀‖²: kgal with C is exactly scikit-learn's binary model
 * with 2C, with coef_ = w₁ − w₀ and intercept_ = b₁ − b₀, and identical probabilities.
 */

import { minimizeLbfgs, type LbfgsReason } from './lbfgs.js';
import { rowMaxima, type Matrix } from './matrix.js';

export interface LogisticRegressionOptions {
  /** Number of classes C (output columns). Labels must be integers in [0, C). May exceed the classes present. */
  classes: number;
  /** Inverse regularisation strength (scikit-learn's C). Default 1.0. */
  C?: number;
  /** L-BFGS iteration cap. Default 1000. */
  maxIterations?: number;
  /** Gradient tolerance on the normalised objective (scikit-learn's `tol`). Default 1e-6. */
  tolerance?: number;
  /** Per-sample weights (≥ 0), length N. A bootstrap resample is the same as integer weights = multiplicities. */
  sampleWeights?: Float64Array;
  /**
   * L-BFGS relative-decrease stop, (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ this. Default 64·2^-52, what
   * scikit-learn passes to scipy. 0 runs on to `tolerance` (or until rounding noise stops the line search).
   */
  functionTolerance?: number;
  /** L-BFGS memory. Default 10. */
  memory?: number;
}

/** Plain data (JSON-friendly via Array.from on the typed arrays). */
export interface LogisticRegressionModel {
  /** Number of output classes C. */
  readonly classes: number;
  /** Embedding dimension D. */
  readonly dims: number;
  /** C×D row-major; rows of classes not in `trainedClasses` are 0. */
  readonly weights: Float64Array;
  /** C; entries of classes not in `trainedClasses` are 0 (their probability is exactly 0 regardless). */
  readonly intercepts: Float64Array;
  /** Sorted indices of the classes that had training samples; only these get probability mass. */
  readonly trainedClasses: Int32Array;
  /** The C the model was fitted with. */
  readonly C: number;
  /** Final value of the normalised objective (Σ s_i CE_i / Σ s_i + ‖W‖² / (2·C·Σ s_i)). */
  readonly loss: number;
  /** L-BFGS iterations (accepted steps). */
  readonly iterations: number;
  /** Objective + gradient evaluations (passes over the data), line searches included. */
  readonly evaluations: number;
  readonly converged: boolean;
  readonly stopReason: LbfgsReason;
}

/** Thrown when the labels hold fewer than two classes: a classifier cannot be fitted (cold start). */
export class NotTrainableError extends Error {
  override readonly name = 'NotTrainableError';
  constructor(
    message: string,
    /** How many distinct classes (with positive weight) the training labels hold. */
    readonly presentClasses: number,
  ) {
    super(message);
  }
}

type Embeddings = Matrix<Float32Array> | Matrix<Float64Array>;

function checkInputs(X: Embeddings, y: Int32Array, options: LogisticRegressionOptions): void {
  const { classes } = options;
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`classes must be an integer ≥ 2, got ${classes}`);
  if (X.data.length !== X.rows * X.cols) throw new RangeError(`matrix data has ${X.data.length} values, expected ${X.rows}×${X.cols}`);
  if (y.length !== X.rows) throw new RangeError(`${y.length} labels for ${X.rows} rows`);
  const C = options.C ?? 1;
  if (!(C > 0) || !Number.isFinite(C)) throw new RangeError(`C must be a positive finite number, got ${C}`);
  for (let i = 0; i < y.length; i++) {
    const label = y[i]!;
    if (label < 0 || label >= classes) throw new RangeError(`label ${label} at row ${i} is outside [0, ${classes})`);
  }
  const sw = options.sampleWeights;
  if (sw !== undefined) {
    if (sw.length !== X.rows) throw new RangeError(`${sw.length} sample weights for ${X.rows} rows`);
    for (let i = 0; i < sw.length; i++) {
      const w = sw[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`sample weight ${w} at row ${i} is not a finite number ≥ 0`);
    }
  }
  const data = X.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new RangeError(`embedding value ${data[i]} at row ${Math.floor(i / X.cols)}, column ${i % X.cols} is not finite`);
    }
  }
}

/**
 * The training objective as L-BFGS sees it (exported for gradient checks and diagnostics): parameters
 * θ = [W (K×D row-major) | b (K)] over the K = trainedClasses.length present classes, value
 * Σ s_i CE_i / Σ s_i + ‖W‖² / (2·C·Σ s_i) = (C·Σ s_i·CE_i + ½‖W‖²) / (C·Σ s_i). Throws NotTrainableError
 * when fewer than two classes have positive weight.
 */
export interface LogisticObjective {
  readonly trainedClasses: Int32Array;
  /** K·D + K. */
  readonly size: number;
  readonly dims: number;
  /** Writes ∇ into grad, returns the value. */
  readonly evaluate: (theta: Float64Array, grad: Float64Array) => number;
}

export function logisticObjective(X: Embeddings, y: Int32Array, options: LogisticRegressionOptions): LogisticObjective {
  checkInputs(X, y, options);
  const C = options.C ?? 1;
  const classes = options.classes;
  const N = X.rows;
  const D = X.cols;
  const sw = options.sampleWeights;

  // Present classes (positive total weight), and the remap class -> column of the fitted model.
  const classWeight = new Float64Array(classes);
  for (let i = 0; i < N; i++) classWeight[y[i]!] = classWeight[y[i]!]! + (sw === undefined ? 1 : sw[i]!);
  const present: number[] = [];
  for (let k = 0; k < classes; k++) if (classWeight[k]! > 0) present.push(k);
  const K = present.length;
  if (K < 2) {
    throw new NotTrainableError(
      `logistic regression needs samples of at least 2 classes, got ${K}${K === 1 ? ` (only class ${present[0]})` : ''}`,
      K,
    );
  }
  const column = new Int32Array(classes).fill(-1);
  present.forEach((k, j) => (column[k] = j));

  // Rows with positive weight only, copied to Float64 (exact for Float32 input) for one monomorphic kernel.
  let n = 0;
  for (let i = 0; i < N; i++) if (sw === undefined || sw[i]! > 0) n++;
  const Xf = new Float64Array(n * D);
  const yc = new Int32Array(n);
  const wts = new Float64Array(n);
  let weightSum = 0;
  for (let i = 0, r = 0; i < N; i++) {
    const w = sw === undefined ? 1 : sw[i]!;
    if (!(w > 0)) continue;
    Xf.set(X.data.subarray(i * D, (i + 1) * D), r * D);
    yc[r] = column[y[i]!]!;
    wts[r] = w;
    weightSum += w;
    r++;
  }
  return {
    trainedClasses: Int32Array.from(present),
    size: K * D + K,
    dims: D,
    evaluate: softmaxObjective(Xf, yc, wts, n, D, K, 1 / weightSum, 1 / (C * weightSum)),
  };
}

/**
 * Fits the model. Deterministic: zero initialisation, no randomness, a fixed order of floating-point
 * operations. Throws NotTrainableError when fewer than two classes have samples with positive weight.
 */
export function trainLogisticRegression(
  X: Embeddings,
  y: Int32Array,
  options: LogisticRegressionOptions,
): LogisticRegressionModel {
  const objective = logisticObjective(X, y, options);
  const C = options.C ?? 1;
  const classes = options.classes;
  const D = X.cols;
  const present = objective.trainedClasses;
  const K = present.length;
  const theta0 = new Float64Array(K * D + K); // [W (K×D) | b (K)], zero init like scikit-learn
  const result = minimizeLbfgs(objective.evaluate, theta0, {
    memory: options.memory ?? 10,
    maxIterations: options.maxIterations ?? 1000,
    gradientTolerance: options.tolerance ?? 1e-6,
    functionTolerance: options.functionTolerance ?? 64 * 2 ** -52,
    maxLineSearch: 50,
  });

  const weights = new Float64Array(classes * D);
  const intercepts = new Float64Array(classes);
  const theta = result.x;
  present.forEach((k, j) => {
    weights.set(theta.subarray(j * D, (j + 1) * D), k * D);
    intercepts[k] = theta[K * D + j]!;
  });
  return {
    classes,
    dims: D,
    weights,
    intercepts,
    trainedClasses: present,
    C,
    loss: result.value,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
    stopReason: result.reason,
  };
}

/**
 * f(θ) = scale · Σ_i s_i CE_i + (λ/2)‖W‖², ∇_W = scale · (P − Y)ᵀ diag(s) X + λW, ∇_b = scale · Σ_i s_i (p_i − y_i).
 * One pass over the rows: logits, log-sum-exp, residuals and the gradient accumulation while the row is hot.
 * Classes are processed four at a time so each x_id is loaded once per block (about 2× faster in V8 than one
 * class at a time); Float64 accumulators throughout.
 */
function softmaxObjective(
  X: Float64Array,
  y: Int32Array,
  sw: Float64Array,
  n: number,
  D: number,
  K: number,
  scale: number,
  lambda: number,
): (theta: Float64Array, grad: Float64Array) => number {
  const logits = new Float64Array(K);
  const resid = new Float64Array(K);
  const bOff = K * D;
  return (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const xo = i * D;
      // Logits z_k = w_k·x_i + b_k.
      let k = 0;
      for (; k + 3 < K; k += 4) {
        const a = k * D;
        const b = a + D;
        const c = b + D;
        const e = c + D;
        let z0 = 0;
        let z1 = 0;
        let z2 = 0;
        let z3 = 0;
        for (let d = 0; d < D; d++) {
          const x = X[xo + d]!;
          z0 += theta[a + d]! * x;
          z1 += theta[b + d]! * x;
          z2 += theta[c + d]! * x;
          z3 += theta[e + d]! * x;
        }
        logits[k] = z0 + theta[bOff + k]!;
        logits[k + 1] = z1 + theta[bOff + k + 1]!;
        logits[k + 2] = z2 + theta[bOff + k + 2]!;
        logits[k + 3] = z3 + theta[bOff + k + 3]!;
      }
      for (; k < K; k++) {
        const a = k * D;
        let z = 0;
        for (let d = 0; d < D; d++) z += theta[a + d]! * X[xo + d]!;
        logits[k] = z + theta[bOff + k]!;
      }
      // Stable log-sum-exp, loss, residuals r_k = s_i (p_ik − [k = y_i]).
      let max = -Infinity;
      for (let j = 0; j < K; j++) if (logits[j]! > max) max = logits[j]!;
      let sum = 0;
      for (let j = 0; j < K; j++) sum += Math.exp(logits[j]! - max);
      const lse = max + Math.log(sum);
      const yi = y[i]!;
      const wi = sw[i]!;
      loss += wi * (lse - logits[yi]!);
      for (let j = 0; j < K; j++) {
        const r = wi * (Math.exp(logits[j]! - lse) - (j === yi ? 1 : 0));
        resid[j] = r;
        grad[bOff + j] = grad[bOff + j]! + r;
      }
      // ∇W += r ⊗ x_i.
      k = 0;
      for (; k + 3 < K; k += 4) {
        const a = k * D;
        const b = a + D;
        const c = b + D;
        const e = c + D;
        const r0 = resid[k]!;
        const r1 = resid[k + 1]!;
        const r2 = resid[k + 2]!;
        const r3 = resid[k + 3]!;
        for (let d = 0; d < D; d++) {
          const x = X[xo + d]!;
          grad[a + d] = grad[a + d]! + r0 * x;
          grad[b + d] = grad[b + d]! + r1 * x;
          grad[c + d] = grad[c + d]! + r2 * x;
          grad[e + d] = grad[e + d]! + r3 * x;
        }
      }
      for (; k < K; k++) {
        const a = k * D;
        const r = resid[k]!;
        for (let d = 0; d < D; d++) grad[a + d] = grad[a + d]! + r * X[xo + d]!;
      }
    }
    let penalty = 0;
    for (let j = 0; j < bOff; j++) {
      const w = theta[j]!;
      penalty += w * w;
      grad[j] = grad[j]! * scale + lambda * w;
    }
    for (let j = 0; j < K; j++) grad[bOff + j] = grad[bOff + j]! * scale;
    return loss * scale + 0.5 * lambda * penalty;
  };
}

/**
 * N×C class probabilities (rows sum to 1; classes the model was not trained on get exactly 0). Accepts
 * Float32 or Float64 embeddings of the model's dimension; Float64 accumulation, stable softmax.
 */
export function predictProba(model: LogisticRegressionModel, X: Embeddings): Matrix<Float64Array> {
  const D = model.dims;
  if (X.cols !== D) throw new RangeError(`embeddings have ${X.cols} columns, the model expects ${D}`);
  const N = X.rows;
  const Ccount = model.classes;
  const trained = model.trainedClasses;
  const K = trained.length;
  const W = model.weights;
  const b = model.intercepts;
  const data = X.data;
  const out = new Float64Array(N * Ccount);
  const logits = new Float64Array(K);
  for (let i = 0; i < N; i++) {
    const xo = i * D;
    let max = -Infinity;
    let j = 0;
    // Four classes per pass over the row: x is read once for four dot products (each summed in the same
    // order as one at a time, so the result is bit-identical), about 2.5x faster on 100k × 384.
    for (; j + 3 < K; j += 4) {
      const w0 = trained[j]! * D;
      const w1 = trained[j + 1]! * D;
      const w2 = trained[j + 2]! * D;
      const w3 = trained[j + 3]! * D;
      let z0 = 0;
      let z1 = 0;
      let z2 = 0;
      let z3 = 0;
      for (let d = 0; d < D; d++) {
        const x = data[xo + d]!;
        z0 += W[w0 + d]! * x;
        z1 += W[w1 + d]! * x;
        z2 += W[w2 + d]! * x;
        z3 += W[w3 + d]! * x;
      }
      logits[j] = z0 + b[trained[j]!]!;
      logits[j + 1] = z1 + b[trained[j + 1]!]!;
      logits[j + 2] = z2 + b[trained[j + 2]!]!;
      logits[j + 3] = z3 + b[trained[j + 3]!]!;
    }
    for (; j < K; j++) {
      const k = trained[j]!;
      const wo = k * D;
      let z = 0;
      for (let d = 0; d < D; d++) z += W[wo + d]! * data[xo + d]!;
      logits[j] = z + b[k]!;
    }
    for (let c = 0; c < K; c++) if (logits[c]! > max) max = logits[c]!;
    let sum = 0;
    for (let c = 0; c < K; c++) {
      const e = Math.exp(logits[c]! - max);
      logits[c] = e;
      sum += e;
    }
    const oo = i * Ccount;
    for (let c = 0; c < K; c++) out[oo + trained[c]!] = logits[c]! / sum;
  }
  return { rows: N, cols: Ccount, data: out };
}

/** Argmax class per row (the first maximum on ties, like scikit-learn / numpy). */
export function predict(model: LogisticRegressionModel, X: Embeddings): Int32Array {
  return rowMaxima(predictProba(model, X)).index;
}
