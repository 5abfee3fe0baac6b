import { createRandom, shuffled } from '../../model/seeded-random.js';
import { NO_WEIGHTS, type SelectionStrategy } from '../strategy.js';
import { coveragePicks } from './coverage-picks.js';

/** Uniform random sampling (seeded), the baseline every other strategy is measured against. */
export const randomStrategy: SelectionStrategy = {
  name: 'random',
  needs: {},
  choose(context) {
    const order = shuffled(createRandom(context.seed), context.candidateIds.map((_, i) => i)).slice(0, context.batchSize);
    const picks = coveragePicks(context, order);
    return { picks, evaluations: 0, weights: { ...NO_WEIGHTS }, coldStart: false, uncertaintySource: 'none' };
  },
};
