/**
 * The built-in strategies by name: the values `kgal query --strategy`, the API's `strategy` and `kgal simulate
 * --strategies` resolve to. A library caller may pass any SelectionStrategy instead of a name.
 */
import { PRESET_DEFINITIONS, type PresetName } from './presets.js';
import { autoStrategy } from './strategies/auto.js';
import { coresetStrategy } from './strategies/coreset.js';
import { randomStrategy } from './strategies/random.js';
import { weightedPresetStrategy } from './strategies/weighted-preset.js';
import type { SelectionStrategy } from './strategy.js';

const weighted = Object.fromEntries(Object.values(PRESET_DEFINITIONS).map((preset) => [preset.name, weightedPresetStrategy(preset)]));

/** The arms `auto` learns over. */
export const AUTO_ARMS: readonly SelectionStrategy[] = [
  randomStrategy,
  ...Object.values(PRESET_DEFINITIONS).map((preset) => weighted[preset.name]!),
  coresetStrategy,
];

export const STRATEGIES: Readonly<Record<PresetName, SelectionStrategy>> = {
  ...(weighted as Record<keyof typeof PRESET_DEFINITIONS, SelectionStrategy>),
  random: randomStrategy,
  coreset: coresetStrategy,
  auto: autoStrategy(AUTO_ARMS),
};

/** The strategy value for a preset name, or the value itself. */
export function resolveStrategy(strategy: PresetName | SelectionStrategy | undefined): SelectionStrategy {
  if (strategy === undefined) return STRATEGIES['kg-guided'];
  return typeof strategy === 'string' ? STRATEGIES[strategy] : strategy;
}
