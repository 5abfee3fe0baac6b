import { kCenterGreedy } from '../../strategies/similarity.js';
import { PRESET_DEFINITIONS } from '../presets.js';
import type { BatchPick } from '../select-batch.js';
import { NO_WEIGHTS, type SelectionStrategy } from '../strategy.js';
import { coveragePicks } from './coverage-picks.js';
import { weightedPresetStrategy } from './weighted-preset.js';

const withoutEmbeddings = weightedPresetStrategy(PRESET_DEFINITIONS.coverage);

/**
 * `coreset`: k-center greedy on the embeddings (Sener & Savarese 2018): each pick is the candidate farthest
 * from the labeled items and the earlier picks, so the labeled set covers the embedding space evenly. With
 * nothing labeled the first pick is the most representative candidate (highest density). Needs no model.
 * Reported component: `diversity`, the pick's largest similarity to what was chosen before it. Without
 * embeddings it falls back to graph coverage and says so (`coreset:coverage` on every pick, coldStart).
 */
export const coresetStrategy: SelectionStrategy = {
  name: 'coreset',
  needs: {},
  async choose(context) {
    const { embeddings, rows } = context;
    if (!embeddings || !rows) {
      const fallback = await withoutEmbeddings.choose(context);
      return { ...fallback, coldStart: true, pickStrategies: fallback.picks.map(() => 'coreset:coverage') };
    }
    const labeledSimilarity = context.labeledSimilarity();
    const density = context.density();
    const chosen = kCenterGreedy(embeddings, rows, context.batchSize, {
      ...(labeledSimilarity ? { labeledSimilarity } : {}),
      ...(density ? { seedScores: density.raw } : {}),
    });
    const picks = coveragePicks(
      context,
      chosen.map((c) => c.candidate),
    ).map((pick, k): BatchPick => {
      const similarity = chosen[k]!.similarity;
      const finite = Number.isFinite(similarity) ? similarity : 0;
      return { ...pick, score: 1 - finite, components: { ...pick.components, diversity: { raw: finite, normalized: Math.max(0, finite) } } };
    });
    return { picks, evaluations: rows.length * picks.length, weights: { ...NO_WEIGHTS, diversity: 1 }, coldStart: false, uncertaintySource: 'none' };
  },
};
