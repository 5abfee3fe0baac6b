import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import { InputValidationError } from '../src/pool/input-error.js';
import { LabelConflictError, LeaseConflictError, UnknownItemsError, type GraphStore, type StoreStats } from '../src/store/graph-store.js';
import { LabelUndoError } from '../src/store/label-undo.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { connectNeo4jStore, freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';
import { fixture, tempDir, tempFile } from './support/fixtures.js';

const dictionaryOnly = { createExtractor: (g: ConstructorParameters<typeof GazetteerExtractor>[0]) => new GazetteerExtractor(g) };

const EMPTY: StoreStats = { items: 0, labeledItems: 0, embeddedItems: 0, entities: 0, mentions: 0, entityEdges: 0, relations: 0, rounds: 0, labels: {} };

function edgeMap(graph: Awaited<ReturnType<GraphStore['getEntityGraph']>>): Record<string, number> {
  return Object.fromEntries(graph.cooccurrences.map((e) => [`${e.a}|${e.b}`, e.weight]).sort());
}

/**
 * Everything a store keeps across a restart (leases are not kept), in a form that does not depend on the
 * order of listings that promise none.
 */
async function persistedState(store: GraphStore): Promise<unknown> {
  const items = await store.listItems();
  const ids = items.map((i) => i.id);
  const graph = await store.getEntityGraph();
  const analytics = await store.getEntityAnalytics();
  const byKey = <T extends { key: string }>(rows: T[]): T[] => [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    stats: await store.stats(),
    items,
    entities: byKey(graph.entities),
    edges: edgeMap(graph),
    relations: graph.relations.map((r) => `${r.subject}|${r.predicate}|${r.object}`).sort(),
    mentions: await Promise.all(ids.map((id) => store.getItemMentions(id))),
    labelHistory: await Promise.all(ids.map((id) => store.getLabelHistory(id))),
    picks: await Promise.all(ids.map((id) => store.getPickHistory(id))),
    embeddings: await store.getEmbeddings(),
    embeddingStates: await store.listEmbeddingStates(),
    analytics: analytics && { ...analytics, rows: byKey(analytics.rows) },
    graphVersion: await store.graphVersion(),
    counter: await store.getState('counter'),
  };
}

/**
 * `connectAgain`: a second connection to the same data (Neo4j: another driver, as another API process has;
 * memory: the store itself). `reopen`: the embedded store in a data directory is closed after every test
 * and opened again from its file, which must give back everything the test left in it.
 */
