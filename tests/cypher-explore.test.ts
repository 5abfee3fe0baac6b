import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshEntityAnalytics } from '../src/analytics/graph-state.js';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { listExplorationQueries, readExplorationQuery } from '../src/explore/exploration-query.js';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import { createRandom } from '../src/model/seeded-random.js';
import { queryPool } from '../src/selector/query-pool.js';
import type { Neo4jGraphStore } from '../src/store/neo4j-store.js';
import { runKgal } from './support/cli.js';
import { fixture, tempFile } from './support/fixtures.js';
import { freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';

/** Unit vectors of the 384 dimensions the item vector index expects; b1 and b2 close together. */
function vectors(ids: string[]): Array<{ id: string; key: string; vector: Float32Array }> {
  const rng = createRandom(9);
  const base = Float32Array.from({ length: 384 }, () => rng.next() - 0.5);
  return ids.map((id) => {
    const v = id === 'b1' || id === 'b2' ? base.map((x) => x + (rng.next() - 0.5) * 0.05) : Float32Array.from({ length: 384 }, () => rng.next() - 0.5);
    const norm = Math.hypot(...v);
    return { id, key: 'synthetic', vector: v.map((x) => x / norm) };
  });
}

describe.skipIf(neo4jSkipped())('cypher/explore files against a seeded Neo4j', () => {
  let store: Neo4jGraphStore;
  beforeAll(async () => {
    store = await freshNeo4jStore();
    await ingestPool(store, {
      files: [fixture('pool-a.jsonl'), fixture('pool-b.csv')],
      kgFile: fixture('kg.tsv'),
      createExtractor: (g) => new GazetteerExtractor(g),
    });
    await store.setEmbeddings(vectors(['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3']));
    await refreshEntityAnalytics(store);
    await queryPool(store, { batchSize: 2, strategy: 'coverage' });
  });
  afterAll(async () => {
    await store.close();
  });

  const expectations: Record<string, { params?: Record<string, unknown>; check: (rows: Array<Record<string, unknown>>) => void }> = {
    'top-gaps': { check: (rows) => expect(rows[0]!.gap as number).toBeGreaterThanOrEqual(rows.at(-1)!.gap as number) },
    'coverage-by-community': { check: (rows) => rows.forEach((r) => expect(r.coveredShare as number).toBeLessThanOrEqual(1)) },
    'items-filling-entity': { params: { key: 'apollo 12' }, check: (rows) => expect(rows.map((r) => r.id)).toEqual(['b2']) },
    'label-distribution-per-entity': { params: { key: 'copenhagen' }, check: (rows) => expect(rows).toEqual([{ label: 'City', items: 2, share: 1 }]) },
    'entity-neighbourhood': { check: (rows) => expect(rows.map((r) => r.key)).toContain('copenhagen') },
    'similar-items': { params: { id: 'b1', k: 3 }, check: (rows) => expect(rows[0]!.id).toBe('b2') },
    'round-history': { check: (rows) => expect(rows.map((r) => [r.round, r.strategy, r.rank])).toEqual([[1, 'coverage', 1], [1, 'coverage', 2]]) },
  };

  it('every exploration file is covered by this test', async () => {
    expect(await listExplorationQueries()).toEqual(Object.keys(expectations).sort());
  });

  for (const [name, { params, check }] of Object.entries(expectations)) {
    it(`${name} returns its documented columns`, async () => {
      const query = await readExplorationQuery(name);
      expect(query.columns.length).toBeGreaterThan(0);
      const rows = await store.query(query.statement, { ...query.defaults, ...params });
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(Object.keys(row)).toEqual(query.columns);
      check(rows);
    });
  }

  it('`kgal cypher` runs a file with --param and prints a table', () => {
    const result = runKgal(['cypher', 'label-distribution-per-entity', '--param', 'key="copenhagen"'], { NEO4J_URI: neo4jTestUri() });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/label\s+items\s+share/);
    expect(result.stdout).toMatch(/City\s+2\s+1/);
    expect(result.stdout).toContain('(1 rows)');
  });

  it('a Cypher syntax error is a rejected query (exit 1) with its position, never the file content', async () => {
    const file = await tempFile('broken.cypher', 'secret-host-name-4711\n');
    const result = runKgal(['cypher', file], { NEO4J_URI: neo4jTestUri() });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^kgal: Cypher syntax error at line 1, column 1\n$/);
    expect(result.stderr).not.toContain('secret');
    expect((await store.stats()).items).toBe(7);
  });

  it('injection-looking parameters are data, never Cypher', async () => {
    const query = await readExplorationQuery('items-filling-entity');
    const rows = await store.query(query.statement, { ...query.defaults, key: "x'}) DETACH DELETE n //" });
    expect(rows).toEqual([]);
    expect((await store.stats()).items).toBe(7);
  });
});
