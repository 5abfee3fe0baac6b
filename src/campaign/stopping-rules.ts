/**
 * The stopping rules, as pure functions over a campaign's rounds: shared by the simulations (when a run
 * would have stopped, stopping-criteria.ts) and the live campaign (should the team stop now,
 * stop-signal.ts). Each rule looks at one signal per round; a rule holds at round i when its condition is
 * true there, and it is met once it has held for `rounds` consecutive rounds.
 */

/** When a campaign would stop, as small-text and ALiPy offer. */
export interface StoppingRules {
  /** Centrality coverage gained per round below `minGain` (a share, 0.01 = 1 pt). */
  coverageSaturation: { minGain: number; rounds: number };
  /** Mean pool uncertainty (1 − max p over the unlabeled pool) changing by less than `epsilon`. */
  uncertaintyPlateau: { epsilon: number; rounds: number };
  /** Stabilising predictions (Bloodgood & Vijay-Shanker 2009; small-text's KappaAverage): kappa between consecutive rounds' pool predictions ≥ `kappa`. */
  stablePredictions: { kappa: number; rounds: number };
}

export type StoppingRuleName = keyof StoppingRules;
export const STOPPING_RULE_NAMES = ['coverageSaturation', 'uncertaintyPlateau', 'stablePredictions'] as const satisfies readonly StoppingRuleName[];

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

/** The signals of one round the rules read; an absent one cannot be measured that round. */
export interface RuleSignals {
  /** Share of centrality mass covered by the labeled set. */
  coverage?: number;
  /** Mean least confidence over the unlabeled pool. */
  uncertainty?: number;
  /** Cohen's kappa between this round's predictions and the previous round's. */
  kappa?: number;
}

/**
 * Whether `rule` holds at round i (≥ 1) of `series` (rounds in order); undefined when it cannot be
 * measured there (a signal missing this round or the one before).
 */
export function ruleHolds(rule: StoppingRuleName, series: readonly RuleSignals[], i: number, rules: StoppingRules = DEFAULT_STOPPING_RULES): boolean | undefined {
  const now = series[i];
  const before = series[i - 1];
  if (now === undefined || before === undefined) return undefined;
  switch (rule) {
    case 'coverageSaturation':
      return now.coverage === undefined || before.coverage === undefined ? undefined : now.coverage - before.coverage < rules.coverageSaturation.minGain;
    case 'uncertaintyPlateau':
      return now.uncertainty === undefined || before.uncertainty === undefined
        ? undefined
        : Math.abs(now.uncertainty - before.uncertainty) < rules.uncertaintyPlateau.epsilon;
    case 'stablePredictions':
      return now.kappa === undefined ? undefined : now.kappa >= rules.stablePredictions.kappa;
  }
}

/** Consecutive rounds required by `rule`. */
export function ruleRounds(rule: StoppingRuleName, rules: StoppingRules = DEFAULT_STOPPING_RULES): number {
  return rules[rule].rounds;
}

/**
 * The first index i (≥ 1) at which the rule has held for its `rounds` consecutive rounds ending at i
 * (when a simulated campaign would have stopped); an unmeasurable round breaks the streak.
 */
export function firstMet(rule: StoppingRuleName, series: readonly RuleSignals[], rules: StoppingRules = DEFAULT_STOPPING_RULES): number | undefined {
  let streak = 0;
  for (let i = 1; i < series.length; i += 1) {
    streak = ruleHolds(rule, series, i, rules) === true ? streak + 1 : 0;
    if (streak >= ruleRounds(rule, rules)) return i;
  }
  return undefined;
}

/** How many rounds, counted back from the last, the rule has held without a break (the live campaign's view). */
export function trailingStreak(rule: StoppingRuleName, series: readonly RuleSignals[], rules: StoppingRules = DEFAULT_STOPPING_RULES): number {
  let streak = 0;
  for (let i = series.length - 1; i >= 1 && ruleHolds(rule, series, i, rules) === true; i -= 1) streak += 1;
  return streak;
}
