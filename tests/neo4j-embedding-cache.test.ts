import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Neo4jGraphStore } from '../src/store/neo4j-store.js';
import { freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';

const vector = (seed: number): Float32Array => Float32Array.from({ length: 384 }, (_, d) => Math.cos(seed * 3 + d));

/** Each process keeps the embedding matrix between queries; a change made by another process must show. */
describe.skipIf(neo4jSkipped())('Neo4j embedding cache across processes', () => {
  let reader: Neo4jGraphStore;
  let writer: Neo4jGraphStore;
  beforeAll(async () => {
    reader = await freshNeo4jStore();
    writer = await Neo4jGraphStore.connect({ uri: neo4jTestUri()!, database: process.env.NEO4J_DATABASE ?? 'neo4j' });
  });
  afterAll(async () => {
    await reader?.close();
    await writer?.close();
  });

  it('serves the cached matrix until another connection changes embeddings', async () => {
    await writer.upsertItems(['e1', 'e2', 'e3'].map((id) => ({ id, text: `text ${id}`, meta: {} })));
    await writer.setEmbeddings(['e1', 'e2', 'e3'].map((id, i) => ({ id, key: `k${i}`, vector: vector(i) })));
    const first = await reader.getEmbeddings();
    expect(first.ids).toEqual(['e1', 'e2', 'e3']);
    expect((await reader.getEmbeddings()).matrix).toBe(first.matrix); // cached: the same object

    await writer.setEmbeddings([{ id: 'e2', key: 'new', vector: vector(7) }]);
    const second = await reader.getEmbeddings();
    expect(second.matrix).not.toBe(first.matrix);
    expect(second.matrix.data[384]).toBeCloseTo(Math.cos(7 * 3), 6);

    await writer.upsertItems([{ id: 'e3', text: 'a changed text', meta: {} }]);
    expect((await reader.getEmbeddings()).ids).toEqual(['e1', 'e2']);
  });
});
