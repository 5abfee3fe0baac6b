/**
 * Every pool row's largest cosine similarity to the labeled items, kept per embedding matrix between queries
 * (both stores hand out the same matrix object until an embedding changes). A campaign's labeled set only
 * grows, so each query folds in the newly labeled rows (N × new labels) instead of recomputing N × all labels;
 * anything else (a label removed) recomputes.
 */
import type { Matrix } from '../model/matrix.js';
import { maxSimilarity } from '../strategies/similarity.js';

interface Cached {
  labeled: Uint8Array;
  nearest: Float64Array;
}

const byMatrix = new WeakMap<Matrix<Float32Array>, Cached>();
let allRows: { size: number; rows: Int32Array } | undefined;

function rowsUpTo(size: number): Int32Array {
  if (!allRows || allRows.size !== size) allRows = { size, rows: Int32Array.from({ length: size }, (_, i) => i) };
  return allRows.rows;
}

/** Per pool row: max over labeled rows of x_row · x_labeled (−Infinity when nothing is labeled). */
export function poolLabeledSimilarity(embeddings: Matrix<Float32Array>, labeledRows: Int32Array): Float64Array {
  const labeled = new Uint8Array(embeddings.rows);
  for (const row of labeledRows) labeled[row] = 1;
  let cached = byMatrix.get(embeddings);
  if (cached && cached.labeled.some((was, row) => was === 1 && labeled[row] === 0)) cached = undefined;
  if (!cached) {
    cached = { labeled: new Uint8Array(embeddings.rows), nearest: new Float64Array(embeddings.rows).fill(-Infinity) };
    byMatrix.set(embeddings, cached);
  }
  const added = labeledRows.filter((row) => cached!.labeled[row] === 0);
  if (added.length > 0) {
    maxSimilarity(embeddings, rowsUpTo(embeddings.rows), added, cached.nearest);
    for (const row of added) cached.labeled[row] = 1;
  }
  return cached.nearest;
}
