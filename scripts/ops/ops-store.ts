import type { StoreConfig } from '../../src/config/store-config.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { MemoryGraphStore } from '../../src/store/memory-store.js';
import { openStore } from '../../src/store/open-store.js';

/** Opens the store for writing, runs `work`, and closes it. */
export async function withStore<T>(config: StoreConfig, work: (store: GraphStore) => Promise<T>): Promise<T> {
  const store = await openStore(config, { readOnly: false });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Makes the writes so far durable before acting on them outside the store (moving ingested files away).
 * Both stores already commit every write before it resolves (the embedded store to its SQLite file,
 * fsynced; Neo4j per batch), so this only makes that assumption explicit at the point that relies on it.
 */
export async function persist(store: GraphStore): Promise<void> {
  if (store instanceof MemoryGraphStore) await store.flush();
}
