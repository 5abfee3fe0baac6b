import type { CentralityMeasure } from '../../graph/centrality.js';
import { CoverageTracker, DEFAULT_DECAY, coverageCounts, type CoverageSummary, type DecayFunction } from '../../graph/coverage.js';
import { analyzeEntityGraph, entityAnalysisRows, type EntityGraphAnalysis, type EntityGraphStats } from '../../graph/refresh.js';
import type { EntityGraphData, GraphStore, StoredItem } from '../store/graph-store.js';

export interface GraphStateOptions {
  centrality?: CentralityMeasure;
  decay?: DecayFunction;
}

/** The knowledge graph as selection sees it: analytics plus the coverage the labeled items give. */
export interface GraphState {
  items: StoredItem[];
  /** Entity keys per item id. */
  entitiesByItem: Map<string, string[]>;
  entityNames: Map<string, string>;
  analysis: EntityGraphAnalysis;
  /** Coverage state with n(e) = labeled items mentioning e; advance it to simulate picks. */
  coverage: CoverageTracker;
}

/** Reads items, mentions and the entity graph from the store and analyses them (PageRank, Louvain, coverage). */
export async function loadGraphState(store: GraphStore, options: GraphStateOptions = {}): Promise<GraphState> {
  const [items, itemEntities, graph] = await Promise.all([store.listItems(), store.listItemEntities(), store.getEntityGraph()]);
  const analysis = analyzeEntityGraph(canonicalOrder(graph), { centrality: { measure: options.centrality ?? 'pagerank' } });
  const entitiesByItem = new Map(itemEntities.map((e) => [e.id, [...e.keys].sort(byString)]));
  const labeled = items.filter((i) => i.label !== undefined).map((i) => entitiesByItem.get(i.id) ?? []);
  const coverage = new CoverageTracker(analysis.centrality.values, {
    decay: options.decay ?? DEFAULT_DECAY,
    counts: coverageCounts(analysis.index.size, analysis.index.packItems(labeled)),
    community: analysis.community.community,
  });
  return { items, entitiesByItem, entityNames: new Map(graph.entities.map((e) => [e.key, e.name])), analysis, coverage };
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Stores list entities and edges in their own order; sorting them first makes the analysis (and so every
 * score and pick) bit-identical whichever store the graph came from.
 */
function canonicalOrder(graph: EntityGraphData): EntityGraphData {
  return {
    entities: [...graph.entities].sort((x, y) => byString(x.key, y.key)),
    cooccurrences: [...graph.cooccurrences].sort((x, y) => byString(x.a, y.a) || byString(x.b, y.b)),
    relations: [...graph.relations].sort(
      (x, y) => byString(x.subject, y.subject) || byString(x.object, y.object) || byString(x.predicate, y.predicate),
    ),
  };
}

export interface RefreshReport {
  graph: EntityGraphStats;
  coverage: CoverageSummary;
  measure: CentralityMeasure;
}

/**
 * `kgal graph refresh`: recomputes centrality, communities and coverage gaps and writes them to the
 * entities (Entity.centrality/.pagerank/.community/.coverage/.gap), so Cypher can explore them.
 */
export async function refreshEntityAnalytics(store: GraphStore, options: GraphStateOptions = {}): Promise<RefreshReport> {
  const state = await loadGraphState(store, options);
  const measure = options.centrality ?? 'pagerank';
  const rows = entityAnalysisRows(state.analysis).map((row, e) => ({
    ...row,
    coverage: state.coverage.counts[e]!,
    gap: state.coverage.gaps[e]!,
  }));
  await store.setEntityAnalytics(rows, measure);
  return { graph: state.analysis.stats, coverage: state.coverage.summary(), measure };
}
