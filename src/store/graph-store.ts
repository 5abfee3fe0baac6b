import { KgalError } from '../errors/kgal-error.js';
import type { EntityMention, EntityType } from '../entities/entity-extractor.js';
import type { Matrix } from '../model/matrix.js';
import type { LabelUndoReport } from './label-undo.js';

/** An item to write. `extraction` is present when its entities must be (re)written. */
export interface ItemUpsert {
  id: string;
  text: string;
  /** A label given with the item; absent means "leave any existing label alone". */
  label?: string;
  meta: Record<string, unknown>;
  extraction?: {
    /** Hash of extractor id + text; equal fingerprints mean the mentions are already up to date. */
    fingerprint: string;
    mentions: EntityMention[];
  };
}

export interface StoredItem {
  id: string;
  text: string;
  label?: string;
  meta: Record<string, unknown>;
  fingerprint?: string;
  annotator?: string;
  labeledAt?: string;
  /** The item's unexpired lease, if any (set by queries made for an annotator). */
  lease?: Lease;
}

/** An item without its text: what selection reads for the whole pool each query (it reads only its picks' texts). */
export type ItemSummary = Omit<StoredItem, 'text'>;

/** An item reserved for one annotator until `expiresAt`: other queries do not return it meanwhile. */
export interface Lease {
  itemId: string;
  holder: string;
  /** ISO 8601. */
  expiresAt: string;
}

export interface LeaseRequest {
  ids: readonly string[];
  holder: string;
  durationMs: number;
}

export interface SetLabelsOptions {
  /**
   * `overwrite` (default, the CLI's relabel) replaces a different existing label; `reject` refuses the
   * whole batch with LabelConflictError instead (the API's default: two annotators disagreeing is a conflict).
   */
  onConflict?: 'overwrite' | 'reject';
  /** Refuse (LeaseConflictError, whole batch) a label for an item leased to another annotator. */
  respectLeases?: boolean;
}

export interface LabelWriteReport {
  /** Labels written (a history event each). */
  written: string[];
  /** Labels already present with the same annotator: nothing written, so retries store a label once. */
  unchanged: string[];
}

export interface EntityRecord {
  key: string;
  name: string;
  type: EntityType;
  /** True when the entity is part of an external knowledge graph (its name then links texts). */
  kg: boolean;
}

/** A fact of the external knowledge graph, between canonical entity keys. */
export interface RelationUpsert {
  subject: { key: string; name: string };
  predicate: string;
  object: { key: string; name: string };
}

export interface EntityGraphData {
  entities: EntityRecord[];
  /** Undirected, a < b: the number of items that mention both. */
  cooccurrences: Array<{ a: string; b: string; weight: number }>;
  relations: Array<{ subject: string; predicate: string; object: string }>;
}

export interface LabelAssignment {
  id: string;
  label: string;
  annotator?: string;
}

/** Knowledge-graph analytics of one entity, written back by `kgal graph refresh` for Cypher to explore. */
export interface EntityAnalytics {
  key: string;
  /** Normalised centrality (sums to 1 over the entities) under `measure`. */
  centrality: number;
  community: number;
  /** n(e): labeled items mentioning the entity. */
  coverage: number;
  /** gap(e) = centrality · decay(coverage). */
  gap: number;
}

export interface StoredEntityAnalytics {
  measure: string;
  graphVersion: number;
  rows: Array<{ key: string; name: string; type: EntityType; centrality: number; community: number }>;
}

export interface LabelEvent {
  label: string;
  annotator?: string;
  at: string;
  /** True: this event took back `annotator`'s label `label` (undoLabel); the item fell back to its label before. */
  undo?: boolean;
}

/** A label event with the item it belongs to (listLabelEvents). */
export interface ItemLabelEvent extends LabelEvent {
  itemId: string;
}

export interface RoundPick {
  itemId: string;
  rank: number;
  score: number;
  /** Component scores (e.g. uncertainty, coverage), kept for the explanation. */
  components: Record<string, number>;
}

/** One time an item was picked: the round and the explanation recorded with it. */
export interface PickRecord {
  round: number;
  strategy: string;
  at: string;
  annotator?: string;
  rank: number;
  score: number;
  components: Record<string, number>;
}

export interface RoundRecord {
  strategy: string;
  at: string;
  /** Who asked (the annotator the picks were leased to), when known. */
  annotator?: string;
  picks: RoundPick[];
}

export interface EmbeddingState {
  id: string;
  text: string;
  /** Cache key of the stored embedding (embedder id + text hash); absent when the item has none. */
  embeddingKey?: string;
}

