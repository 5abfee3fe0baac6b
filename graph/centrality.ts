/**
 * Node centrality on the entity graph, over the CSR adjacency (graph/adjacency.ts):
 *
 * - `pagerank` (default): the same iteration as graphology-metrics' pagerank (uniform start, damping
 *   `alpha`, the rank of dangling nodes, i.e. nodes with zero weighted degree such as isolated entities,
 *   spread uniformly over all nodes, stop when the L1 change of an iteration is below `order * tolerance`),
 *   computed as a pull over typed arrays. Given the same tolerance it agrees with graphology-metrics to
 *   ~1e-17 (tests check <= 1e-6); the default tolerance is tighter than graphology's (see the option).
 * - `degree`: weighted degree (strength), or the plain degree when unweighted.
 * - `betweenness`: Brandes; weighted uses distance = 1 / weight (a strong co-occurrence is a short hop;
 *   zero-weight edges are not traversed). Exact for graphs up to `betweennessSamples` nodes, otherwise the
 *   Brandes–Pich estimator: that many seeded random source pivots, scaled by order / pivots.
 * - `eigenvector`: graphology-metrics' power iteration (x <- x + A x, L2-normalised; same stopping rule as
 *   PageRank), which converges on bipartite graphs too.
 *
 * Every result carries `raw` (the measure in its own units) and `values`: raw normalised to sum 1 over all
 * nodes, so centralities of different measures are comparable as shares of "importance mass" (the coverage
 * module relies on this). When raw is zero everywhere (no edges), `values` is uniform 1 / order.
 */
import type { EntityGraph } from './entity-graph.js';
import { type Adjacency, type GraphLike, adjacencyFromGraph, edgeWeights, isAdjacency } from './adjacency.js';
import { sampleIndices, seededRandom } from './random.js';

export type CentralityMeasure = 'pagerank' | 'degree' | 'betweenness' | 'eigenvector';

export const CENTRALITY_MEASURES: readonly CentralityMeasure[] = ['pagerank', 'degree', 'betweenness', 'eigenvector'];

export interface CentralityOptions {
  /** Default `pagerank`. */
  measure?: CentralityMeasure;
  /** Use edge weights (default true). Unweighted counts each distinct pair once. */
  weighted?: boolean;
  /** PageRank damping factor (default 0.85). */
  alpha?: number;
  /**
   * PageRank / eigenvector: stop when the L1 change of an iteration is below order * tolerance (graphology's
   * and NetworkX's rule). Default 1e-9, tighter than their 1e-6: at 100k nodes 1e-6 stops PageRank after 3
   * iterations with ~1% of the mass still misplaced (L1), 1e-9 takes ~12 iterations (~0.1 s at 1M edges).
   */
  tolerance?: number;
  /** PageRank / eigenvector iteration cap (default 200). */
  maxIterations?: number;
  /**
   * Betweenness: number of source pivots. Graphs with at most this many nodes get exact betweenness
   * (default 100, i.e. exact up to 100 nodes). Each pivot is one shortest-path search, O(m log n): ~0.1 s
   * at 1M edges, so the default costs ~10 s there.
   */
  betweennessSamples?: number;
  /** Seed for the betweenness pivots (default 42). */
  seed?: number;
}

export interface CentralityResult {
  measure: CentralityMeasure;
  weighted: boolean;
  /** Entity keys, aligned with `values` and `raw` (the adjacency's ids). */
  keys: readonly string[];
  /** Normalised to sum 1 (uniform when raw is all zero). */
  values: Float64Array;
  /** The measure in its own units: PageRank probabilities, (weighted) degree, pair dependencies (undirected, each pair once; estimated when sampled), L2-normalised eigenvector. */
  raw: Float64Array;
  /** Power iterations run (PageRank, eigenvector); 0 otherwise. */
  iterations: number;
  /** False when PageRank / eigenvector hit maxIterations first (graphology throws there; here the last iterate is returned). */
  converged: boolean;
  /** Betweenness: source pivots used (= order when exact). */
  pivots?: number;
}

/** Centrality of every node of `graph` (an Adjacency, or a graphology graph converted on the fly). */
export function computeCentrality(graph: Adjacency | EntityGraph | GraphLike, options: CentralityOptions = {}): CentralityResult {
  const adjacency = isAdjacency(graph) ? graph : adjacencyFromGraph(graph);
  const measure = options.measure ?? 'pagerank';
  const weighted = options.weighted ?? true;
  let raw: Float64Array;
  let iterations = 0;
  let converged = true;
  let pivots: number | undefined;
  switch (measure) {
    case 'pagerank': {
      const r = pagerank(adjacency, options);
      ({ values: raw, iterations, converged } = r);
      break;
    }
    case 'eigenvector': {
      const r = eigenvectorCentrality(adjacency, options);
      ({ values: raw, iterations, converged } = r);
      break;
    }
    case 'degree':
      raw = degreeCentrality(adjacency, { weighted });
      break;
    case 'betweenness': {
      const r = betweennessCentrality(adjacency, options);
      raw = r.values;
      pivots = r.pivots;
      break;
    }
    default:
      throw new RangeError(`unknown centrality measure ${String(measure)}`);
  }
  return {
    measure,
    weighted,
    keys: adjacency.index.keys,
    values: normaliseToSum1(raw),
    raw,
    iterations,
    converged,
    ...(pivots !== undefined ? { pivots } : {}),
  };
}

