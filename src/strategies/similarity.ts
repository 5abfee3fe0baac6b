/**
 * Nearest-neighbour similarity in embedding space, the quantity behind k-center greedy (core-set, Sener &
 * Savarese 2018) and kg-guided's semantic-gap term. Embeddings are unit length (kgal's embedder
 * L2-normalises), so cosine similarity is the dot product and the k-center distance is
 * `‖x − y‖² = 2 − 2·cos(x, y)`: the item farthest from a set is the one whose largest similarity to it is smallest.
 */
import type { Matrix } from '../model/matrix.js';

/**
 * For each query row q: max over reference rows r of x_q · x_r (−Infinity when there are no reference rows).
 * `into`, when given, is raised in place (entries only ever grow), so a caller can fold in new references.
 */
export function maxSimilarity(
  X: Matrix<Float32Array>,
  queryRows: ArrayLike<number>,
  referenceRows: ArrayLike<number>,
  into: Float64Array = new Float64Array(queryRows.length).fill(-Infinity),
): Float64Array {
  const { data, cols } = X;
  if (into.length !== queryRows.length) throw new RangeError(`into has ${into.length} entries for ${queryRows.length} query rows`);
  const R = referenceRows.length;
  for (let q = 0; q < queryRows.length; q += 1) {
    const a = queryRows[q]! * cols;
    let best = into[q]!;
    let r = 0;
    // Four reference rows per pass over the query row (each query value read once for four dot products):
    // about twice as fast at a thousand shortlisted rows × hundreds of labeled ones, and every dot product
    // still sums d = 0, 1, ... in order, so the values are bit for bit those of one row at a time.
    for (; r + 3 < R; r += 4) {
      const b0 = referenceRows[r]! * cols;
      const b1 = referenceRows[r + 1]! * cols;
      const b2 = referenceRows[r + 2]! * cols;
      const b3 = referenceRows[r + 3]! * cols;
      let dot0 = 0;
      let dot1 = 0;
      let dot2 = 0;
      let dot3 = 0;
      for (let d = 0; d < cols; d += 1) {
        const x = data[a + d]!;
        dot0 += x * data[b0 + d]!;
        dot1 += x * data[b1 + d]!;
        dot2 += x * data[b2 + d]!;
        dot3 += x * data[b3 + d]!;
      }
      if (dot0 > best) best = dot0;
      if (dot1 > best) best = dot1;
      if (dot2 > best) best = dot2;
      if (dot3 > best) best = dot3;
    }
    for (; r < R; r += 1) {
      const b = referenceRows[r]! * cols;
      let dot = 0;
      for (let d = 0; d < cols; d += 1) dot += data[a + d]! * data[b + d]!;
      if (dot > best) best = dot;
    }
    into[q] = best;
  }
  return into;
}

export interface KCenterOptions {
  /** Each candidate's largest similarity to the already labeled items (−Infinity where none): the set the batch extends. */
  labeledSimilarity?: Float64Array;
  /** First pick when nothing is labeled yet: the candidate with the highest value here (e.g. density); default the first candidate. */
  seedScores?: ArrayLike<number>;
}

export interface KCenterPick {
  candidate: number;
  /** Its largest similarity to the labeled items and earlier picks when picked (−Infinity for a first pick in cold start). */
  similarity: number;
}

/**
 * k-center greedy (Sener & Savarese 2018, as in Cluster-Margin and the core-set baselines): repeatedly pick
 * the candidate farthest from the labeled items and the picks so far, i.e. with the smallest largest
 * similarity to them; ties to the lower index. O(k·N·D).
 */
export function kCenterGreedy(X: Matrix<Float32Array>, candidateRows: Int32Array, k: number, options: KCenterOptions = {}): KCenterPick[] {
  const n = candidateRows.length;
  const nearest = options.labeledSimilarity ? Float64Array.from(options.labeledSimilarity) : new Float64Array(n).fill(-Infinity);
  if (nearest.length !== n) throw new RangeError(`labeledSimilarity has ${nearest.length} entries for ${n} candidates`);
  const taken = new Uint8Array(n);
  const picks: KCenterPick[] = [];
  const { data, cols } = X;
  for (let step = 0; step < Math.min(k, n); step += 1) {
    let best = -1;
    for (let i = 0; i < n; i += 1) {
      if (taken[i]) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const a = nearest[i]!;
      const b = nearest[best]!;
      if (a < b) best = i;
      else if (a === b && a === -Infinity && options.seedScores && options.seedScores[i]! > options.seedScores[best]!) best = i;
    }
    if (best < 0) break;
    picks.push({ candidate: best, similarity: nearest[best]! });
    taken[best] = 1;
    const b = candidateRows[best]! * cols;
    for (let i = 0; i < n; i += 1) {
      if (taken[i]) continue;
      const a = candidateRows[i]! * cols;
      let dot = 0;
      for (let d = 0; d < cols; d += 1) dot += data[a + d]! * data[b + d]!;
      if (dot > nearest[i]!) nearest[i] = dot;
    }
  }
  return picks;
}
