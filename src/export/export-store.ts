/**
 * What an export reads from the store: items, label histories and, when asked for, the model's
 * predictions for the unlabeled embedded items (the classifier trained on the current labels).
 */
import { loadEmbeddedPool, trainPoolModel, type EmbeddedPool, type PoolModel } from '../model/pool-model.js';
import { rowMaxima } from '../model/matrix.js';
import { predictProbaMany } from '../model/pool-probabilities.js';
import type { GraphStore } from '../store/graph-store.js';
import { exportRows, type ExportPrediction, type ExportRow } from './export-rows.js';

export interface ExportOptions {
  /** Add the model's predicted label and probability for the unlabeled items. */
  predictions?: boolean;
  /** How to get the classifier for the pool's labels (default: train it now); a server passes its model cache. */
  fitModel?: (pool: EmbeddedPool) => PoolModel;
}

export interface CollectedExport {
  rows: ExportRow[];
  labeled: number;
  /** With `predictions`: how many unlabeled items got one, or why none did. */
  predictions?: { predicted: number; trainedOn: number } | { predicted: 0; reason: string };
}

export async function collectExport(store: GraphStore, options: ExportOptions = {}): Promise<CollectedExport> {
  const [items, events] = await Promise.all([store.listItems(), store.listLabelEvents()]);
  let predicted: Map<string, ExportPrediction> | undefined;
  let summary: CollectedExport['predictions'];
  if (options.predictions) {
    const pool = await loadEmbeddedPool(store, items);
    const model = (options.fitModel ?? ((p) => trainPoolModel(p, { committee: false })))(pool);
    if (model.status === 'trained') {
      predicted = await unlabeledPredictions(pool, model);
      summary = { predicted: predicted.size, trainedOn: model.trainedOn };
    } else {
      summary = { predicted: 0, reason: model.reason };
    }
  }
  const rows = [...exportRows(items, events, predicted)];
  const collected: CollectedExport = { rows, labeled: rows.filter((r) => r.label !== undefined).length };
  if (summary) collected.predictions = summary;
  return collected;
}

/** The classifier's most probable label (and its probability) for every unlabeled embedded item. */
async function unlabeledPredictions(pool: EmbeddedPool, model: Extract<PoolModel, { status: 'trained' }>): Promise<Map<string, ExportPrediction>> {
  const [P] = await predictProbaMany([model.classifier], pool.embeddings);
  const best = rowMaxima(P!);
  const out = new Map<string, ExportPrediction>();
  for (let row = 0; row < pool.ids.length; row += 1) {
    if (pool.labels[row] !== undefined) continue;
    out.set(pool.ids[row]!, { label: model.classNames[best.index[row]!]!, probability: best.value[row]! });
  }
  return out;
}