export interface IterativeResult {
  values: Float64Array;
  iterations: number;
  converged: boolean;
}

/** PageRank as graphology-metrics computes it (see the module comment), over the CSR. Sums to 1. */
export function pagerank(
  adjacency: Adjacency,
  options: Pick<CentralityOptions, 'weighted' | 'alpha' | 'tolerance' | 'maxIterations'> = {},
): IterativeResult {
  const n = adjacency.order;
  const alpha = options.alpha ?? 0.85;
  const tolerance = options.tolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 200;
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  if (n === 0) return { values: new Float64Array(0), iterations: 0, converged: true };
  const { weights, strength } = edgeWeights(adjacency, options.weighted ?? true);
  const { offsets, neighbors } = adjacency;
  const dangling: number[] = [];
  const inverseStrength = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (strength[i]! === 0) dangling.push(i);
    else inverseStrength[i] = 1 / strength[i]!;
  }
  let x = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  const share = new Float64Array(n); // x[j] / strength[j]
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let dangleSum = 0;
    for (let k = 0; k < dangling.length; k++) dangleSum += x[dangling[k]!]!;
    const base = (alpha * dangleSum + (1 - alpha)) / n;
    for (let j = 0; j < n; j++) share[j] = x[j]! * inverseStrength[j]!;
    let error = 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      const end = offsets[i + 1]!;
      for (let p = offsets[i]!; p < end; p++) sum += weights[p]! * share[neighbors[p]!]!;
      const value = base + alpha * sum;
      next[i] = value;
      error += Math.abs(value - x[i]!);
    }
    const previous = x;
    x = next;
    next = previous;
    if (error < n * tolerance) {
      converged = true;
      break;
    }
  }
  return { values: x, iterations, converged };
}

/** Eigenvector centrality as graphology-metrics computes it (x <- x + A x, L2-normalised), over the CSR. */
export function eigenvectorCentrality(
  adjacency: Adjacency,
  options: Pick<CentralityOptions, 'weighted' | 'tolerance' | 'maxIterations'> = {},
): IterativeResult {
  const n = adjacency.order;
  const tolerance = options.tolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 200;
  if (n === 0) return { values: new Float64Array(0), iterations: 0, converged: true };
  const { weights } = edgeWeights(adjacency, options.weighted ?? true);
  const { offsets, neighbors } = adjacency;
  let x = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      let sum = x[i]!;
      const end = offsets[i + 1]!;
      for (let p = offsets[i]!; p < end; p++) sum += weights[p]! * x[neighbors[p]!]!;
      next[i] = sum;
      squares += sum * sum;
    }
    const norm = Math.sqrt(squares);
    let error = 0;
    for (let i = 0; i < n; i++) {
      const value = next[i]! / norm;
      next[i] = value;
      error += Math.abs(value - x[i]!);
    }
    const previous = x;
    x = next;
    next = previous;
    if (error < n * tolerance) {
      converged = true;
      break;
    }
  }
  return { values: x, iterations, converged };
}

/** Weighted degree (strength), or the number of distinct neighbours when unweighted. */
export function degreeCentrality(adjacency: Adjacency, options: Pick<CentralityOptions, 'weighted'> = {}): Float64Array {
  return edgeWeights(adjacency, options.weighted ?? true).strength.slice();
}

/**
 * Betweenness by Brandes' algorithm from `pivots` seeded random sources (all nodes when order <=
 * betweennessSamples), scaled by order / pivots, undirected (each unordered pair counted once, like
 * graphology-metrics with `normalized: false`). Weighted: Dijkstra with distance 1 / weight.
 */
