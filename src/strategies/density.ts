/**
 * Representativeness of each item among the pool, from its embedding (N×D, row i = item i). Two definitions,
 * named apart because they differ numerically:
 *
 * - `meanCosineSimilarity` / `informationDensity` (kgal's default): the mean cosine similarity of item i to every
 *   item of the pool, itself included, `(1/N) Σ_j cos(x_i, x_j)`. With u_j = x_j/‖x_j‖ this is exactly
 *   `u_i · (Σ_j u_j) / N`, so it costs O(N·D) (100k × 384 in well under a second) instead of O(N²·D), and
 *   it is the same number the all-pairs mean gives, up to rounding. `informationDensity` is Settles & Craven's
 *   (2008) density term `(mean cos)^β`, with a negative mean clamped to 0.
 * - `modalInformationDensity`: modAL's `information_density(X, metric='cosine')`,
 *   `(1/N) Σ_j 1/(1 + d_cos(x_i, x_j))` with sklearn's cosine distance `d = clip(1 − cos, 0, 2)` and d(i, i) = 0.
 *   No such identity exists for it: exact all-pairs O(N²·D), so it is refused above `maxItems` (default 2000, ~1 s at D = 384).
 *   kgal keeps it as the reference to modAL, not for large pools.
 *
 * A zero vector has cosine 0 with every item, itself included in the mean-cosine definition (sklearn's
 * cosine_similarity convention); modAL's distance matrix still gives it d(i, i) = 0. Values must be finite.
 * Embeddings from kgal's embedder are L2-normalised already; other inputs are normalised here (in Float64).
 */
import { type Matrix } from '../model/matrix.js';

function checkEmbeddings(x: Matrix): void {
  if (x.data.length !== x.rows * x.cols) throw new RangeError(`embeddings: ${x.data.length} values for a ${x.rows}×${x.cols} matrix`);
  const { data, cols } = x;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new RangeError(`embeddings: row ${Math.floor(i / cols)}, column ${i % cols} is ${data[i]}; must be finite`);
    }
  }
}

/** 1/‖x_i‖ per row, 0 for a zero row. */
function inverseNorms(x: Matrix): Float64Array {
  const { rows, cols, data } = x;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let ss = 0;
    for (let j = 0; j < cols; j++) ss += data[start + j]! * data[start + j]!;
    out[i] = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  }
  return out;
}

/** Mean cosine similarity of each item to all N items (itself included), unitless; higher = more representative; [−1, 1]. O(N·D). */
export function meanCosineSimilarity(embeddings: Matrix): Float64Array {
  const { rows, cols, data } = embeddings;
  if (data.length !== rows * cols) throw new RangeError(`embeddings: ${data.length} values for a ${rows}×${cols} matrix`);
  const out = new Float64Array(rows);
  if (rows === 0) return out;
  // Two passes over the matrix (it is the cost at pool scale): (1) check, norm and add each row while it
  // is in cache, (2) one dot product per row. Same arithmetic, in the same order, as the textbook
  // three-pass version.
  const inv = new Float64Array(rows); // 1/‖x_i‖, 0 for a zero row
  const total = new Float64Array(cols); // Σ_j u_j
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let ss = 0;
    for (let j = 0; j < cols; j++) {
      const v = data[start + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`embeddings: row ${i}, column ${j} is ${v}; must be finite`);
      ss += v * v;
    }
    const s = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    inv[i] = s;
    if (s === 0) continue;
    for (let j = 0; j < cols; j++) total[j]! += data[start + j]! * s;
  }
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += data[start + j]! * total[j]!;
    // clamp: rounding can push a mean of unit-vector cosines a hair past ±1
    out[i] = Math.min(1, Math.max(-1, (dot * inv[i]!) / rows));
  }
  return out;
}

export interface InformationDensityOptions {
  /** Exponent β of Settles & Craven's density term (≥ 0; default 1). */
  beta?: number;
}

/**
 * Information density `max(0, mean cos)^β` (Settles & Craven 2008, cosine similarity, mean over the whole
 * pool including the item), unitless; higher = more representative; [0, 1]. O(N·D) via `meanCosineSimilarity`.
 */
export function informationDensity(embeddings: Matrix, options: InformationDensityOptions = {}): Float64Array {
  const beta = options.beta ?? 1;
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new RangeError(`informationDensity: beta must be finite and ≥ 0, got ${beta}`);
  const out = meanCosineSimilarity(embeddings);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, out[i]!) ** beta;
  return out;
}

export interface ModalInformationDensityOptions {
  /** Largest N accepted (all pairs: N²·D multiply-adds); default 2000. */
  maxItems?: number;
}

/**
 * modAL's cosine information density `(1/N) Σ_j 1/(1 + d_cos(x_i, x_j))`, unitless; higher = more
 * representative; [1/3, 1]. Exact all-pairs O(N²·D): the small-N reference, RangeError above `maxItems`.
 */
export function modalInformationDensity(embeddings: Matrix, options: ModalInformationDensityOptions = {}): Float64Array {
  const maxItems = options.maxItems ?? 2000;
  checkEmbeddings(embeddings);
  const { rows, cols, data } = embeddings;
  if (rows > maxItems) {
    throw new RangeError(
      `modalInformationDensity: ${rows} items is above maxItems=${maxItems} (O(N²) pairs); use informationDensity (O(N·D))`,
    );
  }
  const inv = inverseNorms(embeddings);
  const unit = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) unit[i * cols + j] = data[i * cols + j]! * inv[i]!;
  const sums = new Float64Array(rows).fill(1); // d(i, i) = 0 → similarity 1
  for (let a = 0; a < rows; a++) {
    const aStart = a * cols;
    for (let b = a + 1; b < rows; b++) {
      const bStart = b * cols;
      let cos = 0;
      for (let j = 0; j < cols; j++) cos += unit[aStart + j]! * unit[bStart + j]!;
      const sim = 1 / (1 + Math.min(2, Math.max(0, 1 - cos)));
      sums[a]! += sim;
      sums[b]! += sim;
    }
  }
  for (let i = 0; i < rows; i++) sums[i]! /= rows;
  return sums;
}
