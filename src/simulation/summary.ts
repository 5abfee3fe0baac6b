import { labelsToReach, meanStd, normalisedAulc, type MeanStd } from './metrics.js';
import type { RoundSignals } from './oracle-campaign.js';
import { COVERAGE_COLUMNS, type RoundRow } from './round-row.js';
import { orderStrategies } from './strategy-style.js';
import { DEFAULT_STOPPING_RULES, STOPPING_CRITERIA, stoppingPoints, type StopPoint, type StoppingCriterion, type StoppingRules } from './stopping-criteria.js';

export interface LabelsToMatch extends MeanStd {
  /** Repeats in which the strategy reached the baseline's final accuracy at all (the mean is over these). */
  reached: number;
}

export interface StoppingSummary {
  /** Repeats in which the criterion fired. */
  fired: number;
  labels: MeanStd;
  accuracy: MeanStd;
}

export interface StrategySummary {
  strategy: string;
  repeats: number;
  finalLabels: MeanStd;
  /** Normalised area under the accuracy-vs-labels curve (the curve's mean accuracy). */
  aulc: MeanStd;
  /** The same for macro-F1. */
  aulcMacroF1: MeanStd;
  finalAccuracy: MeanStd;
  finalMacroF1: MeanStd;
  /**
   * Per repeat: the first labeled-set size at which accuracy reaches the baseline's (random's) final
   * accuracy of the same repeat (same split, seed and initial set).
   */
  labelsToMatchRandom: LabelsToMatch;
  /** Per repeat: the baseline's final label count / labelsToMatchRandom (repeats that reached it). */
  speedup: MeanStd;
  /** The same on the mean curves (accuracy averaged over repeats per round): less sensitive to one noisy round. */
  meanCurve: { labelsToMatchRandom?: number; speedup?: number };
  /** Knowledge coverage of the final labeled set (absent where the run has no such column, e.g. modAL). */
  centralityCoverage?: MeanStd;
  entityCoverage?: MeanStd;
  goldEntityCoverage?: MeanStd;
  goldTripleCoverage?: MeanStd;
  goldTripleEndpointCoverage?: MeanStd;
  /** Mean wall time per query round (selection + training + evaluation), ms. */
  millisPerRound?: MeanStd;
  stopping: Partial<Record<StoppingCriterion, StoppingSummary>>;
}

export interface SimulationSummary {
  dataset?: string;
  /** The strategy labelsToMatchRandom compares against (`random`, else `modal-random`). */
  baseline?: string;
  baselineFinalAccuracy?: MeanStd;
  stoppingRules: StoppingRules;
  strategies: StrategySummary[];
}

export interface SummaryOptions {
  dataset?: string;
  baseline?: string;
  stoppingRules?: StoppingRules;
}

type Runs = Map<number, RoundRow[]>;

/** Rows grouped by strategy (first-appearance order), then by repeat, each run sorted by round. */
export function groupRuns(rows: readonly RoundRow[]): Map<string, Runs> {
  const groups = new Map<string, Runs>();
  for (const row of rows) {
    let runs = groups.get(row.strategy);
    if (!runs) groups.set(row.strategy, (runs = new Map()));
    const run = runs.get(row.repeat);
    if (run) run.push(row);
    else runs.set(row.repeat, [row]);
  }
  for (const runs of groups.values()) for (const run of runs.values()) run.sort((a, b) => a.round - b.round);
  return groups;
}

/** Mean accuracy per labeled-set size over the runs (sizes every run has). */
export function meanCurve(runs: Runs, metric: 'accuracy' | 'macroF1' = 'accuracy'): { labels: number[]; values: number[] } {
  const byLabels = new Map<number, number[]>();
  for (const run of runs.values()) for (const row of run) (byLabels.get(row.labels) ?? byLabels.set(row.labels, []).get(row.labels)!).push(row[metric]);
  const labels = [...byLabels.keys()].filter((l) => byLabels.get(l)!.length === runs.size).sort((a, b) => a - b);
  return { labels, values: labels.map((l) => meanStd(byLabels.get(l)!).mean) };
}

