import { describe, expect, it } from 'vitest';
import { buildEntityGraph, type EntityGraphInput } from '../graph/entity-graph.js';
import { computeCentrality } from '../graph/centrality.js';
import { coverageCounts, coverageSummary } from '../graph/coverage.js';
import { analyzeEntityGraph, entityAnalysisRows } from '../graph/refresh.js';

function cliquesInput(): EntityGraphInput {
  const keys = ['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'solo'];
  const cooccurrences: Array<{ a: string; b: string; weight: number }> = [];
  for (const side of ['a', 'b']) {
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) cooccurrences.push({ a: `${side}${i}`, b: `${side}${j}`, weight: 2 });
  }
  return {
    entities: keys.map((key) => ({ key, name: key, type: 'topic', kg: false })),
    cooccurrences,
    relations: [{ subject: 'a0', predicate: 'near', object: 'b0' }],
  };
}

describe('analyzeEntityGraph', () => {
  it('builds, ranks and partitions in one call, with stats', () => {
    const input = cliquesInput();
    const analysis = analyzeEntityGraph(input);
    expect(analysis.stats).toMatchObject({ nodes: 9, edges: 13, communities: 3, centralityConverged: true });
    expect(analysis.stats.modularity).toBeGreaterThan(0.3);
    for (const phase of ['build', 'centrality', 'communities', 'total'] as const) expect(analysis.stats.millis[phase]).toBeGreaterThanOrEqual(0);
    expect(analysis.centrality.measure).toBe('pagerank');
    expect(analysis.centrality.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Same numbers as running the measure on the graphology graph.
    const fromGraph = computeCentrality(buildEntityGraph(input));
    expect(Array.from(analysis.centrality.values)).toEqual(Array.from(fromGraph.values));
    const rows = entityAnalysisRows(analysis);
    expect(rows.map((r) => r.key)).toEqual(input.entities.map((e) => e.key));
    const a0 = rows.find((r) => r.key === 'a0')!;
    const a1 = rows.find((r) => r.key === 'a1')!;
    const b1 = rows.find((r) => r.key === 'b1')!;
    expect(a0.community).toBe(a1.community);
    expect(a0.community).not.toBe(b1.community);
    expect(a0.centrality).toBeGreaterThan(a1.centrality); // the bridge end
    expect(rows.find((r) => r.key === 'solo')!.community).toBe(2);
  });

  it('passes measure, relation weight and community options through, and feeds coverage', () => {
    const input = cliquesInput();
    const analysis = analyzeEntityGraph(input, { relationWeight: 10, centrality: { measure: 'degree' }, communities: { seed: 3 } });
    expect(analysis.centrality.raw[analysis.index.indexOf('a0')]).toBe(2 * 3 + 10);
    const labeled = analysis.index.packItems([['a0', 'a1'], ['b2']]);
    const summary = coverageSummary(analysis.centrality.values, coverageCounts(analysis.index.size, labeled));
    expect(summary.coveredEntities).toBe(3);
    expect(summary.massShare).toBeCloseTo((16 + 6 + 6) / (2 * (12 + 12 + 10)), 12);
  });
});
