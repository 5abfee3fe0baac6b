import type { BatchPick } from '../select-batch.js';
import type { RoundContext } from '../strategy.js';

/**
 * Picks for candidates a strategy chose without weighing components (random, coreset, auto's uniform draws),
 * in their order: each reports the coverage gain it adds given the picks before it, so their explanations
 * read like the weighted presets'. Score 0; callers add what they chose by.
 */
export function coveragePicks(context: RoundContext, candidates: readonly number[]): BatchPick[] {
  const coverage = context.newCoverage();
  return candidates.map((candidate, k) => {
    const raw = coverage.gain(context.entities, candidate);
    coverage.cover(context.entities, candidate);
    return { candidate, id: context.candidateIds[candidate]!, rank: k + 1, score: 0, components: { coverage: { raw, normalized: raw } }, entities: [] };
  });
}
