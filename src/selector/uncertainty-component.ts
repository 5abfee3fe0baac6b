import type { Matrix } from '../model/matrix.js';
import { klMaxDisagreement, mutualInformation, voteEntropy } from '../strategies/disagreement.js';
import { entropy, leastConfidence, margin } from '../strategies/uncertainty.js';
import type { Preset } from './presets.js';

export interface ComponentValues {
  /** The score as the strategy defines it (nats, probability units, ...). */
  raw: Float64Array;
  /** Mapped to [0, 1], higher = more worth labeling. */
  normalized: Float64Array;
}

/** A component's values at the given indices (pool rows for the candidates, candidates for a shortlist), in that order. */
export function gatherComponent(values: ComponentValues, indices: ArrayLike<number>): ComponentValues {
  const raw = new Float64Array(indices.length);
  const normalized = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k += 1) {
    raw[k] = values.raw[indices[k]!]!;
    normalized[k] = values.normalized[indices[k]!]!;
  }
  return { raw, normalized };
}

/** The pool's class probabilities: the classifier's, and each committee member's when a measure needs them. */
export interface PoolProbabilities {
  classifier: Matrix<Float64Array>;
  committee?: readonly Matrix<Float64Array>[];
}

export type UncertaintyMeasure = NonNullable<Preset['uncertainty']>;

/** Measures scored from the committee's members (the others use the single classifier). */
export const COMMITTEE_MEASURES: ReadonlySet<UncertaintyMeasure> = new Set(['qbc', 'kl', 'bald']);

/**
 * The uncertainty component U(x) for a preset: the raw score from src/strategies and a [0, 1] version
 * with a fixed, documented map (not rescaled per batch, so the same item gets the same U whatever else
 * is in the pool): least confidence / (1 − 1/C); 1 − margin; entropy / ln C; vote entropy / ln min(K, C);
 * BALD / ln C; KL max disagreement, which has no finite maximum, as 1 − exp(−KL).
 */
export function uncertaintyComponent(measure: UncertaintyMeasure, probabilities: PoolProbabilities): ComponentValues {
  const committee = (): readonly Matrix<Float64Array>[] => {
    if (!probabilities.committee) throw new Error(`uncertainty "${measure}" needs the committee's probabilities`);
    return probabilities.committee;
  };
  const classifier = probabilities.classifier;
  const C = classifier.cols;
  const lnC = Math.log(C);
  const map = (raw: Float64Array, f: (v: number) => number): ComponentValues => ({
    raw,
    normalized: raw.map((v) => Math.min(1, Math.max(0, f(v)))),
  });
  switch (measure) {
    case 'least-confidence':
      return map(leastConfidence(classifier), (v) => v / (1 - 1 / C));
    case 'margin':
      return map(margin(classifier), (v) => 1 - v);
    case 'entropy':
      return map(entropy(classifier), (v) => v / lnC);
    case 'qbc': {
      const members = committee();
      return map(voteEntropy(members), (v) => v / Math.log(Math.min(members.length, C)));
    }
    case 'kl':
      return map(klMaxDisagreement(committee()), (v) => 1 - Math.exp(-v));
    case 'bald':
      return map(mutualInformation(committee()), (v) => v / lnC);
  }
}