export interface EmbeddingUpdate {
  id: string;
  key: string;
  vector: Float32Array;
}

export interface StoreStats {
  items: number;
  labeledItems: number;
  embeddedItems: number;
  entities: number;
  /** Item-[:MENTIONS]->Entity links (one per item and entity). */
  mentions: number;
  /** Entity-[:CO_OCCURS]-Entity edges. */
  entityEdges: number;
  /** Entity-[:RELATED]->Entity facts from an external knowledge graph. */
  relations: number;
  rounds: number;
  labels: Record<string, number>;
}

/**
 * Everything kgal keeps: the pool, the entity graph and the selection history. Two implementations:
 * MemoryGraphStore (embedded default, persisted to a data directory, used by simulations) and
 * Neo4jGraphStore. Every write method is atomic: it either applies completely or not at all.
 */
export interface GraphStore {
  readonly description: string;

  /** Extraction fingerprints of the given items that already exist (id -> fingerprint). */
  getFingerprints(ids: readonly string[]): Promise<Map<string, string>>;
  /**
   * Inserts or updates items. Items carrying `extraction` get their mentions replaced and the
   * co-occurrence weights adjusted; entities left without mentions (and not in the KG) disappear. An item
   * whose text changes loses its embedding (it no longer describes the text).
   */
  upsertItems(items: readonly ItemUpsert[]): Promise<void>;
  /** Imports external KG facts: entities (flagged `kg`) and RELATED edges. Idempotent. */
  upsertRelations(relations: readonly RelationUpsert[]): Promise<void>;
  /**
   * Sets labels (a relabel replaces the label unless `onConflict: 'reject'`) and appends each to the
   * item's label history; a label identical to the current one (same annotator) is left alone. Rejects
   * the whole batch (UnknownItemsError, LabelConflictError, LeaseConflictError) if any assignment fails.
   * A label releases the item's lease. Duplicate ids in one batch: the last one wins.
   */
  setLabels(labels: readonly LabelAssignment[], options?: SetLabelsOptions): Promise<LabelWriteReport>;
  /**
   * Leases the given items to `holder` for `durationMs`, atomically per item (Neo4j: under the item's
   * write lock, so concurrent processes never lease an item twice): an item is leased when it exists, is
   * unlabeled and has no unexpired lease of another holder (the holder's own lease is renewed). Returns
   * the leases granted, in the order of `ids`.
   */
  leaseItems(request: LeaseRequest): Promise<Lease[]>;
  /** Unexpired leases. */
  activeLeases(): Promise<Lease[]>;
  /**
   * Takes back `annotator`'s label on the item (the rule: src/store/label-undo.ts): the item falls back to
   * the label it had before, or to none, and an undo event joins its history. Refused (LabelUndoError, 409)
   * unless the item's current label is `annotator`'s; UnknownItemsError for an unknown id.
   */
  undoLabel(id: string, annotator: string): Promise<LabelUndoReport>;
  /** Ends leases on the given items (only `holder`'s when given); returns how many ended. */
  releaseLeases(ids: readonly string[], holder?: string): Promise<number>;
  /** Stores item embeddings (Neo4j: the `Item.embedding` vector property behind the vector index). */
  setEmbeddings(updates: readonly EmbeddingUpdate[]): Promise<void>;
  /**
   * Writes entity analytics computed on graph version `graphVersion` (Neo4j: Entity.centrality, .pagerank
   * when measure is PageRank, .community, .coverage, .gap).
   */
  setEntityAnalytics(rows: readonly EntityAnalytics[], measure: string, graphVersion: number): Promise<void>;
  /** The analytics last written, with the graph version they were computed on; undefined when none. */
  getEntityAnalytics(): Promise<StoredEntityAnalytics | undefined>;
  /** Changes whenever the entity graph does (mentions re-extracted, KG facts added), so analytics know they are stale. */
  graphVersion(): Promise<number>;
  /** Small JSON documents by name (the `auto` bandit's state, which graph version the analytics are for); undefined when none. */
  getState(name: string): Promise<unknown>;
  setState(name: string, state: unknown): Promise<void>;
  /**
   * Read-modify-write of a named state as one atomic step, also across processes sharing a Neo4j (the
   * `auto` bandit's update: two API processes must not both start from the same state). `update` gets
   * the current value (undefined when none) and returns the new one; it must be synchronous and free of
   * side effects other than its result, because a store may run it again when a transaction is retried.
   * Resolves with the value written.
   */
  updateState<T>(name: string, update: (current: T | undefined) => T): Promise<T>;
  /** Records a selection round and returns its number (1, 2, ...). */
  recordRound(round: RoundRecord): Promise<number>;