let contractDataDir = '';
let contractItemDir = '';
const backends: Array<{
  name: string;
  skip: boolean;
  open: () => Promise<GraphStore>;
  connectAgain: (store: GraphStore) => Promise<GraphStore>;
  reopen?: () => Promise<GraphStore>;
}> = [
  { name: 'MemoryGraphStore', skip: false, open: () => MemoryGraphStore.open(), connectAgain: async (store) => store },
  {
    name: 'MemoryGraphStore in a data directory (reopened after each test)',
    skip: false,
    open: async () => MemoryGraphStore.open({ dataDir: (contractDataDir = await tempDir()) }),
    connectAgain: async (store) => store,
    reopen: () => MemoryGraphStore.open({ dataDir: contractDataDir }),
  },
  { name: 'Neo4jGraphStore', skip: neo4jSkipped(), open: () => freshNeo4jStore(), connectAgain: () => connectNeo4jStore() },
  {
    // Every connection with the same item file cache (as processes of one machine have): the files must
    // never serve vectors or listings the database no longer holds.
    name: 'Neo4jGraphStore with an item file cache',
    skip: neo4jSkipped(),
    open: async () => freshNeo4jStore({ itemCacheDir: (contractItemDir ||= await tempDir()) }),
    connectAgain: () => connectNeo4jStore({ itemCacheDir: contractItemDir }),
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`GraphStore contract: ${backend.name}`, () => {
    let store: GraphStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      if (!backend.reopen) return store.close();
      const before = await persistedState(store);
      await store.close();
      const reopened = await backend.reopen();
      try {
        expect(await persistedState(reopened)).toEqual(before);
      } finally {
        await reopened.close();
      }
    });

    it('starts empty', async () => {
      expect(await store.stats()).toEqual(EMPTY);
    });

    it('ingests a pool with an external KG: items, KG entities, mentions, weighted co-occurrence, relations', async () => {
      const report = await ingestPool(store, { files: [fixture('pool-a.jsonl')], kgFile: fixture('kg.tsv'), ...dictionaryOnly });
      expect(report).toMatchObject({ extracted: 4, unchanged: 0, relations: 7, gazetteerNames: 8 });
      expect(await store.stats()).toEqual({
        items: 4, labeledItems: 2, embeddedItems: 0, entities: 9, mentions: 8, entityEdges: 7, relations: 7, rounds: 0,
        labels: { Airport: 1, City: 1 },
      });
      expect(await store.getItemMentions('a2')).toEqual([
        { key: 'copenhagen', count: 1 },
        { key: 'denmark', count: 1 },
        { key: 'lars løkke rasmussen', count: 1 },
      ]);
      const item = await store.getItem('a1');
      expect(item).toMatchObject({ id: 'a1', label: 'Airport', meta: { source: 'fixture' } });
      expect(item?.text).toContain('Aarhus Airport');
      const graph = await store.getEntityGraph();
      expect(graph.relations).toContainEqual({ subject: 'denmark', predicate: 'leader', object: 'lars løkke rasmussen' });
      expect(graph.entities.every((e) => e.kg)).toBe(true);
      expect(edgeMap(graph)).toEqual({
        'aarhus|aarhus airport': 1, 'aarhus airport|denmark': 1, 'aarhus|copenhagen': 1, 'aarhus|denmark': 1,
        'copenhagen|denmark': 1, 'copenhagen|lars løkke rasmussen': 1, 'denmark|lars løkke rasmussen': 1,
      });
    });

    it('re-importing the same KG facts leaves the graph version alone (stored analytics stay current)', async () => {
      const relation = { subject: { key: 'denmark', name: 'Denmark' }, predicate: 'capital', object: { key: 'copenhagen', name: 'Copenhagen' } };
      await store.upsertRelations([relation]);
      const version = await store.graphVersion();
      await store.upsertRelations([relation]);
      expect(await store.graphVersion()).toBe(version);
      await store.upsertRelations([relation, { ...relation, predicate: 'largestCity' }]);
      expect(await store.graphVersion()).toBeGreaterThan(version);
      expect((await store.stats()).relations).toBe(2);
    });

    it('re-ingesting the same files changes nothing; a second file adds to the graph', async () => {
      const options = { files: [fixture('pool-a.jsonl')], kgFile: fixture('kg.tsv'), ...dictionaryOnly };
      await ingestPool(store, options);
      const first = await store.stats();
      const again = await ingestPool(store, options);
      expect(again).toMatchObject({ extracted: 0, unchanged: 4 });
      expect(await store.stats()).toEqual(first);

      await ingestPool(store, { files: [fixture('pool-b.csv')], ...dictionaryOnly });
      expect(await store.stats()).toEqual({
        items: 7, labeledItems: 4, embeddedItems: 0, entities: 9, mentions: 14, entityEdges: 8, relations: 7, rounds: 0,
        labels: { Airport: 1, Astronaut: 1, City: 2 },
      });
      const edges = edgeMap(await store.getEntityGraph());
      expect(edges['alan bean|apollo 12']).toBe(2);
      expect(edges['copenhagen|denmark']).toBe(2);
      expect((await store.getItem('b1'))?.meta).toEqual({ region: 'space' });
    });

    it('an upsert with a new text replaces the mentions and adjusts co-occurrence weights', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], kgFile: fixture('kg.tsv'), ...dictionaryOnly });
      const changed = await tempFile('a3.jsonl', JSON.stringify({ id: 'a3', text: 'Aarhus is windy.' }) + '\n');
      await ingestPool(store, { files: [changed], ...dictionaryOnly });
      expect(await store.getItemMentions('a3')).toEqual([{ key: 'aarhus', count: 1 }]);
      expect((await store.getItem('a3'))?.label).toBe('City'); // a row without a label keeps the stored one
      const stats = await store.stats();
      expect(stats).toMatchObject({ items: 4, mentions: 7, entityEdges: 6 });
      expect(edgeMap(await store.getEntityGraph())['aarhus|copenhagen']).toBeUndefined();
    });

    it('lists items and their entities in id order, whatever order they arrived in', async () => {
      const mention = (key: string) => ({ key, name: key, type: 'organization' as const, count: 1 });
      const upsert = (id: string) => ({ id, text: `text ${id}`, meta: {}, extraction: { fingerprint: `f-${id}`, mentions: [mention(`e-${id}`)] } });
      await store.upsertItems(['b', 'a10', 'Z', 'a2', 'é'].map(upsert));
      await store.upsertItems(['a1', 'b'].map(upsert)); // one new id, one existing
      const expected = ['Z', 'a1', 'a10', 'a2', 'b', 'é'];
      const items = await store.listItems();
      expect(items.map((i) => i.id)).toEqual(expected);
      // Summaries: the same items in the same order, without their texts.
      expect(await store.listItemSummaries()).toEqual(items.map(({ text: _text, ...summary }) => summary));
      const entities = await store.listItemEntities();
      expect(entities.map((e) => e.id)).toEqual(expected);
      expect(entities.map((e) => e.keys)).toEqual(expected.map((id) => [`e-${id}`]));
    });

    it('listings show every change made after an earlier listing (labels, texts, mentions, new items)', async () => {
      const mention = (key: string) => ({ key, name: key, type: 'organization' as const, count: 1 });
      await store.upsertItems([{ id: 'p1', text: 'one', meta: { source: 'a' }, extraction: { fingerprint: 'f1', mentions: [mention('acme')] } }]);
      expect((await store.listItems()).map((i) => [i.id, i.text, i.label])).toEqual([['p1', 'one', undefined]]);
      await store.listItemEntities();
      await store.listItemSummaries();
      await store.setLabels([{ id: 'p1', label: 'Org' }]);
      expect((await store.listItems())[0]).toMatchObject({ id: 'p1', label: 'Org' });
      expect((await store.listItemSummaries())[0]).toMatchObject({ id: 'p1', label: 'Org' });
      await store.upsertItems([
        { id: 'p1', text: 'one, edited', meta: { source: 'b' }, extraction: { fingerprint: 'f2', mentions: [mention('globex')] } },
        { id: 'p0', text: 'zero', meta: {} },
      ]);
      expect((await store.listItems()).map((i) => [i.id, i.text, i.meta.source])).toEqual([
        ['p0', 'zero', undefined],
        ['p1', 'one, edited', 'b'],
      ]);
      expect(await store.listItemEntities()).toEqual([
        { id: 'p0', keys: [] },
        { id: 'p1', keys: ['globex'] },
      ]);
    });

    it('updateState is one atomic read-modify-write, also from two connections at once', async () => {
      expect(await store.updateState<number>('counter', (n) => (n ?? 0) + 1)).toBe(1);
      const other = await backend.connectAgain(store);
      try {
        // 20 increments interleaved over both connections: a read-then-write would lose most of them.
        const increments = Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? store : other).updateState<number>('counter', (n) => (n ?? 0) + 1));
        const written = await Promise.all(increments);
        expect([...written].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, k) => k + 2));
        expect(await store.getState('counter')).toBe(21);
        expect(await other.getState('counter')).toBe(21);
      } finally {
        if (other !== store) await other.close();
      }
    });

    it('entities left without mentions disappear unless they belong to the KG', async () => {
      const mention = (key: string) => ({ key, name: key.toUpperCase(), type: 'organization' as const, count: 1 });
      await store.upsertItems([
        { id: 'x1', text: 'one', meta: {}, extraction: { fingerprint: 'f1', mentions: [mention('acme'), mention('globex')] } },
        { id: 'x2', text: 'two', meta: {}, extraction: { fingerprint: 'f2', mentions: [mention('globex'), mention('initech')] } },
      ]);
      expect(await store.stats()).toMatchObject({ entities: 3, mentions: 4, entityEdges: 2 });
      await store.upsertItems([{ id: 'x1', text: 'one again', meta: {}, extraction: { fingerprint: 'f3', mentions: [mention('initech')] } }]);
      const graph = await store.getEntityGraph();
      expect(graph.entities.map((e) => e.key).sort()).toEqual(['globex', 'initech']);
      expect(edgeMap(graph)).toEqual({ 'globex|initech': 1 });
      expect(await store.getFingerprints(['x1', 'x2', 'nope'])).toEqual(new Map([['x1', 'f3'], ['x2', 'f2']]));
    });

    it('labels: set with annotator, and a batch with an unknown id writes nothing', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      await store.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann-1' }]);
      expect(await store.getItem('a4')).toMatchObject({ label: 'Weather', annotator: 'ann-1' });
      const before = await store.stats();
      await expect(store.setLabels([{ id: 'a2', label: 'Politics' }, { id: 'missing', label: 'X' }])).rejects.toThrow(UnknownItemsError);
      expect(await store.stats()).toEqual(before);
      expect((await store.getItem('a2'))?.label).toBeUndefined();
    });

    it('a relabel replaces the label and keeps the history in order, with annotators', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      await store.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann-1' }, { id: 'a2', label: 'Politics' }]);
      await store.setLabels([{ id: 'a4', label: 'Climate', annotator: 'ann-2' }]);
      expect(await store.getItem('a4')).toMatchObject({ label: 'Climate', annotator: 'ann-2' });
      const history = await store.getLabelHistory('a4');
      expect(history.map(({ label, annotator }) => ({ label, annotator }))).toEqual([
        { label: 'Weather', annotator: 'ann-1' },
        { label: 'Climate', annotator: 'ann-2' },
      ]);
      expect(history.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
      expect(await store.getLabelHistory('a2')).toEqual([{ label: 'Politics', at: expect.any(String) }]);
      expect((await store.getItems(['a4', 'nope', 'a1'])).map((i) => i.id)).toEqual(['a4', 'a1']);
    });

    it('listLabelEvents: every label event of every item at once, by item id then oldest first, the same as each history', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      // The file labels a1 and a3.
      expect((await store.listLabelEvents()).map((e) => [e.itemId, e.label])).toEqual([['a1', 'Airport'], ['a3', 'City']]);
      await store.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann-1' }, { id: 'a2', label: 'Politics' }]);
      await store.setLabels([{ id: 'a4', label: 'Climate', annotator: 'ann-2' }, { id: 'a1', label: 'Sports', annotator: 'ann-2' }]);
      const events = await store.listLabelEvents();
      expect(events.map(({ at: _at, ...rest }) => rest)).toEqual([
        { itemId: 'a1', label: 'Airport' },
        { itemId: 'a1', label: 'Sports', annotator: 'ann-2' },
        { itemId: 'a2', label: 'Politics' },
        { itemId: 'a3', label: 'City' },
        { itemId: 'a4', label: 'Weather', annotator: 'ann-1' },
        { itemId: 'a4', label: 'Climate', annotator: 'ann-2' },
      ]);
      for (const id of ['a1', 'a2', 'a3', 'a4']) {
        expect(events.filter((e) => e.itemId === id).map(({ itemId: _id, ...event }) => event)).toEqual(await store.getLabelHistory(id));
      }
    });

    it("undo takes back the annotator's own latest label only: the item falls back to its earlier label or none, the history keeps an undo event", async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      const fileLabels = (await store.stats()).labels;
      await store.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann-1' }, { id: 'a2', label: 'Politics', annotator: 'ann-1' }]);
      await store.setLabels([{ id: 'a4', label: 'Climate', annotator: 'ann-2' }]);
      // Someone else's label, an unlabeled item, an unknown item: refused, nothing written.
      const before = await store.stats();
      await expect(store.undoLabel('a4', 'ann-1')).rejects.toThrow(/cannot undo the label of "a4": its label "Climate" was given by "ann-2", not "ann-1"/);
      await expect(store.undoLabel('a1', 'ann-1')).rejects.toThrow(LabelUndoError);
      await expect(store.undoLabel('ghost', 'ann-1')).rejects.toThrow(UnknownItemsError);
      expect(await store.stats()).toEqual(before);
      expect(await store.getLabelHistory('a4')).toHaveLength(2);

      // ann-2 takes back "Climate": a4 falls back to ann-1's "Weather" (with its time).
      const weatherAt = (await store.getLabelHistory('a4'))[0]!.at;
      expect(await store.undoLabel('a4', 'ann-2')).toEqual({ id: 'a4', undone: 'Climate', restored: { label: 'Weather', annotator: 'ann-1' } });
      expect(await store.getItem('a4')).toMatchObject({ label: 'Weather', annotator: 'ann-1', labeledAt: weatherAt });
      // ann-1 takes back "Politics": a2 is unlabeled again, and can be leased and labeled anew.
      expect(await store.undoLabel('a2', 'ann-1')).toEqual({ id: 'a2', undone: 'Politics' });
      const a2 = await store.getItem('a2');
      expect(a2?.label).toBeUndefined();
      expect(a2?.annotator).toBeUndefined();
      expect(a2?.labeledAt).toBeUndefined();
      expect((await store.stats()).labels).toEqual({ ...fileLabels, Weather: 1 });
      await expect(store.undoLabel('a2', 'ann-1')).rejects.toThrow(/it has no label/);
      expect(await store.leaseItems({ ids: ['a2'], holder: 'ann-2', durationMs: 60_000 })).toHaveLength(1);
      await store.setLabels([{ id: 'a2', label: 'Sports', annotator: 'ann-2' }], { respectLeases: true });

      const strip = (events: Awaited<ReturnType<GraphStore['getLabelHistory']>>) => events.map(({ at: _at, ...rest }) => rest);
      expect(strip(await store.getLabelHistory('a4'))).toEqual([
        { label: 'Weather', annotator: 'ann-1' },
        { label: 'Climate', annotator: 'ann-2' },
        { label: 'Climate', annotator: 'ann-2', undo: true },
      ]);
      expect(strip(await store.getLabelHistory('a2'))).toEqual([
        { label: 'Politics', annotator: 'ann-1' },
        { label: 'Politics', annotator: 'ann-1', undo: true },
        { label: 'Sports', annotator: 'ann-2' },
      ]);
      // A second connection (another API process) sees the same.
      const other = await backend.connectAgain(store);
      try {
        expect(await other.getItem('a2')).toMatchObject({ label: 'Sports', annotator: 'ann-2' });
        expect(strip(await other.getLabelHistory('a4')).at(-1)).toEqual({ label: 'Climate', annotator: 'ann-2', undo: true });
      } finally {
        if (other !== store) await other.close();
      }
    });

    it('embeddings: stored in id order, dropped when the text changes, replaced when set again', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      const vector = (seed: number): Float32Array => Float32Array.from({ length: 384 }, (_, d) => Math.sin(seed * 7 + d));
      await store.setEmbeddings(['a4', 'a2', 'a1', 'a3'].map((id, i) => ({ id, key: `k${i}`, vector: vector(i) })));
      const all = await store.getEmbeddings();
      expect(all.ids).toEqual(['a1', 'a2', 'a3', 'a4']);
      expect(all.matrix.data[2 * 384]).toBeCloseTo(Math.sin(3 * 7), 6); // a3 got vector(3)
      await store.upsertItems([{ id: 'a2', text: 'A new text.', meta: {} }]);
      expect((await store.getEmbeddings()).ids).toEqual(['a1', 'a3', 'a4']);
      expect((await store.listEmbeddingStates()).find((e) => e.id === 'a2')).toEqual({ id: 'a2', text: 'A new text.' });
      await store.setEmbeddings([{ id: 'a2', key: 'new', vector: vector(9) }]);
      const again = await store.getEmbeddings();
      expect(again.ids).toEqual(['a1', 'a2', 'a3', 'a4']);
      expect(again.matrix.data[384]).toBeCloseTo(Math.sin(9 * 7), 6);
      await expect(store.setEmbeddings([{ id: 'ghost', key: 'k', vector: vector(1) }])).rejects.toThrow(UnknownItemsError);
    });

    it('records selection rounds with increasing numbers', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      const pick = (itemId: string, rank: number) => ({ itemId, rank, score: 1 / rank, components: { uncertainty: 0.5, coverage: 0.25 } });
      expect(await store.recordRound({ strategy: 'coverage', at: new Date().toISOString(), picks: [pick('a1', 1), pick('a4', 2)] })).toBe(1);
      expect(await store.recordRound({ strategy: 'random', at: new Date().toISOString(), picks: [pick('a2', 1)] })).toBe(2);
      await expect(store.recordRound({ strategy: 'random', at: '', picks: [pick('ghost', 1)] })).rejects.toThrow(UnknownItemsError);
      expect((await store.stats()).rounds).toBe(2);
    });

    it('a label identical to the current one (same annotator) is stored once; duplicates in a batch: the last wins', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      expect(await store.setLabels([{ id: 'a2', label: 'Politics', annotator: 'ann-1' }])).toEqual({ written: ['a2'], unchanged: [] });
      expect(await store.setLabels([{ id: 'a2', label: 'Politics', annotator: 'ann-1' }])).toEqual({ written: [], unchanged: ['a2'] });
      expect(await store.getLabelHistory('a2')).toHaveLength(1);
      const report = await store.setLabels([{ id: 'a4', label: 'Sports' }, { id: 'a4', label: 'Weather' }]);
      expect(report).toEqual({ written: ['a4'], unchanged: [] });
      expect((await store.getItem('a4'))?.label).toBe('Weather');
      expect((await store.getLabelHistory('a4')).map((e) => e.label)).toEqual(['Weather']);
    });

    it("onConflict 'reject' refuses a different label for a labeled item and writes nothing", async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      const before = await store.stats();
      await expect(store.setLabels([{ id: 'a2', label: 'Politics' }, { id: 'a1', label: 'City' }], { onConflict: 'reject' })).rejects.toThrow(
        LabelConflictError,
      );
      await expect(store.setLabels([{ id: 'a1', label: 'City' }], { onConflict: 'reject' })).rejects.toThrow(/"a1" is labeled "Airport", not "City"/);
      expect(await store.stats()).toEqual(before);
      expect((await store.getItem('a2'))?.label).toBeUndefined();
      // The same label again is not a conflict.
      expect(await store.setLabels([{ id: 'a1', label: 'Airport' }], { onConflict: 'reject' })).toEqual({ written: [], unchanged: ['a1'] });
    });

    it('leases: granted to one holder at a time, renewed for the holder, never on labeled or unknown items', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      const granted = await store.leaseItems({ ids: ['a4', 'a1', 'ghost', 'a2'], holder: 'ann-1', durationMs: 60_000 });
      expect(granted.map((l) => [l.itemId, l.holder])).toEqual([['a4', 'ann-1'], ['a2', 'ann-1']]);
      const expires = Date.parse(granted[0]!.expiresAt) - Date.now();
      expect(expires).toBeGreaterThan(50_000);
      expect(expires).toBeLessThanOrEqual(61_000);
      expect(await store.leaseItems({ ids: ['a2', 'a4'], holder: 'ann-2', durationMs: 60_000 })).toEqual([]);
      expect((await store.leaseItems({ ids: ['a2'], holder: 'ann-1', durationMs: 120_000 })).map((l) => l.itemId)).toEqual(['a2']);
      expect((await store.activeLeases()).map((l) => [l.itemId, l.holder]).sort()).toEqual([['a2', 'ann-1'], ['a4', 'ann-1']]);
      expect((await store.getItem('a4'))?.lease).toMatchObject({ itemId: 'a4', holder: 'ann-1' });
      expect(await store.releaseLeases(['a4'], 'ann-2')).toBe(0);
      expect(await store.releaseLeases(['a4'], 'ann-1')).toBe(1);
      expect((await store.getItem('a4'))?.lease).toBeUndefined();
      expect((await store.leaseItems({ ids: ['a4'], holder: 'ann-2', durationMs: 60_000 })).map((l) => l.holder)).toEqual(['ann-2']);
    });

    it('an expired lease frees the item for others', async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      expect(await store.leaseItems({ ids: ['a2'], holder: 'ann-1', durationMs: 150 })).toHaveLength(1);
      expect(await store.leaseItems({ ids: ['a2'], holder: 'ann-2', durationMs: 60_000 })).toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await store.activeLeases()).toEqual([]);
      expect((await store.leaseItems({ ids: ['a2'], holder: 'ann-2', durationMs: 60_000 })).map((l) => l.holder)).toEqual(['ann-2']);
    });

    it("labels release leases; respectLeases refuses labels for another annotator's item and writes nothing", async () => {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
      await store.leaseItems({ ids: ['a2', 'a4'], holder: 'ann-1', durationMs: 60_000 });
      const before = await store.stats();
      await expect(
        store.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann-2' }], { respectLeases: true }),
      ).rejects.toThrow(/lease conflict: "a4" is leased to "ann-1"/);
      await expect(store.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann-2' }], { respectLeases: true })).rejects.toThrow(LeaseConflictError);
      expect(await store.stats()).toEqual(before);
      expect(await store.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann-1' }], { respectLeases: true })).toEqual({ written: ['a4'], unchanged: [] });
      expect((await store.activeLeases()).map((l) => l.itemId)).toEqual(['a2']);
      // A label without lease checks (the CLI) also ends the lease: a labeled item is never leased.
      await store.setLabels([{ id: 'a2', label: 'Politics' }]);
      expect(await store.activeLeases()).toEqual([]);
      expect(await store.leaseItems({ ids: ['a2'], holder: 'ann-2', durationMs: 60_000 })).toEqual([]);
    });

    const badFiles: Array<[string, string, string | Uint8Array, RegExp]> = [
      ['bad JSON', 'bad.jsonl', '{"id":"n1","text":"ok"}\n{"id": "n2", "text": \n', /bad\.jsonl:2: invalid JSON/],
      ['missing id', 'bad.jsonl', '{"id":"n1","text":"ok"}\n{"text":"no id"}\n', /bad\.jsonl:2: field "id": is required/],
      ['empty id', 'bad.jsonl', '{"id":"  ","text":"blank id"}\n', /bad\.jsonl:1: field "id": must be a non-empty string/],
      ['missing text', 'bad.jsonl', '{"id":"n1"}\n', /bad\.jsonl:1: field "text": is required/],
      ['non-string text', 'bad.jsonl', '{"id":"n1","text":42}\n', /bad\.jsonl:1: field "text": must be a string/],
      ['empty text', 'bad.jsonl', '{"id":"n1","text":"   "}\n', /bad\.jsonl:1: field "text": must not be empty/],
      ['conflicting duplicate id', 'bad.jsonl', '{"id":"n1","text":"one"}\n{"id":"n1","text":"two"}\n', /bad\.jsonl:2: field "id": duplicate id "n1" with different content \(first seen at line 1\)/],
      ['invalid UTF-8', 'bad.jsonl', Buffer.concat([Buffer.from('{"id":"n1","text":"ok"}\n{"id":"n2","text":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]), /bad\.jsonl:2: not valid UTF-8/],
      ['CSV without a text column', 'bad.csv', 'id,body\nc1,hello\n', /bad\.csv:1: field "text": column is missing/],
      ['CSV row with too many fields', 'bad.csv', 'id,text\nc1,hello\nc2,hi,extra\n', /bad\.csv:3: malformed CSV/],
      ['not an object', 'bad.jsonl', '["n1","text"]\n', /bad\.jsonl:1: expected a JSON object/],
    ];
    for (const [name, file, content, message] of badFiles) {
      it(`rejects a pool file with ${name}, naming the line and field, and writes nothing`, async () => {
        await ingestPool(store, { files: [fixture('pool-a.jsonl')], ...dictionaryOnly });
        const before = await store.stats();
        const path = await tempFile(file, content);
        const error = await ingestPool(store, { files: [path], ...dictionaryOnly }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InputValidationError);
        expect((error as Error).message).toMatch(message);
        expect(await store.stats()).toEqual(before);
      });
    }

    it('a bad KG file rejects the whole ingest before any write', async () => {
      const kg = await tempFile('kg.tsv', 'Aarhus\tcountry\tDenmark\nBroken line without tabs\n');
      const error = await ingestPool(store, { files: [fixture('pool-a.jsonl')], kgFile: kg }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/kg\.tsv:2: expected 3 fields/);
      expect(await store.stats()).toEqual(EMPTY);
    });

    it('a bad second file rejects the first one too (all files are validated first)', async () => {
      const bad = await tempFile('bad.jsonl', '{"id":"z"}\n');
      await expect(ingestPool(store, { files: [fixture('pool-a.jsonl'), bad] })).rejects.toThrow(InputValidationError);
      expect(await store.stats()).toEqual(EMPTY);
    });
  });
}
