/**
 * Uncertainty scores of one model's class probabilities, per item (row). Each matches modAL 0.4.2.1
 * (`modAL/uncertainty.py`) on the same matrix; docs/scores.md has the table and the cross-check.
 *
 * Input: an N×C matrix of class probabilities (Float32 or Float64; computed in Float64). Every value must be
 * finite and ≥ 0, else RangeError (modAL would return NaN). Rows need not sum to 1: least confidence and
 * margin use the raw values, as modAL does; entropy divides each row by its sum first, as
 * `scipy.stats.entropy` does (a row summing to 0 is then a RangeError, where scipy returns NaN).
 * kgal never scores without a model: where modAL returns constants for an unfitted classifier, kgal's
 * callers check for a model first (cold start uses the graph and density scores instead).
 */
import { type Matrix } from '../model/matrix.js';

/** Throws RangeError unless `p` has ≥ 1 column and every value is finite and ≥ 0. */
export function checkProbabilities(p: Matrix, what = 'probabilities'): void {
  if (!Number.isInteger(p.cols) || p.cols < 1) throw new RangeError(`${what}: need at least one class column, got ${p.cols}`);
  if (p.data.length !== p.rows * p.cols) {
    throw new RangeError(`${what}: ${p.data.length} values for a ${p.rows}×${p.cols} matrix`);
  }
  const { data, cols } = p;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(v >= 0) || v === Infinity) {
      throw new RangeError(`${what}: row ${Math.floor(i / cols)}, column ${i % cols} is ${v}; must be finite and ≥ 0`);
    }
  }
}

/**
 * Entropy in nats of `cols` values at `data[start..]`, exactly as `scipy.stats.entropy(pk)`: divide by their
 * sum, then −Σ x ln x with 0 ln 0 = 0. Values must be finite and ≥ 0 (unchecked here); a zero sum is a RangeError.
 */
export function rowEntropy(data: ArrayLike<number>, start: number, cols: number, row = start / cols): number {
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += data[start + j]!;
  if (!(sum > 0)) throw new RangeError(`row ${row} sums to ${sum}: entropy needs a positive row sum`);
  let h = 0;
  for (let j = 0; j < cols; j++) {
    const x = data[start + j]! / sum;
    if (x > 0) h -= x * Math.log(x);
  }
  return h;
}

/** Least confidence `1 − max_c p_c`, in probability units; higher = more uncertain; [0, 1 − 1/C] for rows summing to 1. */
export function leastConfidence(p: Matrix): Float64Array {
  checkProbabilities(p);
  const { rows, cols, data } = p;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let max = data[start]!;
    for (let j = 1; j < cols; j++) if (data[start + j]! > max) max = data[start + j]!;
    out[i] = 1 - max;
  }
  return out;
}

/**
 * Margin `p1 − p2` (largest minus second largest, equal values count twice), in probability units; SMALLER =
 * more uncertain; [0, 1]. With one class column it is 0 for every row, as modAL's `classifier_margin` returns.
 */
export function margin(p: Matrix): Float64Array {
  checkProbabilities(p);
  const { rows, cols, data } = p;
  const out = new Float64Array(rows);
  if (cols === 1) return out;
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let first = -Infinity;
    let second = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = data[start + j]!;
      if (v > first) {
        second = first;
        first = v;
      } else if (v > second) {
        second = v;
      }
    }
    out[i] = first - second;
  }
  return out;
}

/** Shannon entropy `−Σ p ln p` of each row (rows divided by their sum first, as scipy), in nats; higher = more uncertain; [0, ln C]. */
export function entropy(p: Matrix): Float64Array {
  checkProbabilities(p);
  const { rows, cols, data } = p;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = rowEntropy(data, i * cols, cols, i);
  return out;
}

/** Entropy divided by ln C, unitless; higher = more uncertain; [0, 1] (clamped against rounding); 0 for every row when C = 1. */
export function normalizedEntropy(p: Matrix): Float64Array {
  const h = entropy(p);
  if (p.cols === 1) return h.fill(0);
  const lnC = Math.log(p.cols);
  for (let i = 0; i < h.length; i++) h[i] = Math.min(1, h[i]! / lnC);
  return h;
}
