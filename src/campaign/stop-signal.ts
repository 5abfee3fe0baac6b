/**
 * The stop signal of a live campaign: the simulations' stopping rules (stopping-rules.ts) evaluated on the
 * rounds recorded so far, each with what it saw, and one plain sentence for the lead.
 */
import {
  DEFAULT_STOPPING_RULES,
  STOPPING_RULE_NAMES,
  ruleHolds,
  trailingStreak,
  type RuleSignals,
  type StoppingRuleName,
  type StoppingRules,
} from './stopping-rules.js';

/** One recorded round of the live campaign (a snapshot taken when a query saw a new labeled set). */
export interface CampaignRound {
  /** 1, 2, ... */
  round: number;
  /** ISO 8601. */
  at: string;
  /** Labeled items at that round. */
  labeled: number;
  /** Share of the entity graph's centrality mass covered by labeled items (0..1). */
  coverage: number;
  /** Mean least confidence (1 − max p) of the model over the unlabeled embedded pool; null without a model. */
  meanUncertainty: number | null;
  /** Cohen's kappa between this round's and the previous round's predictions on the stop set; null when either had no model. */
  kappa: number | null;
}

export interface StopRuleStatus {
  rule: StoppingRuleName;
  met: boolean;
  detail: string;
}

export interface StopSignal {
  stop: boolean;
  sentence: string;
  rules: StopRuleStatus[];
}

/** The rounds as the rules read them (null: not measurable that round). */
export function roundSignals(rounds: readonly CampaignRound[]): RuleSignals[] {
  return rounds.map((r) => ({
    coverage: r.coverage,
    ...(r.meanUncertainty !== null ? { uncertainty: r.meanUncertainty } : {}),
    ...(r.kappa !== null ? { kappa: r.kappa } : {}),
  }));
}

const pts = (share: number): string => `${(100 * share).toFixed(1)} pts`;

/**
 * Evaluates every rule on the rounds (oldest first). The campaign should stop when the model has settled
 * (stable predictions, or an uncertainty plateau) and the labels no longer add knowledge coverage: a model
 * that stopped changing while coverage still grows would leave central entities unlabeled.
 */
export function evaluateStopSignal(rounds: readonly CampaignRound[], rules: StoppingRules = DEFAULT_STOPPING_RULES): StopSignal {
  const series = roundSignals(rounds);
  const statuses = STOPPING_RULE_NAMES.map((rule) => ruleStatus(rule, rounds, series, rules));
  const met = (rule: StoppingRuleName): boolean => statuses.find((s) => s.rule === rule)!.met;
  const settled = met('stablePredictions') || met('uncertaintyPlateau');
  const stop = settled && met('coverageSaturation');
  return { stop, sentence: stopSentence(rounds, series, rules, met), rules: statuses };
}

function ruleStatus(rule: StoppingRuleName, rounds: readonly CampaignRound[], series: readonly RuleSignals[], rules: StoppingRules): StopRuleStatus {
  const need = rules[rule].rounds;
  const streak = trailingStreak(rule, series, rules);
  const met = streak >= need;
  const last = rounds.length - 1;
  const measurable = last >= 1 && ruleHolds(rule, series, last, rules) !== undefined;
  let detail: string;
  switch (rule) {
    case 'coverageSaturation': {
      const threshold = `below ${pts(rules.coverageSaturation.minGain)} per round for ${need} rounds`;
      detail = measurable
        ? `coverage ${pts(rounds[last]!.coverage)}, ${signedPts(rounds[last]!.coverage - rounds[last - 1]!.coverage)} in the last round; gain ${threshold}: ${streak} of ${need}`
        : `needs two rounds to measure coverage gain (${rounds.length} so far); stops at gain ${threshold}`;
      break;
    }
    case 'uncertaintyPlateau': {
      const threshold = `changing by less than ${rules.uncertaintyPlateau.epsilon} for ${need} rounds`;
      detail = measurable
        ? `mean pool uncertainty ${rounds[last]!.meanUncertainty!.toFixed(3)} (was ${rounds[last - 1]!.meanUncertainty!.toFixed(3)}); ${threshold}: ${streak} of ${need}`
        : `needs a trained model in two consecutive rounds; stops at uncertainty ${threshold}`;
      break;
    }
    case 'stablePredictions': {
      const threshold = `kappa ≥ ${rules.stablePredictions.kappa} for ${need} rounds`;
      detail = measurable
        ? `kappa ${rounds[last]!.kappa!.toFixed(3)} between the last two rounds' predictions on the stop set; ${threshold}: ${streak} of ${need}`
        : `needs a trained model in two consecutive rounds; stops at ${threshold}`;
      break;
    }
  }
  return { rule, met, detail };
}

function signedPts(delta: number): string {
  return `${delta >= 0 ? '+' : '−'}${pts(Math.abs(delta))}`;
}

/** Mean coverage gain per round over the last `k` rounds (or as many as there are). */
function recentGain(rounds: readonly CampaignRound[], k: number): number {
  const last = rounds.length - 1;
  const first = Math.max(0, last - k);
  return last > first ? (rounds[last]!.coverage - rounds[first]!.coverage) / (last - first) : 0;
}

function stopSentence(rounds: readonly CampaignRound[], series: readonly RuleSignals[], rules: StoppingRules, met: (rule: StoppingRuleName) => boolean): string {
  if (rounds.length === 0) return 'no rounds yet: label some items and ask for the next batch (a round is recorded at each query after the labels change)';
  if (rounds.length === 1) return 'keep labeling: one round so far, the rules compare consecutive rounds';
  const coverageDone = met('coverageSaturation');
  const gain = recentGain(rounds, rules.coverageSaturation.rounds);
  const stableFor = trailingStreak('stablePredictions', series, rules);
  const plateauFor = trailingStreak('uncertaintyPlateau', series, rules);
  const model = met('stablePredictions')
    ? `predictions have been stable for ${stableFor} rounds`
    : met('uncertaintyPlateau')
      ? `the model's uncertainty has not moved for ${plateauFor} rounds`
      : undefined;
  const span = Math.min(rules.coverageSaturation.rounds, rounds.length - 1);
  const growth = `coverage grew ${pts(gain)} per round over the last ${span === 1 ? 'round' : `${span} rounds`}`;
  if (model && coverageDone) return `stop: ${model} and knowledge coverage has stopped growing (${pts(gain)} per round); further labels are unlikely to change the model`;
  if (model) return `keep labeling for knowledge: ${model}, but ${growth}`;
  const lastKappa = rounds[rounds.length - 1]!.kappa;
  const need = rules.stablePredictions.rounds;
  const why =
    lastKappa === null
      ? 'there is no model to compare yet (it needs embedded items labeled with at least two classes, in two rounds)'
      : stableFor > 0
        ? `predictions have been stable for ${stableFor} of the ${need} rounds needed`
        : `predictions still change (kappa ${lastKappa.toFixed(3)} between the last two rounds)`;
  if (!coverageDone) return `keep labeling: ${growth} and ${why}`;
  return `keep labeling: knowledge coverage has saturated, but ${why}`;
}
