import { createRandom, shuffled } from '../../model/seeded-random.js';
import type { BatchPick } from '../select-batch.js';
import { NO_WEIGHTS, type SelectionStrategy } from '../strategy.js';

/** Uniform random sampling (seeded), the baseline every other strategy is measured against. */
export const randomStrategy: SelectionStrategy = {
  name: 'random',
  needs: {},
  choose(context) {
    const coverage = context.newCoverage();
    const order = shuffled(createRandom(context.seed), context.candidateIds.map((_, i) => i)).slice(0, context.batchSize);
    const picks = order.map((candidate, k): BatchPick => {
      const raw = coverage.gain(context.entities, candidate);
      coverage.cover(context.entities, candidate);
      return { candidate, id: context.candidateIds[candidate]!, rank: k + 1, score: 0, components: { coverage: { raw, normalized: raw } }, entities: [] };
    });
    return { picks, evaluations: 0, weights: { ...NO_WEIGHTS }, coldStart: false, uncertaintySource: 'none' };
  },
};
