import { DEFAULT_STOPPING_RULES, firstMet, type RuleSignals, type StoppingRules } from '../campaign/stopping-rules.js';
import type { RoundSignals } from './oracle-campaign.js';
import type { RoundRow } from './round-row.js';

// The rules themselves live with the live campaign's stop signal (one copy, pure): src/campaign/stopping-rules.ts.
export { DEFAULT_STOPPING_RULES, type StoppingRules } from '../campaign/stopping-rules.js';

/** Command-line overrides, each `<threshold>[:<rounds>]` (e.g. `0.005:4`); absent ones keep the defaults. */
export interface StoppingRuleFlags {
  /** coverageSaturation: minGain[:rounds]. */
  coverage?: string;
  /** uncertaintyPlateau: epsilon[:rounds]. */
  uncertainty?: string;
  /** stablePredictions: kappa[:rounds]. */
  kappa?: string;
}

/** The default rules with the given overrides; a malformed value throws a RangeError naming the flag. */
export function stoppingRulesFrom(flags: StoppingRuleFlags, defaults: StoppingRules = DEFAULT_STOPPING_RULES): StoppingRules {
  const parse = (flag: string, text: string, fallbackRounds: number): { value: number; rounds: number } => {
    const [valueText = '', roundsText, ...rest] = text.split(':');
    const value = Number(valueText);
    const rounds = roundsText === undefined ? fallbackRounds : Number(roundsText);
    if (valueText.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 1 || rest.length > 0) {
      throw new RangeError(`${flag} must be <threshold>[:<rounds>] with a threshold in (0, 1], got "${text}"`);
    }
    if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`${flag}: rounds must be an integer ≥ 1, got "${roundsText}"`);
    return { value, rounds };
  };
  const rules: StoppingRules = structuredClone(defaults);
  if (flags.coverage !== undefined) {
    const { value, rounds } = parse('--stop-coverage', flags.coverage, defaults.coverageSaturation.rounds);
    rules.coverageSaturation = { minGain: value, rounds };
  }
  if (flags.uncertainty !== undefined) {
    const { value, rounds } = parse('--stop-uncertainty', flags.uncertainty, defaults.uncertaintyPlateau.rounds);
    rules.uncertaintyPlateau = { epsilon: value, rounds };
  }
  if (flags.kappa !== undefined) {
    const { value, rounds } = parse('--stop-kappa', flags.kappa, defaults.stablePredictions.rounds);
    rules.stablePredictions = { kappa: value, rounds };
  }
  return rules;
}

export const STOPPING_CRITERIA = ['coverageSaturation', 'uncertaintyPlateau', 'stablePredictions', 'maxBudget'] as const;
export type StoppingCriterion = (typeof STOPPING_CRITERIA)[number];

export interface StopPoint {
  round: number;
  labels: number;
  /** Accuracy of the model at that round. */
  accuracy: number;
}

/**
 * Stop points of one run (its rows, and its signals when recorded). A criterion that never fires, or
 * cannot be measured for the run (no coverage columns, no signals), is absent; `maxBudget` is the last round.
 */
export function stoppingPoints(
  rows: readonly RoundRow[],
  signals: readonly RoundSignals[] = [],
  rules: StoppingRules = DEFAULT_STOPPING_RULES,
): Partial<Record<StoppingCriterion, StopPoint>> {
  const sorted = [...rows].sort((a, b) => a.round - b.round);
  const points: Partial<Record<StoppingCriterion, StopPoint>> = {};
  if (sorted.length === 0) return points;
  const at = (i: number): StopPoint => ({ round: sorted[i]!.round, labels: sorted[i]!.labels, accuracy: sorted[i]!.accuracy });
  const signalByRound = new Map(signals.map((s) => [s.round, s]));

  const series: RuleSignals[] = sorted.map((row) => {
    const signal = signalByRound.get(row.round);
    const point: RuleSignals = {};
    if (row.centralityCoverage !== undefined) point.coverage = row.centralityCoverage;
    if (signal?.poolUncertainty !== undefined) point.uncertainty = signal.poolUncertainty;
    if (signal?.predictionKappa !== undefined) point.kappa = signal.predictionKappa;
    return point;
  });
  const coverage = firstMet('coverageSaturation', series, rules);
  if (coverage !== undefined) points.coverageSaturation = at(coverage);
  const plateau = firstMet('uncertaintyPlateau', series, rules);
  if (plateau !== undefined) points.uncertaintyPlateau = at(plateau);
  const stable = firstMet('stablePredictions', series, rules);
  if (stable !== undefined) points.stablePredictions = at(stable);

  points.maxBudget = at(sorted.length - 1);
  return points;
}
