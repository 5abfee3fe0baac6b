import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Neo4jGraphStore } from '../src/store/neo4j-store.js';
import { freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';

const vector = (seed: number): Float32Array => Float32Array.from({ length: 384 }, (_, d) => Math.cos(seed * 3 + d));

/** Each process keeps the embedding matrix and the item mentions between queries; a change made by another process must show. */
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

  it('serves the cached item mentions until another connection upserts items', async () => {
    const mention = (key: string) => ({ key, name: key, type: 'topic' as const, count: 1 });
    await writer.upsertItems([
      { id: 'm1', text: 'one', meta: {}, extraction: { fingerprint: 'f1', mentions: [mention('alpha')] } },
      { id: 'm2', text: 'two', meta: {}, extraction: { fingerprint: 'f2', mentions: [mention('beta')] } },
    ]);
    const first = await reader.listItemEntities();
    expect(first.filter((e) => e.id.startsWith('m'))).toEqual([
      { id: 'm1', keys: ['alpha'] },
      { id: 'm2', keys: ['beta'] },
    ]);
    expect((await reader.listItemEntities())[0]).toBe(first[0]); // cached: the same objects
    // Labels do not touch mentions: still cached.
    await writer.setLabels([{ id: 'm1', label: 'x' }]);
    expect((await reader.listItemEntities())[0]).toBe(first[0]);

    // Re-extraction and a new item without mentions, by the other connection: both show.
    await writer.upsertItems([
      { id: 'm1', text: 'one, edited', meta: {}, extraction: { fingerprint: 'f3', mentions: [mention('gamma')] } },
      { id: 'm3', text: 'three', meta: {} },
    ]);
    expect((await reader.listItemEntities()).filter((e) => e.id.startsWith('m'))).toEqual([
      { id: 'm1', keys: ['gamma'] },
      { id: 'm2', keys: ['beta'] },
      { id: 'm3', keys: [] },
    ]);
  });
});
