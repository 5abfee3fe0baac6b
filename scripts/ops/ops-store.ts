import type { StoreConfig } from '../../src/config/store-config.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { MemoryGraphStore } from '../../src/store/memory-store.js';
import { openStore } from '../../src/store/open-store.js';

/** Opens the store for writing, runs `work`, and closes it (the embedded store writes its snapshot then). */
export async function withStore<T>(config: StoreConfig, work: (store: GraphStore) => Promise<T>): Promise<T> {
  const store = await openStore(config, { readOnly: false });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Makes the writes so far durable before acting on them outside the store (moving ingested files away):
 * the embedded store persists on flush/close, Neo4j has already committed every batch.
 */
export async function persist(store: GraphStore): Promise<void> {
  if (store instanceof MemoryGraphStore) await store.flush();
}
