import { describe, expect, it } from 'vitest';
import { runKgal } from './support/cli.js';
import { fixture } from './support/fixtures.js';
import { freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';

/**
 * Cluster-ready driver use: the whole CLI loop through a `neo4j://` (routing) URI, as against a cluster or
 * Aura, where the driver asks the server for a routing table and sends reads (read transactions) to
 * readers and writes to the leader. A standalone server answers with itself in every role, which is
 * what the CI Neo4j checks: a scheme the store did not handle would fail here.
 */
describe.skipIf(neo4jSkipped())('Neo4j through a routing URI (neo4j://)', () => {
  it('ingests, refreshes the graph inside the database, labels and queries', async () => {
    const store = await freshNeo4jStore();
    await store.close();
    const routing = neo4jTestUri()!.replace(/^bolt:\/\//, 'neo4j://');
    expect(routing.startsWith('neo4j://')).toBe(true);
    const env = { NEO4J_URI: routing, NEO4J_DATABASE: process.env.NEO4J_DATABASE ?? 'neo4j' };

    const ingest = runKgal(['ingest', fixture('pool-a.jsonl'), fixture('pool-b.csv'), '--kg', fixture('kg.tsv')], env);
    expect(ingest.status, ingest.stderr).toBe(0);
    const refresh = runKgal(['graph', 'refresh', '--engine', 'gds', '--json'], env);
    expect(refresh.status, refresh.stderr).toBe(0);
    const report = JSON.parse(refresh.stdout) as { engine: string; graph: { nodes: number } };
    expect(report.engine).toBe('gds');
    const query = runKgal(['query', '--batch', '2', '--strategy', 'coverage', '--json'], env);
    expect(query.status, query.stderr).toBe(0);
    const picks = (JSON.parse(query.stdout) as { picks: Array<{ id: string }> }).picks;
    expect(picks).toHaveLength(2);
    const stats = runKgal(['stats', '--json'], env);
    expect(stats.status, stats.stderr).toBe(0);
    const counts = JSON.parse(stats.stdout) as { items: number; entities: number };
    expect(counts.items).toBe(7);
    expect(report.graph.nodes).toBe(counts.entities);
    expect(counts.entities).toBeGreaterThan(5);
  });
});
