import { resolve } from 'node:path';
import type { Neo4jConnection } from '../store/neo4j-store.js';

export interface StoreConfig {
  /** When set, the Neo4j store is used; otherwise the embedded store in dataDir. */
  neo4j?: Neo4jConnection;
  dataDir: string;
}

export const DEFAULT_DATA_DIR = '.kgal';

/**
 * Store selection: an explicit Neo4j URI (CLI `--neo4j`) wins over NEO4J_URI; without either, the
 * embedded store in KGAL_DATA_DIR (default ./.kgal).
 */
export function storeConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: { neo4jUri?: string; dataDir?: string } = {},
): StoreConfig {
  const uri = overrides.neo4jUri ?? env.NEO4J_URI;
  const config: StoreConfig = { dataDir: resolve(overrides.dataDir ?? env.KGAL_DATA_DIR ?? DEFAULT_DATA_DIR) };
  if (uri) {
    config.neo4j = { uri, database: env.NEO4J_DATABASE || 'neo4j' };
    if (env.NEO4J_USER) config.neo4j.user = env.NEO4J_USER;
    if (env.NEO4J_PASSWORD) config.neo4j.password = env.NEO4J_PASSWORD;
  }
  return config;
}
