/**
 * The built-in strategies by name: the values `kgal query --strategy`, the API's `strategy` and `kgal simulate
 * --strategies` resolve to. A library caller may pass any SelectionStrategy instead of a name.
 */
import { PRESET_DEFINITIONS, type PresetName } from './presets.js';
import { autoStrategy } from './strategies/auto.js';
import { coresetStrategy } from './strategies/coreset.js';
import { kgGuidedStrategy } from './strategies/kg-guided.js';
import { randomStrategy } from './strategies/random.js';
import { weightedPresetStrategy } from './strategies/weighted-preset.js';
import type { SelectionStrategy } from './strategy.js';

const weighted = Object.fromEntries(Object.values(PRESET_DEFINITIONS).map((preset) => [preset.name, weightedPresetStrategy(preset)]));

/**
 * The arms `auto` learns over: one per family (uniform sampling, uncertainty, coverage of the embedding
 * space, knowledge-guided uncertainty). The other scores (entropy, least confidence, vote entropy, KL, BALD)
 * rank close to margin or below it on many-class pools, and density and graph coverage are components of
 * kg-guided: as arms they only slowed the bandit down (docs/bandit.md).
 */
export const AUTO_ARMS: readonly SelectionStrategy[] = [randomStrategy, weighted.margin!, coresetStrategy, kgGuidedStrategy()];

export const STRATEGIES: Readonly<Record<PresetName, SelectionStrategy>> = {
  ...(weighted as Record<keyof typeof PRESET_DEFINITIONS, SelectionStrategy>),
  random: randomStrategy,
  coreset: coresetStrategy,
  'kg-guided': kgGuidedStrategy(),
  auto: autoStrategy(AUTO_ARMS),
};

/** The strategy value for a preset name, or the value itself. */
export function resolveStrategy(strategy: PresetName | SelectionStrategy | undefined): SelectionStrategy {
  if (strategy === undefined) return STRATEGIES['kg-guided'];
  return typeof strategy === 'string' ? STRATEGIES[strategy] : strategy;
}
