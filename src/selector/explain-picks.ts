/**
 * Stage 4 (part): what a pick says about itself. The component scores, the entities (gaps) it fills, largest
 * gap first, and the model's prediction so an annotator can confirm instead of type.
 */
import type { EntityIndex } from '../../graph/entity-index.js';
import type { Matrix } from '../model/matrix.js';
import type { ComponentReport, BatchPick } from './select-batch.js';

export interface ExplainedEntity {
  key: string;
  name: string;
  centrality: number;
  coverageBefore: number;
  gapBefore: number;
  community?: number;
}

/** The classifier's prediction for an item: its most probable class and every class's probability. */
export interface PickPrediction {
  label: string;
  probability: number;
  /** Class → probability, most probable first. */
  probabilities: Record<string, number>;
}

export interface ExplainedPick {
  id: string;
  text: string;
  rank: number;
  score: number;
  /** The strategy that chose the item (`auto:<preset>` when the bandit did, `cold-start` when a preset that needs a model had none). */
  strategy: string;
  components: Record<string, ComponentReport>;
  /** The entities the item mentions, largest gap first: the gaps it fills. */
  entities: ExplainedEntity[];
  /** The model's prediction (absent in cold start: no model yet). */
  prediction?: PickPrediction;
}

export interface PredictionSource {
  classNames: readonly string[];
  /** Class probabilities per pool row. */
  probabilities: Matrix<Float64Array>;
  /** The pool row of each candidate (picks refer to candidates by index). */
  candidateRows: Int32Array;
}

export function explainPick(
  pick: BatchPick,
  strategy: string,
  text: string,
  index: EntityIndex,
  names: Map<string, string>,
  predictions?: PredictionSource,
): ExplainedPick {
  const components: Record<string, ComponentReport> = {};
  for (const [name, value] of Object.entries(pick.components)) if (value) components[name] = value;
  const explained: ExplainedPick = {
    id: pick.id,
    text,
    rank: pick.rank,
    score: pick.score,
    strategy,
    components,
    entities: pick.entities.map((e) => {
      const key = index.key(e.entity);
      const entry: ExplainedEntity = { key, name: names.get(key) ?? key, centrality: e.centrality, coverageBefore: e.coverageBefore, gapBefore: e.gapBefore };
      if (e.community !== undefined) entry.community = e.community;
      return entry;
    }),
  };
  const prediction = predictions ? predictionOf(predictions, predictions.candidateRows[pick.candidate]) : undefined;
  if (prediction) explained.prediction = prediction;
  return explained;
}

function predictionOf(source: PredictionSource, row: number | undefined): PickPrediction | undefined {
  if (row === undefined || row < 0) return undefined;
  const { cols, data } = source.probabilities;
  const order = source.classNames.map((_, c) => c).sort((a, b) => data[row * cols + b]! - data[row * cols + a]! || a - b);
  const best = order[0]!;
  return {
    label: source.classNames[best]!,
    probability: data[row * cols + best]!,
    probabilities: Object.fromEntries(order.map((c) => [source.classNames[c]!, data[row * cols + c]!])),
  };
}
