/**
 * Louvain communities of the entity graph, by graphology-communities-louvain (modularity optimisation,
 * Blondel et al. 2008; weighted; its `fastLocalMoves` and `randomWalk` defaults; the visiting order drawn
 * from a seeded generator, so the same graph and seed give the same partition).
 *
 * The library reads its input through a handful of graphology methods (forEachNode, forEachEdge,
 * undirectedDegreeWithoutSelfLoops, order/size/type) and immediately copies it into its own typed-array
 * index. Over an Adjacency we therefore hand it a read-only view exposing exactly those (`louvainView`),
 * instead of building a graphology graph first: that build alone costs ~9 s at 1M edges, the Louvain run
 * itself ~1-1.5 s. The view is checked against a real graphology graph in tests/graph-communities.test.ts
 * (same partition quality), which also guards against a library upgrade reading anything else.
 *
 * Community ids are renumbered 0..count-1 by decreasing size (ties: smallest member id first), so id 0 is
 * the largest community and ids are stable for a given partition. Isolated nodes are singleton communities.
 */
import louvain from 'graphology-communities-louvain';
import type { EntityGraph } from './entity-graph.js';
import { type Adjacency, type GraphLike, adjacencyFromGraph, isAdjacency } from './adjacency.js';
import { seededRandom } from './random.js';

export interface CommunityOptions {
  /** Use edge weights (default true). */
  weighted?: boolean;
  /** Modularity resolution (default 1; higher gives more, smaller communities). */
  resolution?: number;
  /** Seed of the visiting order (default 42). */
  seed?: number;
  /** graphology-communities-louvain's queue-based local moves (default true). */
  fastLocalMoves?: boolean;
  /** Visit nodes in random (seeded) order (default true). */
  randomWalk?: boolean;
}

export interface CommunityResult {
  /** Community id per node id (entity index), 0 = largest community. */
  community: Int32Array;
  /** Number of communities. */
  count: number;
  /** Nodes per community id. */
  sizes: Int32Array;
  /** Modularity of the partition at the given resolution (0 for a graph without edges). */
  modularity: number;
}

export function detectCommunities(graph: Adjacency | EntityGraph | GraphLike, options: CommunityOptions = {}): CommunityResult {
  const adjacency = isAdjacency(graph) ? graph : adjacencyFromGraph(graph);
  const n = adjacency.order;
  if (adjacency.size === 0) {
    const community = new Int32Array(n);
    for (let i = 0; i < n; i++) community[i] = i;
    return { community, count: n, sizes: new Int32Array(n).fill(1), modularity: 0 };
  }
  const weighted = options.weighted ?? true;
  const weights = adjacency.weights;
  const detailed = louvain.detailed(louvainView(adjacency) as unknown as Parameters<typeof louvain.detailed>[0], {
    getEdgeWeight: weighted ? (edge: string) => weights[edge as unknown as number]! : null,
    resolution: options.resolution ?? 1,
    fastLocalMoves: options.fastLocalMoves ?? true,
    randomWalk: options.randomWalk ?? true,
    rng: seededRandom(options.seed ?? 42),
  });
  const raw = new Int32Array(n);
  const mapping = detailed.communities as unknown as Record<number, number>;
  for (let i = 0; i < n; i++) raw[i] = mapping[i]!;
  return { ...renumberBySize(raw), modularity: detailed.modularity };
}

/** Relabels arbitrary non-negative community labels to 0..count-1 by decreasing size (ties: smallest member first). */
export function renumberBySize(labels: Int32Array): { community: Int32Array; count: number; sizes: Int32Array } {
  const n = labels.length;
  let max = -1;
  for (let i = 0; i < n; i++) if (labels[i]! > max) max = labels[i]!;
  const counts = new Int32Array(max + 1);
  const first = new Int32Array(max + 1).fill(n);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c < 0) throw new RangeError(`negative community label at ${i}`);
    counts[c]!++;
    if (first[c] === n) first[c] = i;
  }
  const used: number[] = [];
  for (let c = 0; c <= max; c++) if (counts[c]! > 0) used.push(c);
  used.sort((a, b) => counts[b]! - counts[a]! || first[a]! - first[b]!);
  const rename = new Int32Array(max + 1);
  const sizes = new Int32Array(used.length);
  used.forEach((c, id) => {
    rename[c] = id;
    sizes[id] = counts[c]!;
  });
  const community = new Int32Array(n);
  for (let i = 0; i < n; i++) community[i] = rename[labels[i]!]!;
  return { community, count: used.length, sizes };
}

/**
 * Modularity of a partition (Newman; with resolution γ: Q = Σ_c [in_c / 2W − γ (tot_c / 2W)²], where in_c
 * counts each internal edge from both ends and W is the total edge weight). For checks and reports.
 */
export function modularity(
  adjacency: Adjacency,
  community: Int32Array,
  options: Pick<CommunityOptions, 'weighted' | 'resolution'> = {},
): number {
  const weighted = options.weighted ?? true;
  const resolution = options.resolution ?? 1;
  const { offsets, neighbors, weights } = adjacency;
  let count = 0;
  for (let i = 0; i < community.length; i++) count = Math.max(count, community[i]! + 1);
  const inside = new Float64Array(count);
  const total = new Float64Array(count);
  let twiceW = 0;
  for (let i = 0; i < adjacency.order; i++) {
    const c = community[i]!;
    for (let p = offsets[i]!, end = offsets[i + 1]!; p < end; p++) {
      const w = weighted ? weights[p]! : 1;
      total[c]! += w;
      twiceW += w;
      if (community[neighbors[p]!] === c) inside[c]! += w;
    }
  }
  if (twiceW === 0) return 0;
  let q = 0;
  for (let c = 0; c < count; c++) q += inside[c]! / twiceW - resolution * (total[c]! / twiceW) ** 2;
  return q;
}

/**
 * A read-only, graphology-shaped view of an Adjacency with exactly what graphology-communities-louvain
 * reads (node keys are the integer ids; edge keys are the CSR positions, for the weight getter). The
 * mutators exist only to pass graphology-utils' `isGraph` duck-type check and throw if called.
 */
export function louvainView(adjacency: Adjacency): object {
  const { order, size, offsets, neighbors } = adjacency;
  const readOnly = (): never => {
    throw new Error('louvainView is a read-only view of an Adjacency');
  };
  return {
    type: 'undirected',
    multi: false,
    order,
    size,
    selfLoopCount: 0,
    directedSize: 0,
    undirectedSize: size,
    addUndirectedEdgeWithKey: readOnly,
    dropNode: readOnly,
    setNodeAttribute: readOnly,
    forEachNode(callback: (node: number) => void): void {
      for (let i = 0; i < order; i++) callback(i);
    },
    undirectedDegreeWithoutSelfLoops(node: number): number {
      return offsets[node + 1]! - offsets[node]!;
    },
    forEachEdge(
      callback: (edge: number, attributes: undefined, source: number, target: number, sa: undefined, ta: undefined, undirected: boolean) => void,
    ): void {
      for (let i = 0; i < order; i++) {
        for (let p = offsets[i]!, end = offsets[i + 1]!; p < end; p++) {
          const j = neighbors[p]!;
          if (j > i) callback(p, undefined, i, j, undefined, undefined, true);
        }
      }
    },
  };
}
