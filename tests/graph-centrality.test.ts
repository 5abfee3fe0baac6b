import Graph from 'graphology';
import betweennessGraphology from 'graphology-metrics/centrality/betweenness.js';
import eigenvectorGraphology from 'graphology-metrics/centrality/eigenvector.js';
import pagerankGraphology from 'graphology-metrics/centrality/pagerank.js';
import { describe, expect, it } from 'vitest';
import { adjacencyFromGraph, buildAdjacency } from '../graph/adjacency.js';
import { computeCentrality, normaliseToSum1, pagerank } from '../graph/centrality.js';
import { buildEntityGraph } from '../graph/entity-graph.js';
import { seededRandom } from '../graph/random.js';

type WeightedGraph = Graph<Record<string, unknown>, { weight: number }>;

/** Random undirected graph with integer weights in 1..maxWeight and `isolated` extra isolated nodes. */
function randomGraph(n: number, m: number, seed: number, options: { isolated?: number; weights?: number[] } = {}): WeightedGraph {
  const random = seededRandom(seed);
  const graph: WeightedGraph = new Graph({ type: 'undirected' });
  for (let i = 0; i < n + (options.isolated ?? 0); i++) graph.addNode(`n${i}`);
  const weights = options.weights ?? [1, 2, 3, 4, 5];
  let tries = 0;
  while (graph.size < m && tries++ < 100 * m) {
    const a = Math.floor(random() * n);
    const b = Math.floor(random() * n);
    if (a === b || graph.hasEdge(`n${a}`, `n${b}`)) continue;
    graph.addEdge(`n${a}`, `n${b}`, { weight: weights[Math.floor(random() * weights.length)]! });
  }
  return graph;
}

function star(leaves: number): WeightedGraph {
  const graph: WeightedGraph = new Graph({ type: 'undirected' });
  graph.addNode('hub');
  for (let i = 0; i < leaves; i++) graph.mergeEdge('hub', `leaf${i}`, { weight: i + 1 });
  return graph;
}

function maxAbsDiff(keys: readonly string[], values: Float64Array, reference: Record<string, number>): number {
  let max = 0;
  keys.forEach((key, i) => {
    max = Math.max(max, Math.abs(values[i]! - reference[key]!));
  });
  return max;
}

const sum = (values: Float64Array): number => values.reduce((a, b) => a + b, 0);

const graphs: Array<[string, () => WeightedGraph]> = [
  ['random 60 nodes / 150 edges + 5 isolated', () => randomGraph(60, 150, 1, { isolated: 5 })],
  ['random 300 nodes / 400 edges + 20 isolated', () => randomGraph(300, 400, 2, { isolated: 20 })],
  ['star with weighted spokes', () => star(12)],
  [
    'two components and an isolated node',
    () => {
      const g: WeightedGraph = new Graph({ type: 'undirected' });
      g.mergeEdge('a', 'b', { weight: 1 });
      g.mergeEdge('b', 'c', { weight: 4 });
      g.mergeEdge('x', 'y', { weight: 2 });
      g.addNode('alone');
      return g;
    },
  ],
];

