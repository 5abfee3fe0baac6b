import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import { adjacencyFromEdges, adjacencyFromGraph, buildAdjacency, type Adjacency } from '../graph/adjacency.js';
import { buildEntityGraph, type EntityGraphInput } from '../graph/entity-graph.js';
import { EntityIndex, itemEntityIds, packItemIds } from '../graph/entity-index.js';

const entity = (key: string) => ({ key, name: key.toUpperCase(), type: 'kg', kg: true });

function edgeMap(adjacency: Adjacency): Map<string, number> {
  const edges = new Map<string, number>();
  const { keys } = adjacency.index;
  for (let i = 0; i < adjacency.order; i++) {
    for (let p = adjacency.offsets[i]!; p < adjacency.offsets[i + 1]!; p++) {
      const j = adjacency.neighbors[p]!;
      if (j > i) edges.set([keys[i], keys[j]].sort().join('|'), adjacency.weights[p]!);
    }
  }
  return edges;
}

describe('buildAdjacency', () => {
  const input: EntityGraphInput = {
    entities: ['a', 'b', 'c', 'd', 'lonely'].map(entity),
    cooccurrences: [
      { a: 'a', b: 'b', weight: 3 },
      { a: 'b', b: 'a', weight: 1 }, // same pair, other orientation: merged
      { a: 'c', b: 'd', weight: 2 },
      { a: 'a', b: 'a', weight: 9 }, // self-loop: dropped
      { a: 'a', b: 'ghost', weight: 9 }, // unknown key: dropped
    ],
    relations: [
      { subject: 'b', predicate: 'partOf', object: 'a' },
      { subject: 'b', predicate: 'near', object: 'c' },
      { subject: 'c', predicate: 'self', object: 'c' },
    ],
  };

  it('has the same nodes, edges and weights as buildEntityGraph', () => {
    const adjacency = buildAdjacency(input, { relationWeight: 2 });
    const graph = buildEntityGraph(input, { relationWeight: 2 });
    expect(adjacency.index.keys).toEqual(graph.nodes());
    expect(adjacency.order).toBe(graph.order);
    expect(adjacency.size).toBe(graph.size);
    const expected = new Map<string, number>();
    graph.forEachEdge((_e, attributes, s, t) => expected.set([s, t].sort().join('|'), attributes.weight));
    expect(edgeMap(adjacency)).toEqual(expected);
    expect(edgeMap(adjacency)).toEqual(new Map([['a|b', 6], ['c|d', 2], ['b|c', 2]]));
    expect(Array.from(adjacency.strength)).toEqual([6, 8, 4, 2, 0]);
    expect(adjacency.totalWeight).toBe(10);
    expect(adjacency.offsets[5]! - adjacency.offsets[4]!).toBe(0);
  });

  it('rejects duplicate entity keys and bad weights', () => {
    expect(() => buildAdjacency({ entities: [entity('a'), entity('a')], cooccurrences: [], relations: [] })).toThrow(/duplicate/);
    expect(() =>
      buildAdjacency({ entities: [entity('a'), entity('b')], cooccurrences: [{ a: 'a', b: 'b', weight: -1 }], relations: [] }),
    ).toThrow(/weight/);
  });

  it('merges repeated pairs from raw edge arrays', () => {
    const index = EntityIndex.fromKeys(['x', 'y', 'z']);
    const adjacency = adjacencyFromEdges(index, [0, 1, 0, 2, 1], [1, 0, 1, 2, 2]);
    expect(adjacency.size).toBe(2);
    expect(edgeMap(adjacency)).toEqual(new Map([['x|y', 3], ['y|z', 1]]));
  });

  it('converts a graphology graph in its node order, missing weights counting 1', () => {
    const graph = new Graph({ type: 'undirected' });
    ['q', 'p', 'r'].forEach((k) => graph.addNode(k));
    graph.addEdge('q', 'p', { weight: 2.5 });
    graph.addEdge('p', 'r');
    const adjacency = adjacencyFromGraph(graph);
    expect(adjacency.index.keys).toEqual(['q', 'p', 'r']);
    expect(edgeMap(adjacency)).toEqual(new Map([['p|q', 2.5], ['p|r', 1]]));
  });
});

describe('EntityIndex', () => {
  it('maps keys to dense ids and packs items, dropping unknown and repeated keys', () => {
    const index = EntityIndex.fromKeys(['a', 'b', 'c']);
    expect(index.size).toBe(3);
    expect(index.indexOf('c')).toBe(2);
    expect(index.indexOf('nope')).toBe(-1);
    expect(Array.from(index.encode(['c', 'x', 'c', 'a']))).toEqual([2, 0]);
    const items = index.packItems([['a', 'b', 'a'], [], ['zzz', 'c']]);
    expect(items.count).toBe(3);
    expect(Array.from(items.offsets)).toEqual([0, 2, 2, 3]);
    expect(Array.from(itemEntityIds(items, 2))).toEqual([2]);
    expect(packItemIds([[1, 1, 0], [2]])).toEqual(index.packItems([['b', 'a'], ['c']]));
  });
});
