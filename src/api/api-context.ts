import type { Logger } from 'pino';
import type { ModelCache } from '../model/model-cache.js';
import type { BackgroundEmbedder } from './background-embedder.js';
import type { GraphStore } from '../store/graph-store.js';
import type { SerialQueue } from './serial-queue.js';
import type { ServeConfig } from './serve-config.js';

/** What every route module gets. */
export interface ApiContext {
  store: GraphStore;
  config: ServeConfig;
  logger: Logger;
  /** Selection and graph refreshes of this process, one at a time. */
  selectionQueue: SerialQueue;
  /** The classifier (and committee) fitted per label set, shared by /v1/query and /v1/model. */
  modelCache: ModelCache;
  /** Embeds new items in the background (absent when the app was created without an embedder). */
  embedding?: BackgroundEmbedder;
}
