import type { CentralityMeasure } from '../../graph/centrality.js';
import { CoverageTracker, DEFAULT_DECAY, coverageCounts, type CoverageSummary, type DecayFunction } from '../../graph/coverage.js';
import { EntityIndex, selectItems, type ItemEntityLists } from '../../graph/entity-index.js';
import { analyzeEntityGraph, type EntityGraphStats } from '../../graph/refresh.js';
import type { EntityType } from '../entities/entity-extractor.js';
import { type AnalyticsEngine, analyseWithGds, gdsReader } from './gds-engine.js';
import type { EntityGraphData, GraphStore, ItemSummary, StoredEntityAnalytics } from '../store/graph-store.js';
import { compareIds, inIdOrder, isInIdOrder, positionsIn, sameIds } from '../store/id-order.js';
import { ListingMemo } from '../store/listing-memo.js';
import { labelPositions } from './label-positions.js';

export interface GraphStateOptions {
  centrality?: CentralityMeasure;
  decay?: DecayFunction;
}

/** The knowledge graph as selection sees it: centrality and communities plus the coverage the labels give. */
export interface GraphState {
  /** In id order (the candidate order on every store); without texts (`store.getItems` for those needed). */
  items: readonly ItemSummary[];
  /** The entity ids each item mentions, aligned with `items` (in key order). */
  itemEntities: ItemEntityLists;
  entityNames: Map<string, string>;
  entityTypes: Map<string, EntityType>;
  /** Entity ids: keys in sorted order. */
  index: EntityIndex;
  /** Coverage state with n(e) = labeled items mentioning e; advance it to simulate picks. */
  coverage: CoverageTracker;
  /** Where centrality and communities came from: this call's analysis, or the store's (fresh) refresh. */
  source: 'computed' | 'stored';
  /** Present when computed. */
  stats?: EntityGraphStats;
}

/**
 * Reads items and mentions and gets centrality and communities: from the store when `kgal graph refresh`
 * ran on the current graph version with the same measure (the graph is not re-analysed on every query),
 * else by analysing the entity graph now.
 */
export async function loadGraphState(store: GraphStore, options: GraphStateOptions = {}): Promise<GraphState> {
  const measure = options.centrality ?? 'pagerank';
  const [unordered, itemEntities, version, stored] = await Promise.all([
    store.listItemSummaries(),
    store.listItemEntities(),
    store.graphVersion(),
    store.getEntityAnalytics(),
  ]);
  const items = orderedListings.get(unordered, [], () => inIdOrder(unordered)); // same candidate order on every store
  const fresh = stored && stored.graphVersion === version && stored.measure === measure ? stored : undefined;
  const graph = fresh ? fromStored(fresh) : await computeGraph(store, measure);
  // The analytics' index is rebuilt on every query; its keys decide whether the packed lists still hold.
  // Labels do not change the packing: a listing with new labels but the same ids keeps it.
  const packed = packedListings.get(
    itemEntities,
    [],
    () => ({ items, keys: graph.index.keys, lists: packItemEntities(items, itemEntities, graph.index) }),
    (kept) => sameKeys(kept.keys, graph.index.keys) && sameIds(kept.items, items),
  ).lists;
  const coverage = labeledCoverage(graph, items, packed, options.decay);
  const state: GraphState = {
    items,
    itemEntities: packed,
    entityNames: graph.names,
    entityTypes: graph.types,
    index: graph.index,
    coverage,
    source: fresh ? 'stored' : 'computed',
  };
  if (graph.stats) state.stats = graph.stats;
  return state;
}

/** The id-ordered listing of each listing a store handed out (the same array when it already was). */
const orderedListings = new ListingMemo<readonly ItemSummary[], readonly ItemSummary[]>();
/** Each item entity listing packed against an entity index, kept while the listing, the items' ids and the index keys stay the same. */
const packedListings = new ListingMemo<ReadonlyArray<{ readonly id: string; readonly keys: readonly string[] }>, { items: readonly ItemSummary[]; keys: readonly string[]; lists: ItemEntityLists }>();

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k += 1) if (a[k] !== b[k]) return false;
  return true;
}

interface AnalysedGraph {
  index: EntityIndex;
  names: Map<string, string>;
  types: Map<string, EntityType>;
  centrality: Float64Array;
  community: Int32Array;
  stats?: EntityGraphStats;
}

