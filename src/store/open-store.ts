import type { StoreConfig } from '../config/store-config.js';
import type { GraphStore } from './graph-store.js';
import { MemoryGraphStore } from './memory-store.js';
import { Neo4jGraphStore } from './neo4j-store.js';

export async function openStore(config: StoreConfig, options: { readOnly?: boolean } = {}): Promise<GraphStore> {
  if (config.neo4j) return Neo4jGraphStore.connect(config.neo4j);
  return MemoryGraphStore.open({ dataDir: config.dataDir, readOnly: options.readOnly ?? false });
}
