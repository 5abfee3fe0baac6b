/**
 * modAL's `uncertainty_sampling`, `margin_sampling` and `entropy_sampling` on a matrix: a fitted
 * classifier scores every row and the n most uncertain rows come back, most uncertain first. The same
 * inputs and outputs as modAL's functions, for users who hold a matrix rather than a store; `queryPool`
 * is the full selection (store, knowledge graph, diversity, explanations).
 */
import type { LogisticRegressionModel } from '../model/logistic-regression.js';
import type { Matrix } from '../model/matrix.js';
import { predictProbaMany, type PoolProbabilityOptions } from '../model/pool-probabilities.js';
import { entropy, leastConfidence, margin } from '../strategies/uncertainty.js';
import { topK } from './top-k.js';

export type SamplingMeasure = 'least-confidence' | 'margin' | 'entropy';

export interface UncertaintySamplingOptions extends PoolProbabilityOptions {
  /** Default `entropy`. */
  measure?: SamplingMeasure;
}

export interface UncertaintySamplingResult {
  /** Row indices, most uncertain first (ties: lower row first). */
  indices: Int32Array;
  /** The measure's value for each returned row (margin: the margin, smaller = more uncertain). */
  scores: Float64Array;
}

export async function uncertaintySampling(
  classifier: LogisticRegressionModel,
  X: Matrix<Float32Array> | Matrix<Float64Array>,
  n: number,
  options: UncertaintySamplingOptions = {},
): Promise<UncertaintySamplingResult> {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`n must be an integer ≥ 0, got ${n}`);
  const [probabilities] = await predictProbaMany([classifier], X, options);
  const measure = options.measure ?? 'entropy';
  const raw = measure === 'entropy' ? entropy(probabilities!) : measure === 'margin' ? margin(probabilities!) : leastConfidence(probabilities!);
  // topK takes the largest: a small margin is the uncertain end.
  const indices = topK(measure === 'margin' ? raw.map((v) => -v) : raw, n);
  return { indices, scores: Float64Array.from(indices, (i) => raw[i]!) };
}