/** The per-strategy summary of a set of rounds (kgal's and any peer's rows alike). */
export function summarizeRounds(rows: readonly RoundRow[], signals: readonly RoundSignals[] = [], options: SummaryOptions = {}): SimulationSummary {
  const groups = groupRuns(rows);
  const rules = options.stoppingRules ?? DEFAULT_STOPPING_RULES;
  const baseline = options.baseline ?? (groups.has('random') ? 'random' : groups.has('modal-random') ? 'modal-random' : undefined);
  const baselineRuns = baseline ? groups.get(baseline) : undefined;
  const baselineFinal = new Map([...(baselineRuns ?? new Map<number, RoundRow[]>())].map(([repeat, run]) => [repeat, run[run.length - 1]!]));
  const baselineCurve = baselineRuns ? meanCurve(baselineRuns) : undefined;
  const signalsByRun = new Map<string, RoundSignals[]>();
  for (const s of signals) {
    const key = `${s.strategy}\u0000${s.repeat}`;
    (signalsByRun.get(key) ?? signalsByRun.set(key, []).get(key)!).push(s);
  }

  // Legend order of the charts: kgal's presets as in presets.ts, others, peers' runs last.
  const strategies = orderStrategies(groups.keys()).map((strategy): StrategySummary => {
    const runs = groups.get(strategy)!;
    const list = [...runs.entries()].sort(([a], [b]) => a - b);
    const finals = list.map(([, run]) => run[run.length - 1]!);
    const matches = list.map(([repeat, run]) => {
      const target = baselineFinal.get(repeat);
      if (!target) return undefined;
      const labels = labelsToReach(run.map((r) => r.labels), run.map((r) => r.accuracy), target.accuracy);
      return labels === undefined ? undefined : { labels, speedup: target.labels / Math.max(labels, 1) };
    });
    const reached = matches.filter((m): m is { labels: number; speedup: number } => m !== undefined);
    const summary: StrategySummary = {
      strategy,
      repeats: runs.size,
      finalLabels: meanStd(finals.map((r) => r.labels)),
      aulc: meanStd(list.map(([, run]) => normalisedAulc(run.map((r) => r.labels), run.map((r) => r.accuracy)))),
      aulcMacroF1: meanStd(list.map(([, run]) => normalisedAulc(run.map((r) => r.labels), run.map((r) => r.macroF1)))),
      finalAccuracy: meanStd(finals.map((r) => r.accuracy)),
      finalMacroF1: meanStd(finals.map((r) => r.macroF1)),
      labelsToMatchRandom: { ...meanStd(reached.map((m) => m.labels)), reached: reached.length },
      speedup: meanStd(reached.map((m) => m.speedup)),
      meanCurve: {},
      stopping: {},
    };
    if (baselineCurve && baselineCurve.labels.length > 0) {
      const curve = meanCurve(runs);
      const target = baselineCurve.values[baselineCurve.values.length - 1]!;
      const labels = labelsToReach(curve.labels, curve.values, target);
      if (labels !== undefined) summary.meanCurve = { labelsToMatchRandom: labels, speedup: baselineCurve.labels[baselineCurve.labels.length - 1]! / Math.max(labels, 1) };
    }
    for (const field of COVERAGE_COLUMNS) {
      const values = finals.map((r) => r[field]).filter((v): v is number => v !== undefined);
      if (values.length > 0) summary[field] = meanStd(values);
    }
    const millis = list.flatMap(([, run]) => run.filter((r) => r.round > 0 && r.millis !== undefined).map((r) => r.millis!));
    if (millis.length > 0) summary.millisPerRound = meanStd(millis);
    const stops = list.map(([repeat, run]) => stoppingPoints(run, signalsByRun.get(`${strategy}\u0000${repeat}`) ?? [], rules));
    for (const criterion of STOPPING_CRITERIA) {
      const fired = stops.map((s) => s[criterion]).filter((p): p is StopPoint => p !== undefined);
      if (fired.length === 0) continue;
      summary.stopping[criterion] = { fired: fired.length, labels: meanStd(fired.map((p) => p.labels)), accuracy: meanStd(fired.map((p) => p.accuracy)) };
    }
    return summary;
  });

  const result: SimulationSummary = { stoppingRules: rules, strategies };
  if (options.dataset) result.dataset = options.dataset;
  if (baseline && baselineRuns) {
    result.baseline = baseline;
    result.baselineFinalAccuracy = meanStd([...baselineFinal.values()].map((r) => r.accuracy));
  }
  return result;
}
