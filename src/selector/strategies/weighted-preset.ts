/**
 * The presets that weigh components (uncertainty, coverage gain, density, diversity): margin, entropy, bald,
 * coverage, kg-guided... One strategy value per preset definition (presets.ts), sharing this code.
 */
import { COMMITTEE_MEASURES } from '../uncertainty-component.js';
import type { ComponentWeights, Preset } from '../presets.js';
import { selectBatch, type BatchCandidates, type SelectBatchOptions } from '../select-batch.js';
import type { RoundContext, SelectionStrategy, StrategyRun } from '../strategy.js';

export function weightedPresetStrategy(preset: Preset): SelectionStrategy {
  return {
    name: preset.name,
    needs: {
      ...(preset.uncertainty ? { model: true } : {}),
      ...(preset.uncertainty && COMMITTEE_MEASURES.has(preset.uncertainty) ? { committee: true } : {}),
    },
    choose: (context) => chooseWeighted(preset, context),
  };
}

function chooseWeighted(preset: Preset, context: RoundContext): StrategyRun {
  const uncertainty = preset.uncertainty ? (context.externalUncertainty ?? context.uncertainty(preset.uncertainty)) : undefined;
  const coldStart = preset.uncertainty !== undefined && uncertainty === undefined;
  const weights: ComponentWeights = { ...(coldStart ? preset.coldStart : preset.weights), ...context.weights };
  const uncertaintySource = uncertainty === undefined ? 'none' : uncertainty === context.externalUncertainty ? 'external' : 'model';
  const run = (candidates: BatchCandidates, options: Omit<SelectBatchOptions, 'weights' | 'batchSize' | 'coverage'>): StrategyRun => {
    const { picks, evaluations } = selectBatch(candidates, { weights, batchSize: context.batchSize, coverage: context.newCoverage(), ...options });
    return { picks, evaluations, weights, coldStart, uncertaintySource, ...(coldStart ? { pickStrategies: picks.map(() => `${preset.name}:cold-start`) } : {}) };
  };
  const all: BatchCandidates = {
    ids: context.candidateIds,
    entities: context.entities,
    ...(context.embeddings && context.rows ? { embeddings: context.embeddings, rows: context.rows } : {}),
  };
  const density = weights.density > 0 ? context.density() : undefined;
  return run(all, { ...(uncertainty && weights.uncertainty > 0 ? { uncertainty } : {}), ...(density ? { density } : {}) });
}

