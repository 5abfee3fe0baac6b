/**
 * kgal's predicted choice for Label Studio tasks. With a trained classifier: its most probable class among
 * the config's choices, and its probability (the confidence that orders tasks outside kgal's batch). In cold
 * start (fewer than two classes labeled) there is no classifier yet, so the choice is zero-shot: the choice
 * whose name, embedded by the same transformer, is closest to the text (no confidence claimed). Items without
 * an embedding get no prediction.
 */
import type { TextEmbedder } from '../embeddings/text-embedder.js';
import type { ModelCache } from '../model/model-cache.js';
import { rowOf, stackRows } from '../model/matrix.js';
import { predictProbaMany } from '../model/pool-probabilities.js';
import { loadEmbeddedPool, trainPoolModel, type PoolModel } from '../model/pool-model.js';
import type { GraphStore } from '../store/graph-store.js';

export interface TaskPrediction {
  choice: string;
  /** The classifier's probability of `choice`; absent for a zero-shot choice. */
  confidence?: number;
  source: 'model' | 'zero-shot';
}

export interface PredictionContext {
  store: GraphStore;
  modelCache?: ModelCache;
  /** Loads the transformer for zero-shot choices (only in cold start). */
  embedder: () => Promise<TextEmbedder>;
}

/** One entry per id (undefined: no embedding yet), in the order of `ids`. */
export async function predictChoices(context: PredictionContext, ids: readonly string[], choices: readonly string[]): Promise<{ predictions: Array<TaskPrediction | undefined>; model: PoolModel }> {
  const pool = await loadEmbeddedPool(context.store);
  const model = context.modelCache ? context.modelCache.get(pool, { committee: false }).model : trainPoolModel(pool, { committee: false });
  const rowOfId = new Map(pool.ids.map((id, row) => [id, row]));
  const present = ids.map((id) => rowOfId.get(id));
  const rows = present.filter((r): r is number => r !== undefined);
  const X = stackRows(rows.map((r) => rowOf(pool.embeddings, r)), pool.embeddings.cols);
  const predictions: Array<TaskPrediction | undefined> = new Array(ids.length).fill(undefined);
  if (rows.length === 0) return { predictions, model };

  const allowed = new Set(choices);
  if (model.status === 'trained' && model.classNames.some((c) => allowed.has(c))) {
    const [P] = await predictProbaMany([model.classifier], X);
    let k = 0;
    present.forEach((row, i) => {
      if (row === undefined) return;
      let best = -1;
      for (let c = 0; c < model.classNames.length; c += 1) {
        if (!allowed.has(model.classNames[c]!)) continue;
        if (best < 0 || P!.data[k * P!.cols + c]! > P!.data[k * P!.cols + best]!) best = c;
      }
      predictions[i] = { choice: model.classNames[best]!, confidence: P!.data[k * P!.cols + best]!, source: 'model' };
      k += 1;
    });
    return { predictions, model };
  }

  // Cold start: nearest choice name (unit vectors: the dot product is the cosine).
  const embedder = await context.embedder();
  const names = await embedder.embed(choices);
  let k = 0;
  present.forEach((row, i) => {
    if (row === undefined) return;
    const x = rowOf(X, k);
    let best = 0;
    let bestSim = -Infinity;
    for (let c = 0; c < choices.length; c += 1) {
      const y = rowOf(names, c);
      let sim = 0;
      for (let d = 0; d < x.length; d += 1) sim += x[d]! * y[d]!;
      if (sim > bestSim) {
        bestSim = sim;
        best = c;
      }
    }
    predictions[i] = { choice: choices[best]!, source: 'zero-shot' };
    k += 1;
  });
  return { predictions, model };
}
