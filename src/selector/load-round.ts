/**
 * Stage 1 of a query: everything the round is chosen from, read from the store once. The entity graph and
 * the labeled items' coverage, the embedded pool, the classifier when one can be trained (and the committee
 * when the strategy needs one), the pool's class probabilities, and the items leased to anyone.
 */
import type { CentralityMeasure } from '../../graph/centrality.js';
import type { DecayFunction } from '../../graph/coverage.js';
import { loadGraphState, type GraphState } from '../analytics/graph-state.js';
import type { ModelCache } from '../model/model-cache.js';
import { loadEmbeddedPool, trainPoolModel, type EmbeddedPool, type PoolModel } from '../model/pool-model.js';
import { predictProbaMany } from '../model/pool-probabilities.js';
import type { GraphStore, ItemSummary } from '../store/graph-store.js';
import { positionsIn, sameIds } from '../store/id-order.js';
import { ListingMemo } from '../store/listing-memo.js';
import { labelPositions } from '../analytics/label-positions.js';
import type { StrategyNeeds } from './strategy.js';
import type { PoolProbabilities } from './uncertainty-component.js';

export interface LoadRoundOptions {
  needs: StrategyNeeds;
  seed: number;
  /** Committee size. */
  members: number;
  decay?: DecayFunction;
  centrality?: CentralityMeasure;
  /** Reuse the model fitted for this label set (a server's queries); without it the model is fitted here. */
  modelCache?: ModelCache;
}

export interface LoadedRound {
  graph: GraphState;
  pool: EmbeddedPool;
  model: PoolModel;
  /** True when the model came from the cache (fitted by an earlier query or model-status call). */
  modelReused: boolean;
  /** The pool's class probabilities (rows of `pool.embeddings`), when a model was trained. */
  probabilities?: PoolProbabilities;
  /** Positions (into graph.items) of the unlabeled items. */
  unlabeledPositions: Int32Array;
  /** Each item's row in the pool's embedding matrix (−1 when not embedded), by position in graph.items. */
  rowOfItem: Int32Array;
  /** Every unlabeled item's metadata carries an external `uncertainty` (used instead of the model's). */
  externalUncertainty: boolean;
  /** Items leased to anyone when the round was loaded. */
  leased: Set<string>;
  millis: { graph: number; load: number; train: number; score: number };
}

export async function loadRound(store: GraphStore, options: LoadRoundOptions): Promise<LoadedRound> {
  const t0 = performance.now();
  // The embeddings are read while the graph state loads: a process's first query reads every vector (100k
  // × 384 floats over Bolt on Neo4j), and nothing in the graph state depends on them.
  const embedded = store.getEmbeddings();
  embedded.catch(() => undefined); // a failure is thrown by the await in loadEmbeddedPool, not reported twice
  const graph = await loadGraphState(store, { ...(options.centrality ? { centrality: options.centrality } : {}), ...(options.decay ? { decay: options.decay } : {}) });
  const t1 = performance.now();
  const pool = await loadEmbeddedPool(store, graph.items, embedded);
  const t2 = performance.now();
  const { items } = graph;
  const unlabeledPositions = labelPositions(items).unlabeled;
  const rowOfItem = rowsOfItems.get(
    pool.ids,
    [],
    () => ({
      items,
      // Both lists are in id order: a merge walk, no per-id hashing on million-item pools.
      rows: positionsIn(
        items.map((i) => i.id),
        pool.ids,
      ),
    }),
    (kept) => sameIds(kept.items, items), // labels do not move rows
  ).rows;
  const externalUncertainty = hasExternalUncertainty(unlabeledPositions, (p) => items[p]!.meta);
  let model: PoolModel = { status: 'untrained', reason: 'no embeddings: run `kgal embed`', labelCounts: {} };
  let probabilities: PoolProbabilities | undefined;
  let modelReused = false;
  let t3 = t2;
  // The classifier is trained whenever it can be, whatever the strategy: every pick carries its prediction.
  if (pool.ids.length > 0) {
    const request = { seed: options.seed, members: options.members, committee: options.needs.committee === true };
    if (options.modelCache) ({ model, reused: modelReused } = options.modelCache.get(pool, request));
    else model = trainPoolModel(pool, request);
    t3 = performance.now();
    if (model.status === 'trained') {
      // Every model the round needs scores the whole pool in one pass (ONNX Runtime for large pools).
      const members = model.committee?.members.map((m) => m.model) ?? [];
      const [classifier, ...committee] = await predictProbaMany([model.classifier, ...members], pool.embeddings);
      probabilities = { classifier: classifier!, ...(members.length > 0 ? { committee } : {}) };
    }
  }
  const leased = new Set((await store.activeLeases()).map((l) => l.itemId));
  const t4 = performance.now();
  return {
    graph,
    pool,
    model,
    modelReused,
    ...(probabilities ? { probabilities } : {}),
    unlabeledPositions,
    rowOfItem,
    externalUncertainty,
    leased,
    millis: { graph: t1 - t0, load: t2 - t1, train: t3 - t2, score: t4 - t3 },
  };
}

/** Each item's embedding row, per pool id listing and item listing (listing-memo.ts): read-only, shared between queries. */
const rowsOfItems = new ListingMemo<readonly string[], { items: readonly ItemSummary[]; rows: Int32Array }>();

/** True when every unlabeled item has a finite metadata `uncertainty` (an LLM's token entropy, say). */
function hasExternalUncertainty(positions: Int32Array, metaOf: (position: number) => Record<string, unknown>): boolean {
  if (positions.length === 0) return false;
  for (const p of positions) {
    const u = metaOf(p).uncertainty;
    if (typeof u !== 'number' || !Number.isFinite(u)) return false;
  }
  return true;
}
