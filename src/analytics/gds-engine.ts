import type { CentralityMeasure } from '../../graph/centrality.js';
import { normaliseToSum1 } from '../../graph/centrality.js';
import { renumberBySize } from '../../graph/communities.js';
import { EntityIndex } from '../../graph/entity-index.js';
import type { EntityGraphStats } from '../../graph/refresh.js';
import { KgalError, UsageError } from '../errors/kgal-error.js';
import { compareIds } from '../store/id-order.js';

/**
 * Entity analytics computed inside Neo4j with the Graph Data Science library (`kgal graph refresh
 * --engine gds`): the entity graph never leaves the database, so its size is bounded by the server's
 * memory instead of one Node process's. Same graph as the in-process path (graph/adjacency.ts): undirected,
 * weight = co-occurrence count + relationWeight per KG fact, self-loops dropped, isolated entities kept;
 * same outputs: centrality normalised to sum 1, communities renumbered by size.
 */

/** What the engine needs from a store: read-only Cypher (Neo4jGraphStore.query; GDS's procedures run in read transactions). */
export interface CypherReader {
  query(cypher: string, parameters?: Record<string, unknown>): Promise<Array<Record<string, unknown>>>;
}

export function isCypherReader(value: unknown): value is CypherReader {
  return typeof value === 'object' && value !== null && typeof (value as CypherReader).query === 'function';
}

export interface GdsAnalyticsOptions {
  measure?: CentralityMeasure;
  /** Weight of one KG fact between two entities (default 1, as in graph/entity-graph.ts). */
  relationWeight?: number;
  /** PageRank damping (default 0.85), tolerance (default 1e-9) and iteration cap (default 200): the in-process defaults. */
  alpha?: number;
  tolerance?: number;
  maxIterations?: number;
}

export interface GdsAnalysis {
  index: EntityIndex;
  centrality: Float64Array;
  community: Int32Array;
  stats: EntityGraphStats;
  gdsVersion: string;
}

// The undirected entity graph, each pair once (a.key < b.key), weights summed, projected with GDS's Cypher
// aggregation; an entity without a larger-keyed neighbour still yields one row with b = null (a node only).
const PROJECT = `
MATCH (a:Entity)
OPTIONAL MATCH (a)-[r:CO_OCCURS|RELATED]-(b:Entity) WHERE a.key < b.key
WITH a, b, sum(CASE type(r) WHEN 'CO_OCCURS' THEN toFloat(r.weight) WHEN 'RELATED' THEN $relationWeight ELSE 0.0 END) AS weight
WITH gds.graph.project($graph, a, b, {relationshipProperties: CASE WHEN b IS NULL THEN {} ELSE {weight: weight} END}, {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships`;

const CENTRALITY: Record<CentralityMeasure, string> = {
  pagerank: `CALL gds.pageRank.mutate($graph, {mutateProperty: 'centrality', relationshipWeightProperty: 'weight', dampingFactor: $alpha, tolerance: $tolerance, maxIterations: $maxIterations})
             YIELD ranIterations, didConverge RETURN ranIterations AS iterations, didConverge AS converged`,
  degree: `CALL gds.degree.mutate($graph, {mutateProperty: 'centrality', relationshipWeightProperty: 'weight'}) YIELD nodePropertiesWritten RETURN 0 AS iterations, true AS converged`,
  betweenness: `CALL gds.betweenness.mutate($graph, {mutateProperty: 'centrality'}) YIELD nodePropertiesWritten RETURN 0 AS iterations, true AS converged`,
  eigenvector: `CALL gds.eigenvector.mutate($graph, {mutateProperty: 'centrality', relationshipWeightProperty: 'weight', tolerance: $tolerance, maxIterations: $maxIterations})
                YIELD ranIterations, didConverge RETURN ranIterations AS iterations, didConverge AS converged`,
};

