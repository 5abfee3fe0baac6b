import Graph from 'graphology';
import louvain from 'graphology-communities-louvain';
import { describe, expect, it } from 'vitest';
import { adjacencyFromGraph } from '../graph/adjacency.js';
import { detectCommunities, modularity, renumberBySize } from '../graph/communities.js';
import { seededRandom } from '../graph/random.js';

type WeightedGraph = Graph<Record<string, unknown>, { weight: number }>;

function twoCliques(size: number): WeightedGraph {
  const graph: WeightedGraph = new Graph({ type: 'undirected' });
  for (const side of ['a', 'b']) {
    for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) graph.mergeEdge(`${side}${i}`, `${side}${j}`, { weight: 1 });
  }
  graph.mergeEdge('a0', 'b0', { weight: 1 });
  return graph;
}

/** `blocks` planted groups of `size` nodes: dense inside (p = 0.3), sparse across (p = 0.01), weights 1..3. */
function plantedPartition(blocks: number, size: number, seed: number): WeightedGraph {
  const random = seededRandom(seed);
  const graph: WeightedGraph = new Graph({ type: 'undirected' });
  const n = blocks * size;
  for (let i = 0; i < n; i++) graph.addNode(`v${i}`);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const same = Math.floor(i / size) === Math.floor(j / size);
      if (random() < (same ? 0.3 : 0.01)) graph.addEdge(`v${i}`, `v${j}`, { weight: 1 + Math.floor(random() * 3) });
    }
  }
  return graph;
}

describe('Louvain communities', () => {
  it('finds two planted cliques joined by one edge', () => {
    const graph = twoCliques(6);
    const result = detectCommunities(graph);
    expect(result.count).toBe(2);
    expect(Array.from(result.sizes)).toEqual([6, 6]);
    const keys = graph.nodes();
    const of = (key: string): number => result.community[keys.indexOf(key)]!;
    for (let i = 1; i < 6; i++) {
      expect(of(`a${i}`)).toBe(of('a0'));
      expect(of(`b${i}`)).toBe(of('b0'));
    }
    expect(of('a0')).not.toBe(of('b0'));
    expect(result.modularity).toBeCloseTo(modularity(adjacencyFromGraph(graph), result.community), 12);
  });

  it('is deterministic for a seed', () => {
    const adjacency = adjacencyFromGraph(plantedPartition(8, 25, 3));
    const first = detectCommunities(adjacency, { seed: 7 });
    const second = detectCommunities(adjacency, { seed: 7 });
    expect(second.community).toEqual(first.community);
    expect(second.modularity).toBe(first.modularity);
    for (const seed of [1, 2, 3]) {
      const r = detectCommunities(adjacency, { seed });
      expect(r.count).toBe(8); // the planted blocks, whatever the visiting order
      expect(detectCommunities(adjacency, { seed }).community).toEqual(r.community);
    }
  });

  it('over the CSR view gives what the library gives on the graphology graph', () => {
    for (const seed of [1, 2]) {
      const graph = plantedPartition(6, 30, seed);
      const adjacency = adjacencyFromGraph(graph);
      for (const weighted of [true, false]) {
        const ours = detectCommunities(adjacency, { seed, weighted });
        const library = louvain.detailed(graph, { rng: seededRandom(seed), getEdgeWeight: weighted ? 'weight' : null });
        const libraryLabels = renumberBySize(Int32Array.from(graph.nodes(), (key) => library.communities[key]!));
        expect(ours.count).toBe(library.count);
        expect(ours.modularity).toBeCloseTo(library.modularity, 10);
        expect(ours.community).toEqual(libraryLabels.community);
        expect(modularity(adjacency, ours.community, { weighted })).toBeCloseTo(ours.modularity, 10);
      }
    }
  });

  it('accepts resolution and leaves isolated nodes (and edgeless graphs) as singletons', () => {
    const graph = twoCliques(5);
    graph.addNode('alone');
    const coarse = detectCommunities(graph);
    expect(coarse.count).toBe(3);
    expect(coarse.community[graph.nodes().indexOf('alone')]).toBe(2); // smallest community gets the last id
    const fine = detectCommunities(plantedPartition(4, 20, 9), { resolution: 4 });
    expect(fine.count).toBeGreaterThan(4);
    const empty = new Graph({ type: 'undirected' });
    ['x', 'y'].forEach((k) => empty.addNode(k));
    expect(detectCommunities(empty)).toEqual({ community: Int32Array.from([0, 1]), count: 2, sizes: Int32Array.from([1, 1]), modularity: 0 });
  });

  it('renumbers communities by decreasing size, ties by first member', () => {
    const r = renumberBySize(Int32Array.from([5, 9, 9, 5, 2, 9]));
    expect(Array.from(r.community)).toEqual([1, 0, 0, 1, 2, 0]);
    expect(Array.from(r.sizes)).toEqual([3, 2, 1]);
    expect(r.count).toBe(3);
  });
});
