import neo4j from 'neo4j-driver';
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

  it('reads vectors stored without the packed copy (by an earlier kgal) the same as packed ones, bit for bit', async () => {
    const ids = ['v1', 'v2', 'v3'];
    await writer.upsertItems(ids.map((id) => ({ id, text: `text ${id}`, meta: {} })));
    await writer.setEmbeddings(ids.map((id, i) => ({ id, key: 'k', vector: vector(10 + i) })));
    const packed = await writer.getEmbeddings(ids);
    expect(packed.matrix.data.subarray(384, 768)).toEqual(vector(11));

    const driver = neo4j.driver(neo4jTestUri()!);
    try {
      const removed = await driver.executeQuery(
        "MATCH (i:Item {id: 'v2'}) WHERE i.embeddingPacked IS NOT NULL REMOVE i.embeddingPacked RETURN count(i) AS n",
        {},
        { database: process.env.NEO4J_DATABASE ?? 'neo4j' },
      );
      expect(removed.records[0]?.get('n')).toEqual(neo4j.int(1));
    } finally {
      await driver.close();
    }
    const mixed = await writer.getEmbeddings(ids);
    expect(mixed.ids).toEqual(ids);
    expect(Array.from(mixed.matrix.data)).toEqual(Array.from(packed.matrix.data));
    // The whole listing, read by a connection without a cache, too.
    const fresh = await Neo4jGraphStore.connect({ uri: neo4jTestUri()!, database: process.env.NEO4J_DATABASE ?? 'neo4j' });
    try {
      const all = await fresh.getEmbeddings();
      const row = all.ids.indexOf('v2');
      expect(all.matrix.data.subarray(row * 384, (row + 1) * 384)).toEqual(vector(11));
    } finally {
      await fresh.close();
    }
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

  it('lists item summaries with the labels, leases and metadata other connections wrote since the last listing', async () => {
    const ids = ['s1', 's2', 's3'];
    await writer.upsertItems(ids.map((id) => ({ id, text: `text ${id}`, meta: { n: id }, extraction: { fingerprint: `fp-${id}`, mentions: [] } })));
    const mine = async () => (await reader.listItemSummaries()).filter((s) => s.id.startsWith('s'));
    const first = await mine();
    expect(first).toEqual(ids.map((id) => ({ id, meta: { n: id }, fingerprint: `fp-${id}` })));
    expect((await mine())[0]!.meta).toBe(first[0]!.meta); // the static part is cached: the same parsed meta

    // Labels and leases change no token: they are re-read on every listing.
    await writer.setLabels([{ id: 's1', label: 'sports', annotator: 'ann' }]);
    const [lease] = await writer.leaseItems({ ids: ['s2'], holder: 'bob', durationMs: 60_000 });
    const labeled = await mine();
    expect(labeled[0]).toMatchObject({ id: 's1', label: 'sports', annotator: 'ann', meta: { n: 's1' }, fingerprint: 'fp-s1' });
    expect(typeof labeled[0]!.labeledAt).toBe('string');
    expect(labeled[1]).toEqual({ id: 's2', meta: { n: 's2' }, fingerprint: 'fp-s2', lease: lease! });
    expect(labeled[2]).toEqual({ id: 's3', meta: { n: 's3' }, fingerprint: 'fp-s3' });
    // The same as an uncached listing (a fresh connection) gives.
    const fresh = await Neo4jGraphStore.connect({ uri: neo4jTestUri()!, database: process.env.NEO4J_DATABASE ?? 'neo4j' });
    try {
      expect(await mine()).toEqual((await fresh.listItemSummaries()).filter((s) => s.id.startsWith('s')));
    } finally {
      await fresh.close();
    }

    // A released lease, an undone label and an upsert's new metadata: all show on the next listing.
    await writer.releaseLeases(['s2']);
    await writer.undoLabel('s1', 'ann');
    await writer.upsertItems([{ id: 's3', text: 'text s3', meta: { n: 'changed' } }]);
    expect(await mine()).toEqual([
      { id: 's1', meta: { n: 's1' }, fingerprint: 'fp-s1' },
      { id: 's2', meta: { n: 's2' }, fingerprint: 'fp-s2' },
      { id: 's3', meta: { n: 'changed' }, fingerprint: 'fp-s3' },
    ]);
  });

  it('serves the cached entity analytics until another connection refreshes them or changes the graph', async () => {
    const mention = (key: string) => ({ key, name: key, type: 'topic' as const, count: 1 });
    await writer.upsertItems([{ id: 'g1', text: 'g one', meta: {}, extraction: { fingerprint: 'g1', mentions: [mention('ga'), mention('gb')] } }]);
    const version = await writer.graphVersion();
    await writer.setEntityAnalytics([{ key: 'ga', centrality: 0.25, community: 1, coverage: 0, gap: 0.25 }], 'pagerank', version);
    const first = await reader.getEntityAnalytics();
    expect(first).toEqual({ measure: 'pagerank', graphVersion: version, rows: [{ key: 'ga', name: 'ga', type: 'topic', centrality: 0.25, community: 1 }] });
    expect((await reader.getEntityAnalytics())!.rows[0]).toBe(first!.rows[0]); // cached: the same rows

    // Another refresh (same version, new values) shows.
    await writer.setEntityAnalytics([{ key: 'ga', centrality: 0.5, community: 2, coverage: 0, gap: 0.5 }], 'pagerank', version);
    expect((await reader.getEntityAnalytics())!.rows).toEqual([{ key: 'ga', name: 'ga', type: 'topic', centrality: 0.5, community: 2 }]);

    // Re-extraction deletes the entity and bumps the graph version: the rows are read again (now none).
    await writer.upsertItems([{ id: 'g1', text: 'g one', meta: {}, extraction: { fingerprint: 'g2', mentions: [mention('gc')] } }]);
    expect(await reader.getEntityAnalytics()).toEqual({ measure: 'pagerank', graphVersion: version, rows: [] });
  });
});
