/**
 * The presets that weigh components (uncertainty, coverage gain, density, diversity) over every candidate:
 * margin, entropy, bald, density, coverage... One strategy value per preset definition (presets.ts).
 * kg-guided has its own strategy (kg-guided.ts) built on the same components.
 */
import { COMMITTEE_MEASURES } from '../uncertainty-component.js';
import { COLD_START_STRATEGY, type ComponentWeights, type Preset } from '../presets.js';
import { selectBatch, type BatchCandidates } from '../select-batch.js';
import type { RoundContext, SelectionStrategy, StrategyRun } from '../strategy.js';

export function weightedPresetStrategy(preset: Preset): SelectionStrategy {
  return {
    name: preset.name,
    needs: preset.uncertainty && COMMITTEE_MEASURES.has(preset.uncertainty) ? { committee: true } : {},
    choose: (context) => chooseWeighted(preset, context),
  };
}

/** One batch by the preset's weighted sum over every candidate (cold-start weights when it needs a model and has none). */
export function chooseWeighted(preset: Preset, context: RoundContext): StrategyRun {
  const uncertainty = preset.uncertainty ? (context.externalUncertainty ?? context.uncertainty(preset.uncertainty)) : undefined;
  const coldStart = preset.uncertainty !== undefined && uncertainty === undefined;
  const weights: ComponentWeights = { ...(coldStart ? preset.coldStart : preset.weights), ...context.weights };
  const uncertaintySource = uncertainty === undefined ? 'none' : uncertainty === context.externalUncertainty ? 'external' : 'model';
  const density = weights.density > 0 ? context.density() : undefined;
  const candidates: BatchCandidates = {
    ids: context.candidateIds,
    entities: context.entities,
    ...(context.embeddings && context.rows ? { embeddings: context.embeddings, rows: context.rows } : {}),
  };
  const { picks, evaluations } = selectBatch(candidates, {
    weights,
    batchSize: context.batchSize,
    coverage: context.newCoverage(),
    ...(uncertainty && weights.uncertainty > 0 ? { uncertainty } : {}),
    ...(density ? { density } : {}),
  });
  return { picks, evaluations, weights, coldStart, uncertaintySource, ...(coldStart ? { pickStrategies: picks.map(() => COLD_START_STRATEGY) } : {}) };
}

