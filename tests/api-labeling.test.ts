import Graph from 'graphology';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEntityGraph } from '../src/index.js';
import type { GraphStore } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { call, startApi, webnlgRows } from './support/api.js';
import { freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';

const backends: Array<{ name: string; skip: boolean; open: () => Promise<GraphStore> }> = [
  { name: 'MemoryGraphStore', skip: false, open: () => MemoryGraphStore.open() },
  { name: 'Neo4jGraphStore', skip: neo4jSkipped(), open: () => freshNeo4jStore() },
];

const rows = webnlgRows(40, 97);

for (const backend of backends) {
  describe.skipIf(backend.skip)(`HTTP API for the labeling page: ${backend.name}`, () => {
    let store: GraphStore;
    let api: Awaited<ReturnType<typeof startApi>>;
    beforeEach(async () => {
      store = await backend.open();
      api = await startApi(store);
      expect((await call(api.url, 'POST', '/v1/items', { items: rows.map(({ id, text }) => ({ id, text })) })).status).toBe(200);
    });
    afterEach(async () => {
      await api.close();
      await store.close();
    });

    it("leases: renewed and released by their annotator only (409 for another's, 404 for unknown ids)", async () => {
      const query = await call(api.url, 'POST', '/v1/query', { batchSize: 2, annotator: 'ann-1', leaseSeconds: 60 });
      const [a, b] = query.body.picks.map((p: { id: string }) => p.id) as [string, string];
      const expiry = Date.parse(query.body.leases[0].expiresAt);

      const renewed = await call(api.url, 'POST', '/v1/leases/renew', { ids: [a, b], annotator: 'ann-1', leaseSeconds: 600 });
      expect(renewed.status).toBe(200);
      expect(renewed.body.lost).toEqual([]);
      expect(renewed.body.leases.map((l: { itemId: string }) => l.itemId)).toEqual([a, b]);
      expect(Date.parse(renewed.body.leases[0].expiresAt)).toBeGreaterThan(expiry + 500_000);

      const hijack = await call(api.url, 'POST', '/v1/leases/renew', { ids: [a], annotator: 'ann-2' });
      expect(hijack).toMatchObject({ status: 409, body: { code: 'conflict', conflicts: [{ id: a, holder: 'ann-1' }] } });
      expect((await call(api.url, 'POST', '/v1/leases/release', { ids: [a, b], annotator: 'ann-2' })).status).toBe(409);
      expect((await call(api.url, 'POST', '/v1/leases/release', { ids: [a, 'ghost'], annotator: 'ann-1' })).status).toBe(404);
      expect((await store.activeLeases()).map((l) => [l.itemId, l.holder]).sort()).toEqual([[a, 'ann-1'], [b, 'ann-1']].sort());
      expect((await call(api.url, 'POST', '/v1/leases/renew', { ids: [], annotator: 'ann-1' })).status).toBe(400);

      // Skip: ann-1 releases a; it is free for ann-2 now, and ann-1 can no longer renew it once ann-2 holds it.
      expect(await call(api.url, 'POST', '/v1/leases/release', { ids: [a], annotator: 'ann-1' })).toMatchObject({ status: 200, body: { released: 1 } });
      expect((await store.leaseItems({ ids: [a], holder: 'ann-2', durationMs: 60_000 })).map((l) => l.holder)).toEqual(['ann-2']);
      expect((await call(api.url, 'POST', '/v1/leases/renew', { ids: [a], annotator: 'ann-1' })).status).toBe(409);
      // A labeled item cannot be leased again: renewing it reports it lost.
      await call(api.url, 'POST', '/v1/labels', { labels: [{ id: b, label: 'X', annotator: 'ann-1' }] });
      expect((await call(api.url, 'POST', '/v1/leases/renew', { ids: [b], annotator: 'ann-1' })).body).toEqual({ leases: [], lost: [b] });
    });

    it("undo: the annotator's own last label only; the item is unlabeled, leased back to them, and its history says so", async () => {
      const id = rows[0]!.id;
      await call(api.url, 'POST', '/v1/labels', { labels: [{ id, label: 'Airport', annotator: 'ann-1' }] });
      const refused = await call(api.url, 'POST', '/v1/labels/undo', { id, annotator: 'ann-2' });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatch(/was given by "ann-1", not "ann-2"/);
      expect((await store.getItem(id))?.label).toBe('Airport');
      expect((await call(api.url, 'POST', '/v1/labels/undo', { id: 'ghost', annotator: 'ann-1' })).status).toBe(404);
      expect((await call(api.url, 'POST', '/v1/labels/undo', { id, annotator: '' })).status).toBe(400);

      const undo = await call(api.url, 'POST', '/v1/labels/undo', { id, annotator: 'ann-1' });
      expect(undo).toMatchObject({ status: 200, body: { id, undone: 'Airport', lease: { itemId: id, holder: 'ann-1' } } });
      expect(undo.body.restored).toBeUndefined();
      const item = await call(api.url, 'GET', `/v1/items/${encodeURIComponent(id)}`);
      expect(item.body.label).toBeUndefined();
      expect(item.body.lease.holder).toBe('ann-1');
      expect(item.body.labelHistory.map((e: { label: string; undo?: boolean }) => [e.label, e.undo ?? false])).toEqual([
        ['Airport', false],
        ['Airport', true],
      ]);
      expect((await call(api.url, 'POST', '/v1/labels/undo', { id, annotator: 'ann-1' })).status).toBe(409);
      // Leased back to ann-1: ann-2 cannot label it meanwhile, ann-1 can.
      expect((await call(api.url, 'POST', '/v1/labels', { labels: [{ id, label: 'City', annotator: 'ann-2' }] })).status).toBe(409);
      expect((await call(api.url, 'POST', '/v1/labels', { labels: [{ id, label: 'City', annotator: 'ann-1' }] })).status).toBe(200);
    });

    it("GET /v1/graph: graphology's format, the most central entities with coverage, the next batch flagged without recording it", async () => {
      const labeled = rows.slice(0, 5).map((r) => ({ id: r.id, label: r.category, annotator: 'ann-1' }));
      await call(api.url, 'POST', '/v1/labels', { labels: labeled });
      const reply = await call(api.url, 'GET', '/v1/graph?limit=25');
      expect(reply.status).toBe(200);
      const graph = Graph.from(reply.body);
      expect(graph.order).toBe(25);
      expect(graph.type).toBe('undirected');
      expect(graph.getAttribute('entities')).toBe((await store.stats()).entities);
      const centrality = graph.mapNodes((_k, a) => a.centrality as number);
      expect(centrality).toEqual([...centrality].sort((x, y) => y - x));
      // Covered exactly when a labeled item mentions the entity.
      const coveredKeys = new Set((await Promise.all(labeled.map((l) => store.getItemMentions(l.id)))).flat().map((m) => m.key));
      graph.forEachNode((key, a) => {
        expect(a.covered).toBe(coveredKeys.has(key));
        expect(a.covered ? a.gap < a.centrality : a.gap === a.centrality).toBe(true);
        expect(a.size).toBeGreaterThan(0);
      });
      expect(graph.filterNodes((_k, a) => a.covered).length).toBeGreaterThan(0);
      expect(graph.filterNodes((_k, a) => !a.covered).length).toBeGreaterThan(0);
      expect(graph.size).toBeGreaterThan(0);
      // The library hands out the same graph.
      const library = await loadEntityGraph(store, { limit: 25 });
      expect(library.nodes()).toEqual(graph.nodes());
      expect(library.size).toBe(graph.size);

      const roundsBefore = (await store.stats()).rounds;
      const preview = await call(api.url, 'GET', '/v1/graph?limit=5000&nextBatch=3');
      const next = preview.body.attributes.nextBatch;
      expect(next.items).toHaveLength(3);
      const mentioned = new Set((await Promise.all(next.items.map((id: string) => store.getItemMentions(id)))).flat().map((m) => m.key));
      expect(next.entities.sort()).toEqual([...mentioned].sort());
      const flagged = preview.body.nodes.filter((n: { attributes: { nextBatch?: boolean } }) => n.attributes.nextBatch).map((n: { key: string }) => n.key);
      expect(flagged.sort()).toEqual([...mentioned].sort());
      expect((await store.stats()).rounds).toBe(roundsBefore);
      expect(await store.activeLeases()).toEqual([]);
      expect((await call(api.url, 'GET', '/v1/graph?limit=0')).status).toBe(400);
      expect((await call(api.url, 'GET', '/v1/graph?limit=5001')).status).toBe(400);
    });

    it('GET /v1/entities/:key/items: the items that mention the entity; 404 for an unknown one', async () => {
      const graph = Graph.from((await call(api.url, 'GET', '/v1/graph?limit=1')).body);
      const key = graph.nodes()[0]!;
      const reply = await call(api.url, 'GET', `/v1/entities/${encodeURIComponent(key)}/items?limit=2`);
      expect(reply.status).toBe(200);
      const expected = (await store.listItemEntities()).filter((r) => r.keys.includes(key)).map((r) => r.id);
      expect(reply.body).toMatchObject({ key, name: graph.getNodeAttribute(key, 'label'), total: expected.length });
      expect(reply.body.items.map((i: { id: string }) => i.id)).toEqual(expected.slice(0, 2));
      expect(reply.body.items[0].text.length).toBeGreaterThan(0);
      expect((await call(api.url, 'GET', '/v1/entities/no%20such%20entity/items')).status).toBe(404);
    });
  });
}
