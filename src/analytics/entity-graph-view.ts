import Graph from 'graphology';
import { buildEntityGraph } from '../../graph/entity-graph.js';
import type { CoverageSummary } from '../../graph/coverage.js';
import type { GraphStore } from '../store/graph-store.js';
import { compareIds } from '../store/id-order.js';
import { loadGraphState, type GraphStateOptions } from './graph-state.js';

/** How many entities `loadEntityGraph` (and GET /v1/graph) keeps by default, and at most. */
export const ENTITY_GRAPH_LIMITS = { default: 300, max: 5_000 } as const;

/** Node size range for drawing (sigma.js reads `size`): by centrality, relative to the most central entity shown. */
const SIZE = { min: 2, max: 12 } as const;

export interface EntityViewNode {
  /** The entity's name (what a renderer prints). */
  label: string;
  /** person, place, organization, topic, kg, ... (not `type`: sigma.js reads `type` as the node's drawing program). */
  entityType: string;
  /** Part of an external knowledge graph. */
  kg: boolean;
  /** Normalised centrality (sums to 1 over all entities, not only those shown). */
  centrality: number;
  /** n(e): labeled items mentioning the entity. */
  coverage: number;
  covered: boolean;
  /** gap(e) = centrality · decay(coverage): the centrality mass the labels have not covered yet. */
  gap: number;
  community: number;
  /** Drawing size, from centrality. */
  size: number;
  /** Mentioned by the next batch (set by GET /v1/graph?nextBatch=n). */
  nextBatch?: boolean;
}

export interface EntityViewEdge {
  /** Co-occurrence count plus the weight of KG facts between the two entities. */
  weight: number;
  cooccurrence: number;
  predicates: string[];
}

export interface EntityViewAttributes {
  measure: string;
  graphSource: 'stored' | 'computed';
  /** Entities in the whole graph (the view keeps the `shown` most central). */
  entities: number;
  shown: number;
  /** Coverage of the whole graph (not only the entities shown). */
  coverage: CoverageSummary;
  /** The next batch previewed (GET /v1/graph?nextBatch=n): its items and the entities they mention. */
  nextBatch?: { strategy: string; items: string[]; entities: string[] };
}

export type EntityView = Graph<EntityViewNode, EntityViewEdge, EntityViewAttributes>;

export interface LoadEntityGraphOptions extends GraphStateOptions {
  /** The most central entities to keep (default 300); their edges among each other come with them. */
  limit?: number;
}

/**
 * The entity graph as a graphology Graph: the `limit` most central entities, each with its centrality,
 * coverage by the labels, gap and community, and the weighted edges among them. Any graphology metric
 * or layout runs on it; GET /v1/graph serves `graph.export()`.
 */
export async function loadEntityGraph(store: GraphStore, options: LoadEntityGraphOptions = {}): Promise<EntityView> {
  const limit = Math.max(0, Math.min(options.limit ?? ENTITY_GRAPH_LIMITS.default, ENTITY_GRAPH_LIMITS.max));
  const [state, data] = await Promise.all([loadGraphState(store, options), store.getEntityGraph()]);
  const { coverage, index } = state;
  const ranked = Array.from({ length: index.size }, (_, e) => e).sort(
    (a, b) => coverage.centrality[b]! - coverage.centrality[a]! || compareIds(index.key(a), index.key(b)),
  );
  const kept = ranked.slice(0, limit);
  const keys = new Set(kept.map((e) => index.key(e)));
  // Only the kept entities and the edges among them go through the graph builder (the whole graph can be large).
  const graph = buildEntityGraph({
    entities: data.entities.filter((entity) => keys.has(entity.key)).sort((a, b) => compareIds(a.key, b.key)),
    cooccurrences: data.cooccurrences.filter((edge) => keys.has(edge.a) && keys.has(edge.b)),
    relations: data.relations.filter((relation) => keys.has(relation.subject) && keys.has(relation.object)),
  });
  const view: EntityView = new Graph({ type: 'undirected', multi: false, allowSelfLoops: false });
  const top = kept.length > 0 ? coverage.centrality[kept[0]!]! : 0;
  for (const e of kept) {
    const key = index.key(e);
    const centrality = coverage.centrality[e]!;
    const stored = graph.hasNode(key) ? graph.getNodeAttributes(key) : undefined;
    view.addNode(key, {
      label: state.entityNames.get(key) ?? stored?.name ?? key,
      entityType: state.entityTypes.get(key) ?? stored?.type ?? 'unknown',
      kg: stored?.kg ?? false,
      centrality,
      coverage: coverage.counts[e]!,
      covered: coverage.counts[e]! > 0,
      gap: coverage.gaps[e]!,
      community: coverage.community?.[e] ?? 0,
      size: SIZE.min + (SIZE.max - SIZE.min) * (top > 0 ? Math.sqrt(centrality / top) : 0),
    });
  }
  graph.forEachEdge((_edge, attributes, source, target) => {
    if (view.hasNode(source) && view.hasNode(target)) view.addEdge(source, target, { ...attributes, predicates: [...attributes.predicates] });
  });
  view.replaceAttributes({ measure: options.centrality ?? 'pagerank', graphSource: state.source, entities: index.size, shown: view.order, coverage: coverage.summary() });
  return view;
}
