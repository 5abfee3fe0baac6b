import type { Progress } from '../ingest/progress.js';
import type { GraphStore } from '../store/graph-store.js';
import { embedPendingItems, type EmbedItemsReport } from './embed-items.js';
import type { EmbedderConfig } from './embedder-config.js';
import { TransformersEmbedder } from './transformers-embedder.js';

/**
 * Loads the local transformer, embeds the store's items whose embedding is missing or stale and frees
 * the model again: `kgal embed`, `kgal ingest --embed` and the ops scripts, each with its own progress
 * sink. A missing model throws ModelUnavailableError before anything is written.
 */
export async function embedStoreWithLocalModel(
  store: GraphStore,
  config: EmbedderConfig,
  progress?: Progress,
): Promise<EmbedItemsReport & { model: string }> {
  // The model id is part of every embedding's cache key: staleness can only be judged once it is loaded.
  const embedder = await TransformersEmbedder.load(config);
  try {
    const report = await embedPendingItems(store, embedder, { batchSize: config.batchSize, ...(progress ? { progress } : {}) });
    return { ...report, model: embedder.id };
  } finally {
    await embedder.dispose();
  }
}
