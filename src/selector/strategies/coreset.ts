import { kCenterGreedy } from '../../strategies/similarity.js';
import { PRESET_DEFINITIONS } from '../presets.js';
import type { BatchPick } from '../select-batch.js';
import { NO_WEIGHTS, type SelectionStrategy } from '../strategy.js';
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
    const coverage = context.newCoverage();
    const picks = chosen.map(({ candidate, similarity }, k): BatchPick => {
      const raw = coverage.gain(context.entities, candidate);
      coverage.cover(context.entities, candidate);
      const finite = Number.isFinite(similarity) ? similarity : 0;
      return {
        candidate,
        id: context.candidateIds[candidate]!,
        rank: k + 1,
        score: 1 - finite,
        components: { coverage: { raw, normalized: raw }, diversity: { raw: finite, normalized: Math.max(0, finite) } },
        entities: [],
      };
    });
    return { picks, evaluations: rows.length * picks.length, weights: { ...NO_WEIGHTS, diversity: 1 }, coldStart: false, uncertaintySource: 'none' };
  },
};
