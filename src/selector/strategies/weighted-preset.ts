/**
 * The presets that weigh components (uncertainty, coverage gain, density, diversity): margin, entropy, bald,
 * coverage, kg-guided... One strategy value per preset definition (presets.ts), sharing this code.
 */
import { selectItems } from '../../../graph/entity-index.js';
import { COMMITTEE_MEASURES, type ComponentValues } from '../uncertainty-component.js';
import type { ComponentWeights, Preset } from '../presets.js';
import { selectBatch, type BatchCandidates, type SelectBatchOptions } from '../select-batch.js';
import type { RoundContext, SelectionStrategy, StrategyRun } from '../strategy.js';
import { topK } from '../top-k.js';

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
  const factor = context.shortlist ?? preset.shortlist ?? 0;
  if (!(factor > 0) || !uncertainty || context.candidateIds.length <= context.batchSize) {
    return run(all, { ...(uncertainty && weights.uncertainty > 0 ? { uncertainty } : {}), ...(density ? { density } : {}) });
  }
  // Uncertainty first: the other components choose among the most uncertain candidates only.
  const shortlist = topK(uncertainty.normalized, Math.ceil(factor * context.batchSize));
  const labeledSimilarity = weights.diversity > 0 ? context.labeledSimilarity(shortlist) : undefined;
  const result = run(
    {
      ids: Array.from(shortlist, (c) => context.candidateIds[c]!),
      entities: selectItems(context.entities, shortlist),
      ...(context.embeddings && context.rows ? { embeddings: context.embeddings, rows: Int32Array.from(shortlist, (c) => context.rows![c]!) } : {}),
    },
    {
      ...(weights.uncertainty > 0 ? { uncertainty: gather(uncertainty, shortlist) } : {}),
      ...(density ? { density: rescaled(gather(density, shortlist)) } : {}),
      ...(labeledSimilarity ? { labeledSimilarity } : {}),
    },
  );
  for (const pick of result.picks) pick.candidate = shortlist[pick.candidate]!;
  return { ...result, evaluations: result.evaluations };
}

function gather(values: ComponentValues, which: Int32Array): ComponentValues {
  return { raw: Float64Array.from(which, (c) => values.raw[c]!), normalized: Float64Array.from(which, (c) => values.normalized[c]!) };
}

/** Density is min-max normalised over the candidates it competes among (here the shortlist). */
function rescaled(values: ComponentValues): ComponentValues {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values.raw) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const span = max - min;
  return { raw: values.raw, normalized: values.raw.map((v) => (span > 0 ? (v - min) / span : 0)) };
}
