/**
 * A small seeded pseudo-random generator for everything in kgal that must be reproducible given a seed
 * (committee bootstraps, random baselines, simulations): mulberry32, 32-bit state, period 2^32, output in
 * [0, 1) with 32 bits of resolution. Not cryptographic. The same seed gives the same sequence on every
 * platform and Node version (pure 32-bit integer arithmetic via Math.imul).
 */

export interface SeededRandom {
  /** Next value in [0, 1). */
  next(): number;
  /** The current 32-bit state, so a generator can be saved and resumed with `resumeRandom(state)`. */
  state(): number;
}

/**
 * Mixes any finite number (or a string, e.g. an id) into a 32-bit seed, so nearby seeds (1, 2, 3...) start
 * from unrelated states: splitmix32-style finaliser over the bits.
 */
export function seedFrom(seed: number | string): number {
  let h: number;
  if (typeof seed === 'string') {
    // FNV-1a over UTF-16 code units.
    h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  } else {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
    // Fold the integer part's low and high 32 bits (seeds up to 2^53 stay distinct in practice).
    const n = Math.trunc(seed);
    h = (n | 0) ^ Math.imul((n / 4294967296) | 0, 0x9e3779b1);
  }
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
}

/** mulberry32 seeded through `seedFrom`. */
export function createRandom(seed: number | string): SeededRandom {
  return mulberry32(seedFrom(seed));
}

/** Continues a generator from a `state()` it reported (no seed mixing). */
export function resumeRandom(state: number): SeededRandom {
  if (!Number.isInteger(state) || state < 0 || state >= 2 ** 32) throw new RangeError(`state must be a uint32, got ${state}`);
  return mulberry32(state);
}

function mulberry32(initial: number): SeededRandom {
  let a = initial | 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    state(): number {
      return a >>> 0;
    },
  };
}

/**
 * An integer in [0, n), uniform up to the 2^-32 resolution of `next()` (bias < n / 2^32, negligible for the
 * sizes kgal draws from).
 */
export function randomInt(rng: SeededRandom, n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`randomInt needs a positive integer bound, got ${n}`);
  return Math.floor(rng.next() * n);
}

/** Fisher–Yates (Durstenfeld) shuffle in place; returns the same array. */
export function shuffleInPlace<T>(rng: SeededRandom, items: T[]): T[];
export function shuffleInPlace(rng: SeededRandom, items: Int32Array): Int32Array;
export function shuffleInPlace(rng: SeededRandom, items: { length: number; [i: number]: unknown }): unknown {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** A shuffled copy of the array (the input is left untouched). */
export function shuffled<T>(rng: SeededRandom, items: ReadonlyArray<T>): T[] {
  return shuffleInPlace(rng, items.slice());
}

/** A random permutation of 0..n-1. */
export function permutation(rng: SeededRandom, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(rng, out);
}
