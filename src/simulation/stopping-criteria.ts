import type { RoundSignals } from './oracle-campaign.js';
import type { RoundRow } from './round-row.js';

/**
 * When a campaign would have stopped, had it been run with a stopping rule (as small-text and ALiPy
 * offer). Each rule fires at the round where its condition has held for `rounds` consecutive rounds.
 */
export interface StoppingRules {
  /** Centrality coverage gained per round below `minGain` (a share, 0.01 = 1 pt). */
  coverageSaturation: { minGain: number; rounds: number };
  /** Mean pool uncertainty (1 − max p over the unlabeled pool) changing by less than `epsilon`. */
  uncertaintyPlateau: { epsilon: number; rounds: number };
  /** Stabilising predictions (Bloodgood & Vijay-Shanker 2009; small-text's KappaAverage): kappa between consecutive rounds' pool predictions ≥ `kappa`. */
  stablePredictions: { kappa: number; rounds: number };
}

/**
 * Defaults: stable predictions as Bloodgood & Vijay-Shanker propose (kappa 0.99 over 3 checks); the two
 * others at 1 pt per round for 3 rounds (with batches of 20–50 on pools of thousands, a smaller threshold
 * never fires within 1,000 labels on AG News or WebNLG).
 */
export const DEFAULT_STOPPING_RULES: StoppingRules = {
  coverageSaturation: { minGain: 0.01, rounds: 3 },
  uncertaintyPlateau: { epsilon: 0.01, rounds: 3 },
  stablePredictions: { kappa: 0.99, rounds: 3 },
};

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

  const coverage = firstStreak(sorted.length, rules.coverageSaturation.rounds, (i) => {
    const before = sorted[i - 1]?.centralityCoverage;
    const now = sorted[i]!.centralityCoverage;
    return before === undefined || now === undefined ? undefined : now - before < rules.coverageSaturation.minGain;
  });
  if (coverage !== undefined) points.coverageSaturation = at(coverage);

  const plateau = firstStreak(sorted.length, rules.uncertaintyPlateau.rounds, (i) => {
    const before = signalByRound.get(sorted[i - 1]?.round ?? -1)?.poolUncertainty;
    const now = signalByRound.get(sorted[i]!.round)?.poolUncertainty;
    return before === undefined || now === undefined ? undefined : Math.abs(now - before) < rules.uncertaintyPlateau.epsilon;
  });
  if (plateau !== undefined) points.uncertaintyPlateau = at(plateau);

  const stable = firstStreak(sorted.length, rules.stablePredictions.rounds, (i) => {
    const kappa = signalByRound.get(sorted[i]!.round)?.predictionKappa;
    return kappa === undefined ? undefined : kappa >= rules.stablePredictions.kappa;
  });
  if (stable !== undefined) points.stablePredictions = at(stable);

  points.maxBudget = at(sorted.length - 1);
  return points;
}

/**
 * The first index i (≥ 1) at which `holds` has been true for `k` consecutive indices ending at i;
 * an unmeasurable index (undefined) breaks the streak.
 */
function firstStreak(length: number, k: number, holds: (i: number) => boolean | undefined): number | undefined {
  let streak = 0;
  for (let i = 1; i < length; i += 1) {
    streak = holds(i) === true ? streak + 1 : 0;
    if (streak >= k) return i;
  }
  return undefined;
}
