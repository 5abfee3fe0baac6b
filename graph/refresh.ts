/**
 * One call for `kgal graph refresh`: entity graph -> adjacency -> centrality + Louvain communities, with
 * per-phase timings. Pure: the caller reads the EntityGraphInput from a store and writes the per-entity
 * results back (`entityAnalysisRows`).
 */
import { type Adjacency, buildAdjacency } from './adjacency.js';
import { type CentralityOptions, type CentralityResult, computeCentrality } from './centrality.js';
import { type CommunityOptions, type CommunityResult, detectCommunities } from './communities.js';
import type { EntityGraphInput, EntityGraphOptions } from './entity-graph.js';
import type { EntityIndex } from './entity-index.js';

export interface AnalyzeOptions extends EntityGraphOptions {
  centrality?: CentralityOptions;
  communities?: CommunityOptions;
}

export interface EntityGraphStats {
  nodes: number;
  /** Distinct undirected entity pairs. */
  edges: number;
  communities: number;
  modularity: number;
  /** PageRank / eigenvector iterations (0 for degree and betweenness). */
  centralityIterations: number;
  centralityConverged: boolean;
  millis: { build: number; centrality: number; communities: number; total: number };
}

export interface EntityGraphAnalysis {
  index: EntityIndex;
  adjacency: Adjacency;
  centrality: CentralityResult;
  community: CommunityResult;
  stats: EntityGraphStats;
}

export function analyzeEntityGraph(input: EntityGraphInput, options: AnalyzeOptions = {}): EntityGraphAnalysis {
  const t0 = performance.now();
  const adjacency = buildAdjacency(input, options.relationWeight !== undefined ? { relationWeight: options.relationWeight } : {});
  const t1 = performance.now();
  const centrality = computeCentrality(adjacency, options.centrality);
  const t2 = performance.now();
  const community = detectCommunities(adjacency, options.communities);
  const t3 = performance.now();
  return {
    index: adjacency.index,
    adjacency,
    centrality,
    community,
    stats: {
      nodes: adjacency.order,
      edges: adjacency.size,
      communities: community.count,
      modularity: community.modularity,
      centralityIterations: centrality.iterations,
      centralityConverged: centrality.converged,
      millis: { build: t1 - t0, centrality: t2 - t1, communities: t3 - t2, total: t3 - t0 },
    },
  };
}

export interface EntityAnalysisRow {
  key: string;
  /** Normalised centrality (sums to 1 over all entities). */
  centrality: number;
  community: number;
}

/** One row per entity, in index order: what a store writes back (e.g. Entity.pagerank / Entity.community). */
export function entityAnalysisRows(analysis: Pick<EntityGraphAnalysis, 'index' | 'centrality' | 'community'>): EntityAnalysisRow[] {
  const { keys } = analysis.index;
  const rows: EntityAnalysisRow[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    rows[i] = { key: keys[i]!, centrality: analysis.centrality.values[i]!, community: analysis.community.community[i]! };
  }
  return rows;
}
