import { describe, expect, it } from 'vitest';
import { refreshEntityAnalytics } from '../src/analytics/graph-state.js';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import { queryPool } from '../src/selector/query-pool.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { fixture, tempFile } from './support/fixtures.js';
import { freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';

const options = {
  files: [fixture('pool-a.jsonl'), fixture('pool-b.csv')],
  kgFile: fixture('kg.tsv'),
  createExtractor: (g: ConstructorParameters<typeof GazetteerExtractor>[0]) => new GazetteerExtractor(g),
};

describe('kgal graph refresh', () => {
  it('computes centrality, communities and coverage from the store (embedded)', async () => {
    const store = await MemoryGraphStore.open();
    await ingestPool(store, options);
    const report = await refreshEntityAnalytics(store);
    expect(report.measure).toBe('pagerank');
    expect(report.graph.nodes).toBe(9);
    // Labeled: a1 (aarhus airport, aarhus, denmark), a3 (copenhagen, aarhus), b1 (alan bean, apollo 12), b3 (copenhagen, denmark).
    expect(report.coverage.coveredEntities).toBe(6);
    expect(report.coverage.massShare).toBeGreaterThan(0.5);
    expect(report.coverage.massShare).toBeLessThan(1);
  });

  it.skipIf(neo4jSkipped())('writes pagerank, community, coverage and gap onto the Neo4j entities for Cypher', async () => {
    const store = await freshNeo4jStore();
    try {
      await ingestPool(store, options);
      const report = await refreshEntityAnalytics(store);
      const rows = await store.query(
        `MATCH (e:Entity) RETURN e.key AS key, e.pagerank AS pagerank, e.centrality AS centrality, e.community AS community,
                e.coverage AS coverage, e.gap AS gap ORDER BY key`,
      );
      expect(rows).toHaveLength(9);
      const total = rows.reduce((sum, r) => sum + (r.pagerank as number), 0);
      expect(total).toBeCloseTo(1, 9);
      const byKey = Object.fromEntries(rows.map((r) => [r.key as string, r]));
      expect(byKey['copenhagen']).toMatchObject({ coverage: 2 });
      expect(byKey['nasa']).toMatchObject({ coverage: 0 });
      expect(byKey['nasa']!.gap).toBeCloseTo(byKey['nasa']!.centrality as number, 12); // uncovered: gap = centrality
      expect((byKey['copenhagen']!.gap as number)).toBeLessThan(byKey['copenhagen']!.centrality as number);
      expect(new Set(rows.map((r) => r.community)).size).toBe(report.graph.communities);
    } finally {
      await store.close();
    }
  });
});

describe('queries reuse a current refresh instead of re-analysing the graph', () => {
  const backends = [
    { name: 'MemoryGraphStore', skip: false, open: () => MemoryGraphStore.open() },
    { name: 'Neo4jGraphStore', skip: neo4jSkipped(), open: () => freshNeo4jStore() },
  ];
  for (const backend of backends) {
    it.skipIf(backend.skip)(`${backend.name}: stored analytics while current, recomputed once the graph changes`, async () => {
      const store = await backend.open();
      try {
        await ingestPool(store, options);
        const computed = await queryPool(store, { batchSize: 2, strategy: 'coverage', record: false });
        expect(computed.graphSource).toBe('computed');
        await refreshEntityAnalytics(store);
        const stored = await queryPool(store, { batchSize: 2, strategy: 'coverage', record: false });
        expect(stored.graphSource).toBe('stored');
        expect(stored.picks).toEqual(computed.picks);
        expect(stored.coverage).toEqual(computed.coverage);
        expect((await queryPool(store, { batchSize: 2, strategy: 'coverage', centrality: 'degree', record: false })).graphSource).toBe('computed');
        await store.setLabels([{ id: 'a2', label: 'Politics' }]); // labels change coverage, not the graph
        expect((await queryPool(store, { batchSize: 2, strategy: 'coverage', record: false })).graphSource).toBe('stored');
        const more = await tempFile('more.jsonl', '{"id":"m1","text":"NASA flew Apollo 12 with Alan Bean."}\n');
        await ingestPool(store, { ...options, files: [more], kgFile: undefined });
        expect((await queryPool(store, { batchSize: 2, strategy: 'coverage', record: false })).graphSource).toBe('computed');
      } finally {
        await store.close();
      }
    });
  }
});