export function betweennessCentrality(
  adjacency: Adjacency,
  options: Pick<CentralityOptions, 'weighted' | 'betweennessSamples' | 'seed'> = {},
): { values: Float64Array; pivots: number } {
  const n = adjacency.order;
  const weighted = options.weighted ?? true;
  const samples = options.betweennessSamples ?? 100;
  if (!(samples >= 1)) throw new RangeError(`betweennessSamples must be >= 1, got ${samples}`);
  const centrality = new Float64Array(n);
  if (n === 0) return { values: centrality, pivots: 0 };
  const sources = sampleIndices(n, Math.min(n, samples), seededRandom(options.seed ?? 42));
  const { offsets, neighbors, weights } = adjacency;
  const length = new Float64Array(neighbors.length);
  for (let p = 0; p < length.length; p++) length[p] = weighted ? 1 / weights[p]! : 1;
  const sigma = new Float64Array(n);
  const distance = new Float64Array(n).fill(Infinity);
  const delta = new Float64Array(n);
  const order = new Int32Array(n); // nodes in non-decreasing distance (Brandes' stack S)
  const queue = new Int32Array(n);
  const heap = new BinaryHeap(neighbors.length + n);
  for (let s = 0; s < sources.length; s++) {
    const source = sources[s]!;
    let settled = 0;
    sigma[source] = 1;
    distance[source] = 0;
    if (!weighted) {
      let head = 0;
      let tail = 0;
      queue[tail++] = source;
      while (head < tail) {
        const v = queue[head++]!;
        order[settled++] = v;
        const dv = distance[v]! + 1;
        for (let p = offsets[v]!, end = offsets[v + 1]!; p < end; p++) {
          const w = neighbors[p]!;
          if (distance[w] === Infinity) {
            distance[w] = dv;
            queue[tail++] = w;
          }
          if (distance[w] === dv) sigma[w]! += sigma[v]!;
        }
      }
    } else {
      heap.clear();
      heap.push(source, 0);
      while (heap.size > 0) {
        const d = heap.topKey();
        const v = heap.pop();
        if (d > distance[v]! || delta[v] === -1) continue; // stale entry or already settled
        delta[v] = -1; // settled marker, reset below
        order[settled++] = v;
        for (let p = offsets[v]!, end = offsets[v + 1]!; p < end; p++) {
          const len = length[p]!;
          if (len === Infinity) continue;
          const w = neighbors[p]!;
          const dw = d + len;
          if (dw < distance[w]!) {
            distance[w] = dw;
            sigma[w] = sigma[v]!;
            heap.push(w, dw);
          } else if (dw === distance[w]! && delta[w] !== -1) {
            sigma[w]! += sigma[v]!;
          }
        }
      }
      for (let k = 0; k < settled; k++) delta[order[k]!] = 0;
    }
    // Accumulate dependencies in reverse distance order; predecessors are neighbours v with d(v) + len = d(w).
    for (let k = settled - 1; k >= 0; k--) {
      const w = order[k]!;
      const coefficient = (1 + delta[w]!) / sigma[w]!;
      const dw = distance[w]!;
      for (let p = offsets[w]!, end = offsets[w + 1]!; p < end; p++) {
        const v = neighbors[p]!;
        if (distance[v]! + (weighted ? length[p]! : 1) === dw) delta[v]! += sigma[v]! * coefficient;
      }
      if (w !== source) centrality[w]! += delta[w]!;
    }
    for (let k = 0; k < settled; k++) {
      const v = order[k]!;
      sigma[v] = 0;
      distance[v] = Infinity;
      delta[v] = 0;
    }
  }
  // Each unordered pair is seen from both ends when every node is a source: halve; scale the sample up.
  const scale = (0.5 * n) / sources.length;
  for (let i = 0; i < n; i++) centrality[i]! *= scale;
  return { values: centrality, pivots: sources.length };
}

/** `values / sum(values)`; uniform 1 / length when the sum is 0 (or not finite). */
export function normaliseToSum1(values: Float64Array): Float64Array {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const out = new Float64Array(values.length);
  if (!(sum > 0 && sum < Infinity)) return out.fill(values.length > 0 ? 1 / values.length : 0);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! / sum;
  return out;
}

/** Min-heap of (node, key) pairs on typed arrays; duplicates allowed (lazy deletion by the caller). */
class BinaryHeap {
  private readonly nodes: Int32Array;
  private readonly keys: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.nodes = new Int32Array(Math.max(1, capacity));
    this.keys = new Float64Array(Math.max(1, capacity));
  }

  clear(): void {
    this.size = 0;
  }

  topKey(): number {
    return this.keys[0]!;
  }

  push(node: number, key: number): void {
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.nodes[i] = this.nodes[parent]!;
      this.keys[i] = this.keys[parent]!;
      i = parent;
    }
    this.nodes[i] = node;
    this.keys[i] = key;
  }

  pop(): number {
    const top = this.nodes[0]!;
    const last = --this.size;
    if (last > 0) {
      const node = this.nodes[last]!;
      const key = this.keys[last]!;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        if (child + 1 < last && this.keys[child + 1]! < this.keys[child]!) child++;
        if (this.keys[child]! >= key) break;
        this.nodes[i] = this.nodes[child]!;
        this.keys[i] = this.keys[child]!;
        i = child;
      }
      this.nodes[i] = node;
      this.keys[i] = key;
    }
    return top;
  }
}