  getItem(id: string): Promise<StoredItem | undefined>;
  /** The items among `ids` that exist, in the order of `ids`. */
  getItems(ids: readonly string[]): Promise<StoredItem[]>;
  /** The rounds that picked the item, oldest first, with the scores recorded then. */
  getPickHistory(id: string): Promise<PickRecord[]>;
  /** Every label given to the item through setLabels, oldest first. */
  getLabelHistory(id: string): Promise<LabelEvent[]>;
  /** Every item's label history at once (the bulk form of getLabelHistory, for exports): by item id, then oldest first. */
  listLabelEvents(): Promise<ItemLabelEvent[]>;
  /** Entity keys (with mention counts) of one item. */
  getItemMentions(id: string): Promise<Array<{ key: string; count: number }>>;
  /** Every item, in id order (string order: selection reads pools in this order on every store). Read-only: a store may hand the same objects to later calls. */
  listItems(): Promise<StoredItem[]>;
  /** `listItems` without the texts (the bulk of a listing over Bolt), same order, read-only likewise (the embedded store hands out the same array until an item or label changes). */
  listItemSummaries(): Promise<readonly ItemSummary[]>;
  /** Entities of the external KG, whose names act as a gazetteer when linking texts. */
  listKgEntities(): Promise<Array<{ key: string; name: string }>>;
  /** The external KG's facts as entity key pairs (subject, object): the neighbours the linker reads for context. */
  listKgRelations(): Promise<Array<{ subject: string; object: string }>>;
  getEntityGraph(): Promise<EntityGraphData>;
  /** Entity keys mentioned by every item (items without mentions included, with no keys), in id order; read-only like listItems. */
  listItemEntities(): Promise<ReadonlyArray<{ readonly id: string; readonly keys: readonly string[] }>>;
  /** For every item: id, text and the key of its stored embedding, to decide what needs embedding. */
  listEmbeddingStates(): Promise<EmbeddingState[]>;
  /**
   * Embeddings of the given items that have one, as rows of a matrix; all embedded items in id order when
   * ids is omitted. The ids and the matrix are read-only: the embedded store shares them between calls.
   */
  getEmbeddings(ids?: readonly string[]): Promise<{ ids: readonly string[]; matrix: Matrix<Float32Array> }>;
  stats(): Promise<StoreStats>;

  /** Persists pending state (memory store) and releases resources. */
  close(): Promise<void>;
}

export class UnknownItemsError extends KgalError {
  constructor(readonly ids: string[]) {
    const shown = ids.slice(0, 10).map((id) => `"${id}"`).join(', ');
    super('not-found', `unknown item id(s): ${shown}${ids.length > 10 ? ` and ${ids.length - 10} more` : ''}; nothing written`);
    this.name = 'UnknownItemsError';
  }
}

/** Labels that would replace a different existing label while `onConflict: 'reject'`; nothing written. */
export class LabelConflictError extends KgalError {
  constructor(readonly conflicts: Array<{ id: string; current: string; given: string }>) {
    const shown = conflicts.slice(0, 10).map((c) => `"${c.id}" is labeled "${c.current}", not "${c.given}"`).join('; ');
    super('conflict', `label conflict: ${shown}${conflicts.length > 10 ? ` and ${conflicts.length - 10} more` : ''}; nothing written`);
    this.name = 'LabelConflictError';
  }
}

/** Labels for items leased to another annotator while `respectLeases`; nothing written. */
export class LeaseConflictError extends KgalError {
  constructor(readonly conflicts: Array<{ id: string; holder: string }>) {
    const shown = conflicts.slice(0, 10).map((c) => `"${c.id}" is leased to "${c.holder}"`).join('; ');
    super('conflict', `lease conflict: ${shown}${conflicts.length > 10 ? ` and ${conflicts.length - 10} more` : ''}; nothing written`);
    this.name = 'LeaseConflictError';
  }
}

/** The store cannot be reached or opened (Neo4j down, data directory locked, ...). */
export class StoreUnavailableError extends KgalError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('store-unavailable', message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Counts keyed in sorted order, so both stores print identical `stats --json`. */
export function sortedRecord(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One assignment per item id, the last given (a batch acts as if its assignments ran in order). */
export function lastPerId(labels: readonly LabelAssignment[]): LabelAssignment[] {
  return [...new Map(labels.map((l) => [l.id, l])).values()];
}
