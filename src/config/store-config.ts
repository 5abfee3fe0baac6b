import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Neo4jConnection } from '../store/neo4j-store.js';

export interface StoreConfig {
  /** When set, the Neo4j store is used; otherwise the embedded store in dataDir. */
  neo4j?: Neo4jConnection;
  dataDir: string;
}

export const DEFAULT_DATA_DIR = '.kgal';

/**
 * Where a Neo4j store keeps its file copies of the embedding matrix and the item listings
 * (src/store/item-file-cache.ts), a cache checked against the database's items token:
 * KGAL_NEO4J_ITEM_CACHE (a directory, or `off`), else `$XDG_CACHE_HOME/kgal/neo4j-item-cache`
 * (`~/.cache/kgal/neo4j-item-cache`).
 */
export function itemCacheDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env.KGAL_NEO4J_ITEM_CACHE;
  if (setting === 'off') return undefined;
  if (setting) return resolve(setting);
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'kgal', 'neo4j-item-cache');
}

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
    const itemCacheDir = itemCacheDirFromEnv(env);
    if (itemCacheDir) config.neo4j.itemCacheDir = itemCacheDir;
  }
  return config;
}
