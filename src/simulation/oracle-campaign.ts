import type { CentralityMeasure } from '../../graph/centrality.js';
import type { DecayFunction } from '../../graph/coverage.js';
import type { ComponentWeights, PresetName } from '../selector/presets.js';
import { queryPool } from '../selector/query-pool.js';
import type { KnowledgeRoom } from '../selector/strategy.js';
import { cohensKappa } from './metrics.js';
import type { PreparedDataset } from './prepared-dataset.js';
import { evaluateLabeledSet, type EvaluationData } from './round-evaluation.js';
import type { RoundRow } from './round-row.js';
import { restoreSnapshot } from './store-snapshot.js';

/** Per-round signals the stopping criteria read beside a RoundRow (written to round-signals.csv). */
export interface RoundSignals {
  strategy: string;
  repeat: number;
  round: number;
  labels: number;
  /** Mean least confidence (1 − max p) of the evaluated model over the unlabeled pool. */
  poolUncertainty?: number;
  /** Cohen's kappa between this round's and the previous round's predictions on the pool. */
  predictionKappa?: number;
  /** kg-guided: the entity–label evidence s when it chose this round's batch (its `knowledgeRoom`). */
  knowledgeEvidence?: number;
  /** kg-guided: how many of the most uncertain candidates this round's batch was chosen among. */
  knowledgeShortlist?: number;
}

export interface SelectionSettings {
  weights?: Partial<ComponentWeights>;
  decay?: DecayFunction;
  centrality?: CentralityMeasure;
  /** Committee size for qbc/kl/bald/auto. */
  members?: number;
  /** Fixes kg-guided's shortlist factor (default: earned from the labels). */
  shortlist?: number;
}

export interface OracleCampaignOptions {
  /** Name written into the rows (defaults to the preset; e.g. `kg-guided+kg` for a variant). */
  label?: string;
  strategy: PresetName;
  repeat: number;
  seed: number;
  /** Labeled ids of round 0. */
  initialIds: readonly string[];
  /** Labeled-set size per round (labelSchedule). */
  schedule: readonly number[];
  selection?: SelectionSettings;
  /** Called after every evaluated round (progress). */
  onRound?: (row: RoundRow) => void;
}

export interface OracleCampaignResult {
  rows: RoundRow[];
  signals: RoundSignals[];
  /** Ids bought per round (round 0: the initial set). */
  picks: string[][];
}

/** Selection seed of one round: differs per round so `random` draws afresh, identical across strategies. */
export function roundSeed(seed: number, round: number): number {
  return seed * 100_003 + round;
}

/**
 * One simulated annotation campaign: a fresh in-memory store restored from the dataset's snapshot, the
 * initial labels, then per round kgal's real selector (`queryPool`, not recorded) picks the next batch,
 * the oracle labels it (the gold label, written with setLabels like an annotator would) and the
 * classifier is retrained and evaluated on the held-out split.
 */
export async function runOracleCampaign(prepared: PreparedDataset, options: OracleCampaignOptions): Promise<OracleCampaignResult> {
  const name = options.label ?? options.strategy;
  const rowById = new Map(prepared.pool.map((example, row) => [example.id, row]));
  const data: EvaluationData = {
    poolEmbeddings: prepared.poolEmbeddings,
    poolLabels: prepared.pool.map((e) => e.label),
    evalEmbeddings: prepared.evalEmbeddings,
    evalLabels: prepared.eval.map((e) => e.label),
  };
  const store = await restoreSnapshot(prepared.snapshot);
  const labeled: string[] = [];
  const labeledSet = new Set<string>();
  const result: OracleCampaignResult = { rows: [], signals: [], picks: [] };
  let previousPredictions: string[] | undefined;

  const buy = async (ids: readonly string[]): Promise<void> => {
    for (const id of ids) {
      if (!rowById.has(id)) throw new Error(`selection returned "${id}", which is not in the pool`);
      if (labeledSet.has(id)) throw new Error(`selection returned "${id}" a second time`);
      labeledSet.add(id);
      labeled.push(id);
    }
    if (ids.length > 0) await store.setLabels(ids.map((id) => ({ id, label: prepared.pool[rowById.get(id)!]!.label, annotator: 'oracle' })));
    result.picks.push([...ids]);
  };
  const evaluate = (round: number, millis: number, room?: KnowledgeRoom): void => {
    const evaluation = evaluateLabeledSet(data, labeled.map((id) => rowById.get(id)!));
    const row: RoundRow = {
      strategy: name,
      repeat: options.repeat,
      seed: options.seed,
      round,
      labels: labeled.length,
      accuracy: evaluation.accuracy,
      macroF1: evaluation.macroF1,
      ...prepared.coverage.measure(labeled),
      millis,
    };
    const signals: RoundSignals = { strategy: name, repeat: options.repeat, round, labels: labeled.length };
    if (evaluation.poolUncertainty !== undefined) signals.poolUncertainty = evaluation.poolUncertainty;
    if (evaluation.poolPredictions && previousPredictions) signals.predictionKappa = cohensKappa(previousPredictions, evaluation.poolPredictions);
    if (room?.evidence !== undefined) signals.knowledgeEvidence = room.evidence;
    if (room) signals.knowledgeShortlist = room.shortlist;
    previousPredictions = evaluation.poolPredictions;
    result.rows.push(row);
    result.signals.push(signals);
    options.onRound?.(row);
  };

  try {
    const started = performance.now();
    await buy(options.initialIds);
    evaluate(0, performance.now() - started);
    const selection = options.selection ?? {};
    for (let round = 1; round < options.schedule.length; round += 1) {
      const t0 = performance.now();
      const batchSize = options.schedule[round]! - labeled.length;
      if (batchSize <= 0) continue;
      const query = await queryPool(store, {
        batchSize,
        strategy: options.strategy,
        seed: roundSeed(options.seed, round),
        record: false,
        budget: options.schedule[options.schedule.length - 1]!,
        ...(selection.weights ? { weights: selection.weights } : {}),
        ...(selection.decay ? { decay: selection.decay } : {}),
        ...(selection.centrality ? { centrality: selection.centrality } : {}),
        ...(selection.members ? { members: selection.members } : {}),
        ...(selection.shortlist !== undefined ? { shortlist: selection.shortlist } : {}),
      });
      const ids = query.picks.map((p) => p.id);
      if (ids.length === 0) break; // pool exhausted
      await buy(ids);
      evaluate(round, performance.now() - t0, query.knowledgeRoom);
    }
  } finally {
    await store.close();
  }
  return result;
}
