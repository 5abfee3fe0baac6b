import { Neo4jGraphStore } from '../../src/store/neo4j-store.js';

/**
 * The Neo4j the tests use: NEO4J_URI, started by scripts/test.sh (and so by .ci/run). Without it the
 * Neo4j tests fail loudly; KGAL_SKIP_NEO4J=1 is the only way to leave them out, and it is never set in CI.
 */
export function neo4jTestUri(): string | undefined {
  const uri = process.env.NEO4J_URI;
  if (uri) return uri;
  if (process.env.KGAL_SKIP_NEO4J === '1' && process.env.CI !== 'true') return undefined;
  throw new Error(
    'NEO4J_URI is not set: start Neo4j with `npm run neo4j:start` and export NEO4J_URI=bolt://127.0.0.1:7687 ' +
      '(or run everything with `bash scripts/test.sh`). Set KGAL_SKIP_NEO4J=1 to leave the Neo4j tests out locally.',
  );
}

export const neo4jSkipped = (): boolean => neo4jTestUri() === undefined;

/**
 * A connected store on the test database as it is (a second connection, as another process would have);
 * `itemCacheDir`: with the item file cache in that directory (src/store/item-file-cache.ts).
 */
export function connectNeo4jStore(options: { itemCacheDir?: string } = {}): Promise<Neo4jGraphStore> {
  return Neo4jGraphStore.connect({ uri: neo4jTestUri()!, database: process.env.NEO4J_DATABASE ?? 'neo4j', ...options });
}

/** A connected store on an empty database. */
export async function freshNeo4jStore(options: { itemCacheDir?: string } = {}): Promise<Neo4jGraphStore> {
  const store = await connectNeo4jStore(options);
  await store.clear();
  return store;
}