const LOUVAIN = `CALL gds.louvain.mutate($graph, {mutateProperty: 'community', relationshipWeightProperty: 'weight'})
                 YIELD modularity, communityCount RETURN modularity, communityCount`;

const READ_BACK = `CALL gds.graph.nodeProperties.stream($graph, ['centrality', 'community'])
                   YIELD nodeId, nodeProperty, propertyValue
                   RETURN gds.util.asNode(nodeId).key AS key, nodeProperty AS property, propertyValue AS value`;

const DROP = `CALL gds.graph.drop($graph, false) YIELD graphName RETURN graphName`;

/** Runs projection, centrality, Louvain and the read-back in Neo4j; always drops its in-memory graph. */
export async function analyseWithGds(reader: CypherReader, options: GdsAnalyticsOptions = {}): Promise<GdsAnalysis> {
  const gdsVersion = await requireGds(reader);
  const measure = options.measure ?? 'pagerank';
  // A name of its own per call: two refreshes (two API processes) must not share a catalog entry.
  const graph = `kgal-entities-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const t0 = performance.now();
  try {
    const [projected] = await reader.query(PROJECT, { graph, relationWeight: options.relationWeight ?? 1 });
    const t1 = performance.now();
    const [run] = await reader.query(CENTRALITY[measure], {
      graph,
      alpha: options.alpha ?? 0.85,
      tolerance: options.tolerance ?? 1e-9,
      maxIterations: options.maxIterations ?? 200,
    });
    const t2 = performance.now();
    const [louvain] = await reader.query(LOUVAIN, { graph });
    const t3 = performance.now();
    const rows = await reader.query(READ_BACK, { graph });

    const keys = [...new Set(rows.map((r) => String(r.key)))].sort(compareIds);
    const index = EntityIndex.fromKeys(keys);
    const raw = new Float64Array(keys.length);
    const labels = new Int32Array(keys.length);
    for (const row of rows) {
      const e = index.indexOf(String(row.key));
      if (row.property === 'centrality') raw[e] = Number(row.value);
      else labels[e] = Number(row.value);
    }
    const community = renumberBySize(labels);
    const t4 = performance.now();
    return {
      index,
      centrality: normaliseToSum1(raw),
      community: community.community,
      gdsVersion,
      stats: {
        nodes: Number(projected?.nodes ?? keys.length),
        // Undirected projections count each pair in both directions.
        edges: Number(projected?.relationships ?? 0) / 2,
        communities: community.count,
        modularity: Number(louvain?.modularity ?? 0),
        centralityIterations: Number(run?.iterations ?? 0),
        centralityConverged: run?.converged !== false,
        millis: { build: t1 - t0, centrality: t2 - t1, communities: t3 - t2, total: t4 - t0 },
      },
    };
  } finally {
    await reader.query(DROP, { graph }).catch(() => undefined);
  }
}

/** The GDS version, or a clear error when the server has no Graph Data Science library. */
async function requireGds(reader: CypherReader): Promise<string> {
  try {
    const [row] = await reader.query('RETURN gds.version() AS version');
    return String(row?.version);
  } catch (error) {
    if (/gds\.version/i.test(String((error as Error)?.message))) {
      throw new KgalError(
        'store-unavailable',
        'this Neo4j has no Graph Data Science library (gds.version() is unknown): add the GDS 2.13 plugin (scripts/neo4j-start.sh loads it) or use --engine graphology',
        { cause: error },
      );
    }
    throw error;
  }
}

/** `--engine` values: where the entity analytics run. */
export type AnalyticsEngine = 'graphology' | 'gds';
export const ANALYTICS_ENGINES: readonly AnalyticsEngine[] = ['graphology', 'gds'];

/** The store as a CypherReader for the gds engine, or a usage error naming why not. */
export function gdsReader(store: unknown): CypherReader {
  if (!isCypherReader(store)) throw new UsageError('--engine gds runs inside Neo4j: pass --neo4j <uri> (or set NEO4J_URI)');
  return store;
}