describe('PageRank over the CSR adjacency', () => {
  for (const [name, make] of graphs) {
    for (const tolerance of [1e-6, 1e-9]) {
      for (const weighted of [true, false]) {
        it(`matches graphology-metrics on ${name} (tolerance ${tolerance}, ${weighted ? 'weighted' : 'unweighted'})`, () => {
          const graph = make();
          const reference = pagerankGraphology(graph, { getEdgeWeight: weighted ? 'weight' : null, tolerance, maxIterations: 200 });
          const result = computeCentrality(graph, { measure: 'pagerank', weighted, tolerance });
          expect(result.converged).toBe(true);
          expect(maxAbsDiff(result.keys, result.raw, reference)).toBeLessThanOrEqual(1e-6);
          expect(maxAbsDiff(result.keys, result.values, reference)).toBeLessThanOrEqual(1e-6);
          expect(sum(result.values)).toBeCloseTo(1, 12);
        });
      }
    }
  }

  it('matches with other damping factors', () => {
    const graph = randomGraph(80, 200, 7, { isolated: 3 });
    for (const alpha of [0.5, 0.99]) {
      const reference = pagerankGraphology(graph, { getEdgeWeight: 'weight', alpha, maxIterations: 1000 });
      const result = computeCentrality(graph, { alpha, tolerance: 1e-6, maxIterations: 1000 });
      expect(maxAbsDiff(result.keys, result.raw, reference)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('agrees with graphology on the entity graph built from a store-shaped input', () => {
    const input = {
      entities: ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => ({ key, name: key, type: 't', kg: false })),
      cooccurrences: [
        { a: 'a', b: 'b', weight: 3 },
        { a: 'a', b: 'c', weight: 1 },
        { a: 'b', b: 'c', weight: 2 },
        { a: 'c', b: 'd', weight: 1 },
      ],
      relations: [{ subject: 'd', predicate: 'p', object: 'e' }],
    };
    const reference = pagerankGraphology(buildEntityGraph(input), { getEdgeWeight: 'weight', tolerance: 1e-9, maxIterations: 200 });
    const result = computeCentrality(buildAdjacency(input));
    expect(maxAbsDiff(result.keys, result.raw, reference)).toBeLessThanOrEqual(1e-6);
    expect(result.raw[5]).toBeCloseTo(reference.f!, 12); // isolated f
  });

  it('gives dangling nodes the teleport share and stays finite when all of a node’s edges weigh 0', () => {
    const graph: WeightedGraph = new Graph({ type: 'undirected' });
    graph.mergeEdge('a', 'b', { weight: 1 });
    graph.mergeEdge('c', 'd', { weight: 0 });
    const result = computeCentrality(graph);
    expect(result.values.every(Number.isFinite)).toBe(true);
    expect(sum(result.values)).toBeCloseTo(1, 12);
    expect(result.raw[2]).toBeCloseTo(result.raw[3]!, 15);
    expect(result.raw[0]).toBeGreaterThan(result.raw[2]!);
  });

  it('reports non-convergence instead of throwing', () => {
    const result = pagerank(adjacencyFromGraph(randomGraph(50, 100, 3)), { maxIterations: 2, tolerance: 1e-15 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(2);
  });
});

describe('degree and eigenvector centrality', () => {
  it('degree is the weighted degree (or the plain degree), normalised to sum 1', () => {
    const graph = star(4); // spokes weigh 1..4
    const weighted = computeCentrality(graph, { measure: 'degree' });
    expect(Array.from(weighted.raw)).toEqual([10, 1, 2, 3, 4]);
    expect(weighted.values[0]).toBeCloseTo(0.5, 15);
    const plain = computeCentrality(graph, { measure: 'degree', weighted: false });
    expect(Array.from(plain.raw)).toEqual([4, 1, 1, 1, 1]);
    expect(sum(plain.values)).toBeCloseTo(1, 15);
  });

  it('eigenvector matches graphology-metrics (L2-normalised raw) and ranks the hub first', () => {
    for (const [, make] of graphs) {
      const graph = make();
      for (const weighted of [true, false]) {
        const reference = eigenvectorGraphology(graph, { getEdgeWeight: weighted ? 'weight' : null, tolerance: 1e-9, maxIterations: 2000 });
        const result = computeCentrality(graph, { measure: 'eigenvector', weighted, maxIterations: 2000 });
        expect(result.converged).toBe(true);
        expect(maxAbsDiff(result.keys, result.raw, reference)).toBeLessThanOrEqual(1e-6);
        expect(sum(result.values)).toBeCloseTo(1, 12);
      }
    }
    const hub = computeCentrality(star(6), { measure: 'eigenvector', weighted: false });
    expect(hub.values[0]).toBe(Math.max(...hub.values));
  });

  it('is uniform on a graph without edges', () => {
    const graph = new Graph({ type: 'undirected' });
    ['a', 'b', 'c', 'd'].forEach((k) => graph.addNode(k));
    for (const measure of ['pagerank', 'degree', 'betweenness', 'eigenvector'] as const) {
      expect(Array.from(computeCentrality(graph, { measure }).values)).toEqual([0.25, 0.25, 0.25, 0.25]);
    }
    expect(Array.from(normaliseToSum1(new Float64Array(0)))).toEqual([]);
  });
});

describe('betweenness', () => {
  it('exact: matches graphology-metrics unweighted, and weighted with distance = 1 / weight', () => {
    for (const [name, make] of [
      ...graphs,
      ['dyadic weights', () => randomGraph(70, 200, 5, { weights: [1, 2, 4] })] as [string, () => WeightedGraph],
    ]) {
      const graph = make();
      const unweighted = betweennessGraphology(graph, { getEdgeWeight: null, normalized: false });
      const mine = computeCentrality(graph, { measure: 'betweenness', weighted: false, betweennessSamples: graph.order });
      expect(mine.pivots, name).toBe(graph.order);
      expect(maxAbsDiff(mine.keys, mine.raw, unweighted), name).toBeLessThanOrEqual(1e-9);
      if (name === 'dyadic weights' || name.startsWith('star') || name.startsWith('two')) {
        // Dyadic 1/weight lengths keep path lengths exact, so ties are the same on both sides.
        const weighted = betweennessGraphology(graph, { getEdgeWeight: (_e, a) => 1 / a.weight, normalized: false });
        const mineWeighted = computeCentrality(graph, { measure: 'betweenness', betweennessSamples: graph.order });
        expect(maxAbsDiff(mineWeighted.keys, mineWeighted.raw, weighted), name).toBeLessThanOrEqual(1e-9);
      }
    }
  });

  it('sampled Brandes with k = n pivots equals exact, and k < n estimates it', () => {
    const graph = randomGraph(120, 360, 11, { isolated: 4 });
    const exact = betweennessGraphology(graph, { getEdgeWeight: null, normalized: false });
    for (const seed of [1, 2]) {
      const sampled = computeCentrality(graph, { measure: 'betweenness', weighted: false, betweennessSamples: graph.order, seed });
      expect(maxAbsDiff(sampled.keys, sampled.raw, exact)).toBeLessThanOrEqual(1e-9);
    }
    // The estimator is unbiased: averaging many half-size samples gets close to exact.
    const n = graph.order;
    const mean = new Float64Array(n);
    const runs = 40;
    for (let seed = 0; seed < runs; seed++) {
      const r = computeCentrality(graph, { measure: 'betweenness', weighted: false, betweennessSamples: 60, seed });
      expect(r.pivots).toBe(60);
      for (let i = 0; i < n; i++) mean[i]! += r.raw[i]! / runs;
    }
    const keys = graph.nodes();
    const total = keys.reduce((s, k) => s + exact[k]!, 0);
    const l1 = keys.reduce((s, k, i) => s + Math.abs(mean[i]! - exact[k]!), 0);
    expect(l1 / total).toBeLessThan(0.05);
    // Same seed, same estimate.
    const again = computeCentrality(graph, { measure: 'betweenness', weighted: false, betweennessSamples: 60, seed: 3 });
    const again2 = computeCentrality(graph, { measure: 'betweenness', weighted: false, betweennessSamples: 60, seed: 3 });
    expect(again.raw).toEqual(again2.raw);
  });

  it('puts the bridge node of a path first', () => {
    const graph: WeightedGraph = new Graph({ type: 'undirected' });
    graph.mergeEdge('a', 'b', { weight: 1 });
    graph.mergeEdge('b', 'c', { weight: 1 });
    const r = computeCentrality(graph, { measure: 'betweenness' });
    expect(Array.from(r.raw)).toEqual([0, 1, 0]);
    expect(Array.from(r.values)).toEqual([0, 1, 0]);
  });
});
