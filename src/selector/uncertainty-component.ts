import { committeeProbabilities, type Committee } from '../model/committee.js';
import { predictProba, type LogisticRegressionModel } from '../model/logistic-regression.js';
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

/**
 * The uncertainty component U(x) for a preset: the raw score from src/strategies and a [0, 1] version
 * with a fixed, documented map (not rescaled per batch, so the same item gets the same U whatever else
 * is in the pool): least confidence / (1 − 1/C); 1 − margin; entropy / ln C; vote entropy / ln min(K, C);
 * BALD / ln C; KL max disagreement, which has no finite maximum, as 1 − exp(−KL).
 */
export function uncertaintyComponent(
  measure: NonNullable<Preset['uncertainty']>,
  model: { classifier: LogisticRegressionModel; committee?: Committee },
  embeddings: Matrix<Float32Array>,
): ComponentValues {
  const committee = (): Committee => {
    if (!model.committee) throw new Error(`uncertainty "${measure}" needs a committee; train the pool model with committee: true`);
    return model.committee;
  };
  const C = model.classifier.classes;
  const lnC = Math.log(C);
  const map = (raw: Float64Array, f: (v: number) => number): ComponentValues => ({
    raw,
    normalized: raw.map((v) => Math.min(1, Math.max(0, f(v)))),
  });
  switch (measure) {
    case 'least-confidence':
      return map(leastConfidence(predictProba(model.classifier, embeddings)), (v) => v / (1 - 1 / C));
    case 'margin':
      return map(margin(predictProba(model.classifier, embeddings)), (v) => 1 - v);
    case 'entropy':
      return map(entropy(predictProba(model.classifier, embeddings)), (v) => v / lnC);
    case 'qbc': {
      const members = committeeProbabilities(committee(), embeddings);
      return map(voteEntropy(members), (v) => v / Math.log(Math.min(members.length, C)));
    }
    case 'kl':
      return map(klMaxDisagreement(committeeProbabilities(committee(), embeddings)), (v) => 1 - Math.exp(-v));
    case 'bald':
      return map(mutualInformation(committeeProbabilities(committee(), embeddings)), (v) => v / lnC);
  }
}
