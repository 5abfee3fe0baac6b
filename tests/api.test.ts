import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphStore } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { call, hashVector, startApi, webnlgRows } from './support/api.js';
import { freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';

const backends: Array<{ name: string; skip: boolean; open: () => Promise<GraphStore> }> = [
  { name: 'MemoryGraphStore', skip: false, open: () => MemoryGraphStore.open() },
  { name: 'Neo4jGraphStore', skip: neo4jSkipped(), open: () => freshNeo4jStore() },
];

// 60 entries across WebNLG categories; the category is the oracle's label, never sent with the item.
const rows = webnlgRows(60, 211);
const categoryOf = new Map(rows.map((r) => [r.id, r.category]));

for (const backend of backends) {
  describe.skipIf(backend.skip)(`HTTP API, whole loop: ${backend.name}`, () => {
    let store: GraphStore;
    let api: Awaited<ReturnType<typeof startApi>>;
    beforeEach(async () => {
      store = await backend.open();
      api = await startApi(store);
    });
    afterEach(async () => {
      await api.close();
      await store.close();
    });

    it('ingest → query (leased) → label → query again: labels and filled gaps change the next picks', async () => {
      const ingest = await call(api.url, 'POST', '/v1/items', { items: rows.map(({ id, text }) => ({ id, text })) });
      expect(ingest).toMatchObject({ status: 200, body: { items: 60, extracted: 60 } });
      expect((await call(api.url, 'POST', '/v1/graph/refresh', {})).status).toBe(200);
      const gapsBefore = await call(api.url, 'GET', '/v1/entities/gaps?limit=5');
      expect(gapsBefore.status).toBe(200);
      expect(gapsBefore.body.graphSource).toBe('stored');
      expect(gapsBefore.body.gaps).toHaveLength(5);

      const first = await call(api.url, 'POST', '/v1/query', { batchSize: 5, annotator: 'ann-1' });
      expect(first.status).toBe(200);
      // No model yet: the batch is chosen, reported and recorded as the cold-start fallback, never as kg-guided.
      expect(first.body).toMatchObject({ strategy: 'cold-start', requestedStrategy: 'kg-guided', coldStart: true, round: 1 });
      expect(first.body.fallback.reason).toMatch(/^kg-guided needs a trained model: /);
      const firstIds: string[] = first.body.picks.map((p: { id: string }) => p.id);
      expect(new Set(firstIds).size).toBe(5);
      expect(first.body.leases.map((l: { itemId: string; holder: string }) => [l.itemId, l.holder])).toEqual(firstIds.map((id) => [id, 'ann-1']));
      for (const pick of first.body.picks) {
        expect(pick.text.length).toBeGreaterThan(0);
        expect(pick.components.coverage.normalized).toBeGreaterThanOrEqual(0);
      }

      // Another annotator never gets the leased items.
      const other = await call(api.url, 'POST', '/v1/query', { batchSize: 5, annotator: 'ann-2' });
      expect(other.body.leasedElsewhere).toBe(5);
      expect(other.body.picks.map((p: { id: string }) => p.id).filter((id: string) => firstIds.includes(id))).toEqual([]);

      const labels = firstIds.map((id) => ({ id, label: categoryOf.get(id)!, annotator: 'ann-1' }));
      expect(await call(api.url, 'POST', '/v1/labels', { labels })).toEqual({ status: 200, body: { written: firstIds, unchanged: [] } });
      // A retry stores nothing twice.
      expect(await call(api.url, 'POST', '/v1/labels', { labels })).toEqual({ status: 200, body: { written: [], unchanged: firstIds } });

      const item = await call(api.url, 'GET', `/v1/items/${encodeURIComponent(firstIds[0]!)}`);
      expect(item.status).toBe(200);
      expect(item.body).toMatchObject({ id: firstIds[0], label: categoryOf.get(firstIds[0]!), annotator: 'ann-1' });
      expect(item.body.lease).toBeUndefined();
      expect(item.body.labelHistory).toHaveLength(1);
      expect(item.body.picks).toEqual([expect.objectContaining({ round: 1, strategy: 'cold-start', rank: 1, annotator: 'ann-1' })]);
      expect(item.body.entities.length).toBeGreaterThan(0);

      // The labeled items' entities now count as covered: their remaining gap is centrality × decay(count), less
      // than their full mass (a very central entity covered once may still rank among the top gaps); every
      // other entity is still wholly a gap.
      const labeledEntities = new Set<string>(first.body.picks.flatMap((p: { entities: Array<{ key: string }> }) => p.entities.map((e) => e.key)));
      expect(labeledEntities.size).toBeGreaterThan(0);
      const gapsAfter = await call(api.url, 'GET', '/v1/entities/gaps?limit=1000');
      type Gap = { key: string; centrality: number; coverage: number; gap: number };
      const after = new Map<string, Gap>(gapsAfter.body.gaps.map((g: Gap) => [g.key, g]));
      for (const key of labeledEntities) {
        expect(after.get(key)?.coverage, key).toBeGreaterThan(0);
        expect(after.get(key)!.gap, key).toBeLessThan(after.get(key)!.centrality);
      }
      for (const gap of after.values()) if (!labeledEntities.has(gap.key)) expect(gap.gap, gap.key).toBe(gap.centrality);
      const again = await call(api.url, 'POST', '/v1/query', { batchSize: 5, annotator: 'ann-1' });
      expect(again.status).toBe(200);
      expect(again.body.coverage.coveredEntities).toBeGreaterThan(0);
      const againIds: string[] = again.body.picks.map((p: { id: string }) => p.id);
      expect(againIds.filter((id) => firstIds.includes(id))).toEqual([]);
      for (const pick of again.body.picks) {
        for (const entity of pick.entities) if (labeledEntities.has(entity.key)) expect(entity.coverageBefore).toBeGreaterThanOrEqual(1);
      }

      const stats = await call(api.url, 'GET', '/v1/stats');
      expect(stats.body).toMatchObject({ items: 60, labeledItems: 5, rounds: 3, activeLeases: 10 });
      expect(stats.body.coverage.coveredEntities).toBe(again.body.coverage.coveredEntities);
    });

    it('with embeddings and two classes labeled, queries use the trained model; /v1/model says so', async () => {
      await call(api.url, 'POST', '/v1/items', { items: rows.map(({ id, text }) => ({ id, text })) });
      await store.setEmbeddings(rows.map((r) => ({ id: r.id, key: `test:${r.id}`, vector: hashVector(r.text) })));
      expect((await call(api.url, 'GET', '/v1/model')).body).toMatchObject({ status: 'untrained', embeddedItems: 60, notEmbedded: 0 });
      const seedLabels = rows.slice(0, 12).map((r) => ({ id: r.id, label: r.category }));
      expect(new Set(seedLabels.map((l) => l.label)).size).toBeGreaterThan(1);
      expect((await call(api.url, 'POST', '/v1/labels', { labels: seedLabels })).status).toBe(200);
      const model = await call(api.url, 'GET', '/v1/model');
      expect(model.body).toMatchObject({ status: 'trained', trainedOn: 12 });
      expect(model.body.classes).toEqual([...new Set(seedLabels.map((l) => l.label))].sort());
      const query = await call(api.url, 'POST', '/v1/query', { batchSize: 4, strategy: 'entropy', annotator: 'ann-1' });
      expect(query.body).toMatchObject({ strategy: 'entropy', requestedStrategy: 'entropy', coldStart: false, uncertaintySource: 'model', model: { status: 'trained' } });
      expect(query.body.fallback).toBeUndefined();
      // The classifier /v1/model fitted for these labels is the one the query used (one fit per label set).
      expect(query.body.model.reused).toBe(true);
      expect((await call(api.url, 'GET', '/v1/model')).body).toMatchObject({ status: 'trained', reused: true, trainedAt: model.body.trainedAt });
      expect(query.body.picks.every((p: { components: Record<string, unknown> }) => 'uncertainty' in p.components)).toBe(true);
      // Every pick carries the model's prediction: a trained class, its probability, all classes summing to 1.
      for (const pick of query.body.picks as Array<{ prediction?: { label: string; probability: number; probabilities: Record<string, number> } }>) {
        expect(model.body.classes).toContain(pick.prediction?.label);
        const probabilities = Object.values(pick.prediction!.probabilities);
        expect(probabilities[0]).toBe(pick.prediction!.probability);
        expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
      }
      // The default (kg-guided) with the model: uncertainty first, predictions too.
      const byDefault = await call(api.url, 'POST', '/v1/query', { batchSize: 3, annotator: 'ann-2' });
      expect(byDefault.body).toMatchObject({ strategy: 'kg-guided', coldStart: false });
      expect(byDefault.body.picks.every((p: { prediction?: unknown; strategy: string }) => p.prediction !== undefined && p.strategy === 'kg-guided')).toBe(true);
    });
  });
}
