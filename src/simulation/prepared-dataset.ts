import type { CentralityMeasure } from '../../graph/centrality.js';
import { refreshEntityAnalytics } from '../analytics/graph-state.js';
import { embeddingKey } from '../embeddings/embed-items.js';
import type { EntityExtractor } from '../entities/entity-extractor.js';
import type { KgFacts } from '../entities/extractor-config.js';
import type { Gazetteer } from '../entities/gazetteer.js';
import { defaultExtractor, ingestRows } from '../ingest/ingest-pool.js';
import { silentProgress, type Progress } from '../ingest/progress.js';
import type { Matrix } from '../model/matrix.js';
import { MemoryGraphStore } from '../store/memory-store.js';
import type { ExtractionCache } from './extraction-cache.js';
import { KnowledgeCoverageMeter } from './knowledge-coverage.js';
import { selectionRow, type GoldAnnotations, type LabeledExample } from './labeled-dataset.js';
import { captureSnapshot, type StoreSnapshot } from './store-snapshot.js';

/** Embeds texts (row i = texts[i], L2-normalised); the CLI passes a cached transformer, tests a fake. */
export interface SimulationEmbedder {
  readonly id: string;
  embedTexts(texts: readonly string[]): Promise<Matrix<Float32Array>>;
}

export interface PrepareOptions {
  /** Dataset name for reports (e.g. the pool file's base name). */
  dataset: string;
  pool: readonly LabeledExample[];
  eval: readonly LabeledExample[];
  embedder: SimulationEmbedder;
  /** External KG (TSV/JSONL triples) imported through the normal ingest path. */
  kgFile?: string;
  createExtractor?: (gazetteer: Gazetteer, kg: KgFacts) => EntityExtractor;
  /** Reuses the entity mentions of an earlier run on the same texts (same extractor, same KG). */
  extractionCache?: ExtractionCache;
  centrality?: CentralityMeasure;
  progress?: Progress;
}

/**
 * A dataset made ready once for every strategy and repeat: the oracle's answers (labels, gold) kept
 * aside, the selection store's snapshot (ids and texts only, entities extracted, embedded, entity graph
 * analysed), the embeddings the models train on, and the knowledge-coverage meter.
 */
export interface PreparedDataset {
  dataset: string;
  embedderId: string;
  pool: readonly LabeledExample[];
  eval: readonly LabeledExample[];
  /** Row i = pool[i]. */
  poolEmbeddings: Matrix<Float32Array>;
  /** Row i = eval[i]. */
  evalEmbeddings: Matrix<Float32Array>;
  snapshot: StoreSnapshot;
  coverage: KnowledgeCoverageMeter;
  kgFile?: string;
  millis: { ingest: number; embed: number; graph: number };
}

export async function prepareDataset(options: PrepareOptions): Promise<PreparedDataset> {
  const progress = options.progress ?? silentProgress;
  checkDisjoint(options.pool, options.eval);
  const t0 = performance.now();
  const store = await MemoryGraphStore.open({});
  try {
    // Fair evaluation: the store selection reads gets ids and texts only (no label, no gold field).
    const createExtractor = options.createExtractor ?? defaultExtractor;
    const cache = options.extractionCache;
    await ingestRows(store, options.pool.map(selectionRow), {
      source: options.dataset,
      progress,
      ...(options.kgFile ? { kgFile: options.kgFile } : {}),
      createExtractor: cache ? (gazetteer, kg) => cache.wrap(createExtractor(gazetteer, kg)) : createExtractor,
    });
    await cache?.save();
    const t1 = performance.now();
    const texts = [...options.pool.map((e) => e.text), ...options.eval.map((e) => e.text)];
    const all = await options.embedder.embedTexts(texts);
    if (all.rows !== texts.length) throw new Error(`embedder returned ${all.rows} rows for ${texts.length} texts`);
    const cut = options.pool.length * all.cols;
    const poolEmbeddings: Matrix<Float32Array> = { rows: options.pool.length, cols: all.cols, data: all.data.subarray(0, cut) };
    const evalEmbeddings: Matrix<Float32Array> = { rows: options.eval.length, cols: all.cols, data: all.data.subarray(cut) };
    await store.setEmbeddings(
      options.pool.map((example, row) => ({
        id: example.id,
        key: embeddingKey(options.embedder.id, example.text),
        vector: poolEmbeddings.data.subarray(row * all.cols, (row + 1) * all.cols),
      })),
    );
    const t2 = performance.now();
    await refreshEntityAnalytics(store, options.centrality ? { centrality: options.centrality } : {});
    const snapshot = await captureSnapshot(store);
    const t3 = performance.now();
    const goldByItem = new Map<string, GoldAnnotations>();
    for (const example of options.pool) if (example.gold) goldByItem.set(example.id, example.gold);
    const coverage = new KnowledgeCoverageMeter({
      entitiesByItem: new Map(snapshot.items.map((item) => [item.id, item.mentions.map((m) => m.key)])),
      centrality: new Map((snapshot.analytics?.rows ?? []).map((r) => [r.key, r.centrality])),
      goldByItem,
    });
    const prepared: PreparedDataset = {
      dataset: options.dataset,
      embedderId: options.embedder.id,
      pool: options.pool,
      eval: options.eval,
      poolEmbeddings,
      evalEmbeddings,
      snapshot,
      coverage,
      millis: { ingest: t1 - t0, embed: t2 - t1, graph: t3 - t2 },
    };
    if (options.kgFile) prepared.kgFile = options.kgFile;
    return prepared;
  } finally {
    await store.close();
  }
}

function checkDisjoint(pool: readonly LabeledExample[], evaluation: readonly LabeledExample[]): void {
  const poolIds = new Set(pool.map((e) => e.id));
  if (poolIds.size !== pool.length) throw new RangeError('pool ids must be unique');
  const shared = evaluation.filter((e) => poolIds.has(e.id)).map((e) => e.id);
  if (shared.length > 0) throw new RangeError(`evaluation items must not be in the pool: ${shared.slice(0, 5).join(', ')}${shared.length > 5 ? ', ...' : ''}`);
}
