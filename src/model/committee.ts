/**
 * A query-by-committee ensemble: K logistic-regression members, each fitted on a bootstrap resample of the
 * labeled set (N draws with replacement from the seeded PRNG), for the disagreement scores (vote entropy,
 * consensus entropy, KL max disagreement, BALD).
 *
 * A bootstrap resample is passed to the trainer as integer sample weights (the multiplicity of each row),
 * which is exactly the objective of training on the resampled copy (the loss is a weighted sum over rows)
 * without copying embeddings.
 *
 * Degenerate resamples: a resample with fewer than two classes cannot be fitted. It is redrawn up to
 * `maxResamples` times; if every draw is degenerate (tiny or very unbalanced labeled sets), the member uses a
 * stratified bootstrap instead: one random row of each class present in the labeled set, then the remaining
 * N − (number of present classes) rows drawn with replacement from all rows. Each member records which
 * path it took. Classes present in the labeled set but missing from a member's resample get probability 0
 * from that member (see logistic-regression.ts), which is what a member that never saw a class should say.
 *
 * Deterministic for a seed: one PRNG stream drives all members in order.
 */

import { createRandom, randomInt, type SeededRandom } from './seeded-random.js';
import {
  NotTrainableError,
  predictProba,
  trainLogisticRegression,
  type LogisticRegressionModel,
  type LogisticRegressionOptions,
} from './logistic-regression.js';
import type { Matrix } from './matrix.js';

export interface CommitteeOptions extends LogisticRegressionOptions {
  /** Number of members K. Default 5. */
  members?: number;
  /** PRNG seed for the bootstrap draws. */
  seed: number | string;
  /** Redraws of a resample with fewer than two classes before the stratified fallback. Default 10. */
  maxResamples?: number;
}

export interface CommitteeMember {
  readonly model: LogisticRegressionModel;
  /** How the member's resample was made: a plain bootstrap (after `redraws` degenerate draws) or the stratified fallback. */
  readonly resample: 'bootstrap' | 'stratified';
  readonly redraws: number;
}

export interface Committee {
  readonly classes: number;
  readonly seed: number | string;
  readonly members: readonly CommitteeMember[];
}

type Embeddings = Matrix<Float32Array> | Matrix<Float64Array>;

function drawBootstrap(rng: SeededRandom, n: number, counts: Float64Array): void {
  counts.fill(0);
  for (let t = 0; t < n; t++) {
    const i = randomInt(rng, n);
    counts[i] = counts[i]! + 1;
  }
}

function classesIn(counts: Float64Array, y: Int32Array, baseWeights: Float64Array | undefined, classes: number): number {
  const seen = new Uint8Array(classes);
  let distinct = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! > 0 && (baseWeights === undefined || baseWeights[i]! > 0) && seen[y[i]!] === 0) {
      seen[y[i]!] = 1;
      distinct++;
    }
  }
  return distinct;
}

/**
 * Trains K members. Throws NotTrainableError when the labeled set itself holds fewer than two classes (cold
 * start), like trainLogisticRegression.
 */
export function trainCommittee(X: Embeddings, y: Int32Array, options: CommitteeOptions): Committee {
  const K = options.members ?? 5;
  const maxResamples = options.maxResamples ?? 10;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`members must be a positive integer, got ${K}`);
  if (!Number.isInteger(maxResamples) || maxResamples < 0) {
    throw new RangeError(`maxResamples must be a non-negative integer, got ${maxResamples}`);
  }
  const n = X.rows;
  if (y.length !== n) throw new RangeError(`${y.length} labels for ${n} rows`);
  const { classes } = options;
  const base = options.sampleWeights;
  if (base !== undefined && base.length !== n) throw new RangeError(`${base.length} sample weights for ${n} rows`);

  // Rows per present class (positive base weight), for the stratified fallback.
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) {
    const label = y[i]!;
    if (label < 0 || label >= classes) throw new RangeError(`label ${label} at row ${i} is outside [0, ${classes})`);
    if (base === undefined || base[i]! > 0) byClass[label]!.push(i);
  }
  const present = byClass.filter((rows) => rows.length > 0);
  if (present.length < 2) {
    throw new NotTrainableError(`a committee needs samples of at least 2 classes, got ${present.length}`, present.length);
  }

  const rng = createRandom(options.seed);
  const counts = new Float64Array(n);
  const members: CommitteeMember[] = [];
  for (let m = 0; m < K; m++) {
    let redraws = 0;
    let resample: CommitteeMember['resample'] = 'bootstrap';
    drawBootstrap(rng, n, counts);
    while (classesIn(counts, y, base, classes) < 2) {
      if (redraws >= maxResamples) {
        resample = 'stratified';
        counts.fill(0);
        for (const rows of present) {
          const i = rows[randomInt(rng, rows.length)]!;
          counts[i] = counts[i]! + 1;
        }
        for (let t = present.length; t < n; t++) {
          const i = randomInt(rng, n);
          counts[i] = counts[i]! + 1;
        }
        break;
      }
      redraws++;
      drawBootstrap(rng, n, counts);
    }
    const weights = new Float64Array(n);
    for (let i = 0; i < n; i++) weights[i] = counts[i]! * (base === undefined ? 1 : base[i]!);
    const model = trainLogisticRegression(X, y, { ...options, sampleWeights: weights });
    members.push({ model, resample, redraws });
  }
  return { classes, seed: options.seed, members };
}

/** One N×C probability matrix per member, in member order, all with the same class columns 0..C−1. */
export function committeeProbabilities(committee: Committee, X: Embeddings): Matrix<Float64Array>[] {
  return committee.members.map((member) => predictProba(member.model, X));
}
