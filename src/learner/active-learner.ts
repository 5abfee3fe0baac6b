import { refreshEntityAnalytics, type GraphStateOptions, type RefreshReport } from '../analytics/graph-state.js';
import { embedPendingItems, type EmbedItemsReport } from '../embeddings/embed-items.js';
import { embedderConfigFromEnv, type EmbedderConfig } from '../embeddings/embedder-config.js';
import type { TextEmbedder } from '../embeddings/text-embedder.js';
import { TransformersEmbedder } from '../embeddings/transformers-embedder.js';
import { ingestPool, ingestRows, type IngestOptions, type IngestReport } from '../ingest/ingest-pool.js';
import type { Progress } from '../ingest/progress.js';
import { loadEmbeddedPool, trainPoolModel, type PoolModel, type PoolModelOptions } from '../model/pool-model.js';
import { queryPool, type QueryOptions, type QueryResult } from '../selector/query-pool.js';
import type { GraphStore, LabelAssignment, StoreStats } from '../store/graph-store.js';
import { MemoryGraphStore } from '../store/memory-store.js';
import type { Neo4jConnection } from '../store/neo4j-store.js';
import { openStore } from '../store/open-store.js';

export interface ActiveLearnerOptions {
  /** Use this store; otherwise Neo4j when `neo4j` is given, an embedded store in `dataDir`, or in memory only. */
  store?: GraphStore;
  neo4j?: Neo4jConnection;
  dataDir?: string;
  /** Embedder for `embed()`; default: the local transformer from the environment (see docs/model.md). */
  embedder?: TextEmbedder;
  embedderConfig?: Partial<EmbedderConfig>;
  progress?: Progress;
}

/**
 * kgal as a library, in the spirit of modAL's ActiveLearner: `ingest` a pool, `embed` it, `query(n)` the
 * next batch with explanations, `teach(labels)`, repeat. Works over either store.
 */
export class ActiveLearner {
  private embedder: TextEmbedder | undefined;

  private constructor(
    readonly store: GraphStore,
    private readonly options: ActiveLearnerOptions,
  ) {
    this.embedder = options.embedder;
  }

  static async open(options: ActiveLearnerOptions = {}): Promise<ActiveLearner> {
    if (options.store) return new ActiveLearner(options.store, options);
    if (options.neo4j) return new ActiveLearner(await openStore({ neo4j: options.neo4j, dataDir: '' }), options);
    return new ActiveLearner(await MemoryGraphStore.open(options.dataDir ? { dataDir: options.dataDir } : {}), options);
  }

  /** Adds or updates items: rows `{id, text, label?, ...meta}` or pool files (JSONL/CSV). */
  async ingest(
    input: ReadonlyArray<Record<string, unknown>> | { files: string[] },
    options: Omit<IngestOptions, 'files' | 'progress'> = {},
  ): Promise<IngestReport> {
    const withProgress = this.options.progress ? { ...options, progress: this.options.progress } : options;
    return 'files' in input ? ingestPool(this.store, { ...withProgress, files: input.files }) : ingestRows(this.store, input, withProgress);
  }

  /** Embeds every item whose embedding is missing or stale. */
  async embed(): Promise<EmbedItemsReport> {
    const config = { ...embedderConfigFromEnv(), ...this.options.embedderConfig };
    this.embedder ??= await TransformersEmbedder.load(config);
    return embedPendingItems(this.store, this.embedder, {
      batchSize: config.batchSize,
      ...(this.options.progress ? { progress: this.options.progress } : {}),
    });
  }

  /** The next `n` items to label, each with the reason it was chosen. */
  async query(n: number, options: Omit<QueryOptions, 'batchSize'> = {}): Promise<QueryResult> {
    return queryPool(this.store, { ...options, batchSize: n });
  }

  /** Labels items (all or nothing); the next query learns from them. */
  async teach(labels: readonly LabelAssignment[]): Promise<void> {
    await this.store.setLabels(labels);
  }

  /** Trains the classifier and committee now (query does this itself) to inspect them. */
  async model(options: PoolModelOptions = {}): Promise<PoolModel> {
    return trainPoolModel(await loadEmbeddedPool(this.store), options);
  }

  /** Recomputes centrality, communities and gaps and writes them to the store's entities. */
  async refreshGraph(options: GraphStateOptions = {}): Promise<RefreshReport> {
    return refreshEntityAnalytics(this.store, options);
  }

  async stats(): Promise<StoreStats> {
    return this.store.stats();
  }

  async close(): Promise<void> {
    await this.embedder?.dispose();
    if (!this.options.store) await this.store.close();
  }
}