/** Each item's entity ids, aligned with `items` (id order), each list in key order. */
function packItemEntities(items: readonly ItemSummary[], itemEntities: ReadonlyArray<{ readonly id: string; readonly keys: readonly string[] }>, index: EntityIndex): ItemEntityLists {
  const at = positionsIn(
    items.map((i) => i.id),
    itemEntities.map((e) => e.id),
  );
  const lists: Array<readonly string[]> = [];
  for (let i = 0; i < items.length; i += 1) {
    const keys = at[i]! >= 0 ? itemEntities[at[i]!]!.keys : [];
    lists.push(isInIdOrder(keys) ? keys : [...keys].sort(compareIds));
  }
  return index.packItems(lists);
}

/** Coverage state with n(e) = labeled items mentioning e. */
function labeledCoverage(graph: Pick<AnalysedGraph, 'index' | 'centrality' | 'community'>, items: readonly ItemSummary[], itemEntities: ItemEntityLists, decay: DecayFunction = DEFAULT_DECAY): CoverageTracker {
  return new CoverageTracker(graph.centrality, {
    decay,
    counts: coverageCounts(graph.index.size, selectItems(itemEntities, labelPositions(items).labeled)),
    community: graph.community,
  });
}

function fromStored(stored: StoredEntityAnalytics): AnalysedGraph {
  const rows = isInIdOrder(stored.rows.map((r) => r.key)) ? stored.rows : [...stored.rows].sort((a, b) => compareIds(a.key, b.key));
  return {
    index: EntityIndex.fromKeys(rows.map((r) => r.key)),
    names: new Map(rows.map((r) => [r.key, r.name])),
    types: new Map(rows.map((r) => [r.key, r.type])),
    centrality: Float64Array.from(rows, (r) => r.centrality),
    community: Int32Array.from(rows, (r) => r.community),
  };
}

async function computeGraph(store: GraphStore, measure: CentralityMeasure): Promise<AnalysedGraph & { stats: EntityGraphStats }> {
  const graph = canonicalOrder(await store.getEntityGraph());
  const analysis = analyzeEntityGraph(graph, { centrality: { measure } });
  return {
    index: analysis.index,
    names: new Map(graph.entities.map((e) => [e.key, e.name])),
    types: new Map(graph.entities.map((e) => [e.key, e.type])),
    centrality: analysis.centrality.values,
    community: analysis.community.community,
    stats: analysis.stats,
  };
}

/**
 * Stores list entities and edges in their own order; sorting them first makes the analysis (and so every
 * score and pick) bit-identical whichever store the graph came from.
 */
function canonicalOrder(graph: EntityGraphData): EntityGraphData {
  return {
    entities: [...graph.entities].sort((x, y) => compareIds(x.key, y.key)),
    cooccurrences: [...graph.cooccurrences].sort((x, y) => compareIds(x.a, y.a) || compareIds(x.b, y.b)),
    relations: [...graph.relations].sort(
      (x, y) => compareIds(x.subject, y.subject) || compareIds(x.object, y.object) || compareIds(x.predicate, y.predicate),
    ),
  };
}

export interface RefreshReport {
  graph: EntityGraphStats;
  coverage: CoverageSummary;
  measure: CentralityMeasure;
  graphVersion: number;
  /** Where centrality and communities were computed: in this process (graphology) or inside Neo4j (GDS, with its version). */
  engine: AnalyticsEngine;
  gdsVersion?: string;
}

export interface RefreshOptions extends GraphStateOptions {
  /** `graphology` (default; both stores) or `gds` (Neo4j with the Graph Data Science library). */
  engine?: AnalyticsEngine;
}

/**
 * `kgal graph refresh`: recomputes centrality, communities and coverage gaps and writes them to the
 * entities (Entity.centrality/.pagerank/.community/.coverage/.gap), so Cypher can explore them and queries
 * reuse them until the graph changes.
 */
export async function refreshEntityAnalytics(store: GraphStore, options: RefreshOptions = {}): Promise<RefreshReport> {
  const measure = options.centrality ?? 'pagerank';
  const engine = options.engine ?? 'graphology';
  const graphVersion = await store.graphVersion();
  const graph = engine === 'gds' ? await analyseWithGds(gdsReader(store), { measure }) : await computeGraph(store, measure);
  const [items, itemEntities] = await Promise.all([store.listItemSummaries(), store.listItemEntities()]);
  const coverage = labeledCoverage(graph, items, packItemEntities(items, itemEntities, graph.index), options.decay);
  const rows = graph.index.keys.map((key, e) => ({
    key,
    centrality: graph.centrality[e]!,
    community: graph.community[e]!,
    coverage: coverage.counts[e]!,
    gap: coverage.gaps[e]!,
  }));
  await store.setEntityAnalytics(rows, measure, graphVersion);
  return { graph: graph.stats, coverage: coverage.summary(), measure, graphVersion, engine, ...('gdsVersion' in graph ? { gdsVersion: graph.gdsVersion } : {}) };
}
