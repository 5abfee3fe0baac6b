import { describe, expect, it } from 'vitest';
import { analyseWithGds } from '../src/analytics/gds-engine.js';
import { refreshEntityAnalytics } from '../src/analytics/graph-state.js';
import { UsageError } from '../src/errors/kgal-error.js';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import type { Neo4jGraphStore } from '../src/store/neo4j-store.js';
import { sharedData, tempFile } from './support/fixtures.js';
import { freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';

/**
 * `kgal graph refresh --engine gds` against the test Neo4j, which scripts/neo4j-start.sh starts with the
 * Graph Data Science plugin: the same entity properties as the in-process (graphology) analytics.
 */

// Two 5-cliques joined by one bridge, a KG fact inside clique A, one isolated entity.
const A = ['Arno', 'Avon', 'Aire', 'Adur', 'Alde'];
const B = ['Bure', 'Brue', 'Brit', 'Bain', 'Bela'];
function cliquePool(): string {
  const rows: string[] = [];
  for (const clique of [A, B]) {
    for (let i = 0; i < clique.length; i++) {
      for (let j = i + 1; j < clique.length; j++) rows.push(JSON.stringify({ id: `${clique[i]}-${clique[j]}`, text: `${clique[i]} met ${clique[j]} today.` }));
    }
  }
  rows.push(JSON.stringify({ id: 'bridge', text: 'Arno met Bure once.' }));
  rows.push(JSON.stringify({ id: 'alone', text: 'Solo stayed home.', label: 'quiet' }));
  return rows.join('\n') + '\n';
}
const KG = ['subject\tpredicate\tobject', ...[...A, ...B, 'Solo'].map((n) => `${n}\tinstanceOf\tRiver_Name`), 'Alde\tflowsInto\tAvon'].join('\n') + '\n';

async function readAnalytics(store: Neo4jGraphStore): Promise<Map<string, { centrality: number; community: number; coverage: number; gap: number }>> {
  const rows = await store.query('MATCH (e:Entity) RETURN e.key AS key, e.centrality AS centrality, e.community AS community, e.coverage AS coverage, e.gap AS gap');
  return new Map(rows.map((r) => [String(r.key), { centrality: Number(r.centrality), community: Number(r.community), coverage: Number(r.coverage), gap: Number(r.gap) }]));
}

describe('entity analytics inside Neo4j (GDS)', () => {
  it.skipIf(neo4jSkipped())('writes the same centrality, communities, coverage and gaps as the in-process engine on a fixed graph', async () => {
    const store = await freshNeo4jStore();
    try {
      await ingestPool(store, {
        files: [await tempFile('cliques.jsonl', cliquePool())],
        kgFile: await tempFile('rivers.tsv', KG),
        createExtractor: (g) => new GazetteerExtractor(g),
      });
      const inProcess = await refreshEntityAnalytics(store, { engine: 'graphology' });
      const expected = await readAnalytics(store);
      const inDatabase = await refreshEntityAnalytics(store, { engine: 'gds' });
      const actual = await readAnalytics(store);

      expect(inDatabase.engine).toBe('gds');
      expect(inDatabase.gdsVersion).toMatch(/^2\.13\./);
      expect(inDatabase.graph.nodes).toBe(inProcess.graph.nodes);
      expect(inDatabase.graph.edges).toBe(inProcess.graph.edges);
      expect(inDatabase.graph.communities).toBe(inProcess.graph.communities);
      expect(inDatabase.graph.modularity).toBeCloseTo(inProcess.graph.modularity, 6);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, want] of expected) {
        const got = actual.get(key)!;
        expect(got.centrality, key).toBeCloseTo(want.centrality, 6);
        expect(got.community, key).toBe(want.community);
        expect(got.coverage, key).toBe(want.coverage);
        expect(got.gap, key).toBeCloseTo(want.gap, 6);
      }
      // The structure itself, not only agreement: the cliques are two communities, the labeled item covers Solo.
      expect(new Set(A.map((n) => actual.get(n.toLowerCase())?.community)).size).toBe(1);
      expect(actual.get('arno')!.community).not.toBe(actual.get('bure')!.community);
      expect(actual.get('solo')!.coverage).toBe(1);
      for (const [field, value] of Object.entries(inProcess.coverage)) expect((inDatabase.coverage as unknown as Record<string, number>)[field], field).toBeCloseTo(value as number, 8);
    } finally {
      await store.close();
    }
  });

  it.skipIf(neo4jSkipped())('agrees with the in-process PageRank on a real entity graph (300 AG News texts) and leaves no projection behind', async () => {
    const store = await freshNeo4jStore();
    try {
      const lines = (await import('node:fs')).readFileSync(sharedData('ag_news', 'ag_news_test.jsonl'), 'utf8').split('\n').slice(0, 300).join('\n') + '\n';
      await ingestPool(store, { files: [await tempFile('agnews-300.jsonl', lines)], ignoreLabels: true });
      const reference = await refreshEntityAnalytics(store);
      const expected = await readAnalytics(store);
      const gds = await analyseWithGds(store);
      expect(gds.stats.nodes).toBe(reference.graph.nodes);
      expect(gds.stats.edges).toBe(reference.graph.edges);
      let worst = 0;
      gds.index.keys.forEach((key, e) => {
        worst = Math.max(worst, Math.abs(gds.centrality[e]! - expected.get(key)!.centrality));
      });
      expect(worst).toBeLessThan(1e-6);
      // Louvain is randomised differently in each library: the partitions need not match, their quality should.
      expect(Math.abs(gds.stats.modularity - reference.graph.modularity)).toBeLessThan(0.05);
      expect(await store.query('CALL gds.graph.list() YIELD graphName RETURN graphName')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('says that the gds engine needs Neo4j on the embedded store', async () => {
    const store = await MemoryGraphStore.open();
    await expect(refreshEntityAnalytics(store, { engine: 'gds' })).rejects.toThrow(UsageError);
    await expect(refreshEntityAnalytics(store, { engine: 'gds' })).rejects.toThrow(/--engine gds runs inside Neo4j/);
  });
});
