/**
 * Seeded pseudo-random numbers for the graph analytics (betweenness pivots, Louvain's visiting order):
 * mulberry32 behind a splitmix-style seed mix, so seeds 1, 2, 3... start from unrelated states. Same seed,
 * same sequence on every platform. Not cryptographic. (Kept here rather than imported from src/ so that
 * graph/ stays free of application imports.)
 */

/** A function returning the next value in [0, 1), as graphology's `rng` options expect. */
export type RandomFunction = () => number;

/** mulberry32 over a mixed 32-bit seed. */
export function seededRandom(seed: number): RandomFunction {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
  const n = Math.trunc(seed);
  let h = (n | 0) ^ Math.imul((n / 4294967296) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  let state = (h ^ (h >>> 15)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct integers from [0, n), uniformly without replacement (partial Fisher–Yates), in draw
 * order. `count >= n` gives a permutation of all of them.
 */
export function sampleIndices(n: number, count: number, random: RandomFunction): Int32Array {
  const k = Math.max(0, Math.min(n, Math.floor(count)));
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, k);
}
