import type { EntityType } from '../entities/entity-extractor.js';
import { stackRows, type Matrix } from '../model/matrix.js';
import { cooccurrenceDelta, forEachPair, pairKey, splitPairKey } from './cooccurrence.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { compareIds } from './id-order.js';
import {
  LabelConflictError,
  LeaseConflictError,
  UnknownItemsError,
  type LabelWriteReport,
  type Lease,
  type LeaseRequest,
  type PickRecord,
  type SetLabelsOptions,
  type EmbeddingState,
  type EmbeddingUpdate,
  type EntityAnalytics,
  type StoredEntityAnalytics,
  type EntityGraphData,
  type EntityRecord,
  type GraphStore,
  type ItemSummary,
  type ItemUpsert,
  type LabelAssignment,
  type LabelEvent,
  type RelationUpsert,
  type RoundRecord,
  type StoreStats,
  type StoredItem,
  lastPerId,
  sortedRecord,
} from './graph-store.js';
import { readCurrentSnapshot, readTable, readVectors, writeSnapshot } from './snapshot-files.js';

interface MemoryItem extends StoredItem {
  mentions: Array<{ key: string; count: number }>;
}

interface MemoryEntity extends EntityRecord {
  analytics?: Omit<EntityAnalytics, 'key'> & { measure: string };
  /** Number of items mentioning the entity; an entity at 0 that is not in the KG is removed. */
  mentionedBy: number;
}

interface MemoryRelation {
  subject: string;
  predicate: string;
  object: string;
}

interface MemoryRound extends RoundRecord {
  n: number;
}

export interface MemoryStoreOptions {
  /** Data directory to load from and persist to; without it the store lives in memory only (simulations). */
  dataDir?: string;
  /** Open without taking the writer lock; close() then does not persist. */
  readOnly?: boolean;
}

/**
 * The embedded default store: everything in process memory (Maps keyed by id/key, co-occurrence weights by
 * entity pair), persisted to a data directory as crash-safe JSONL snapshots on close(). Co-occurrence is
 * not persisted; it is rebuilt from the mentions on load, so it can never disagree with them.
 */
export class MemoryGraphStore implements GraphStore {
  readonly description: string;
  private readonly items = new Map<string, MemoryItem>();
  private readonly entities = new Map<string, MemoryEntity>();
  private readonly cooccurrence = new Map<string, number>();
  private readonly relations = new Map<string, MemoryRelation>();
  private readonly rounds: MemoryRound[] = [];
  private readonly namedStates = new Map<string, unknown>();
  private readonly labelHistory = new Map<string, LabelEvent[]>();
  private readonly embeddings = new Map<string, { key: string; vector: Float32Array }>();
  /** Item leases (epoch ms). Not persisted: they are minutes long and this store has a single writer process. */
  private readonly leases = new Map<string, { holder: string; until: number }>();
  /** All embeddings stacked in id order, kept between queries until an embedding changes (read-only to callers). */
  private embeddingMatrix: { ids: string[]; matrix: Matrix<Float32Array> } | undefined;
  /** Items sorted by id, for listings in id order (like Neo4j's ORDER BY); reset when an item is added (items are updated in place). */
  private idOrder: MemoryItem[] | undefined;
  /**
   * The listings every query reads (100k items each at pool scale), kept until an item changes so that
   * repeated queries do not copy the pool each time. They are copies (the store's own records stay
   * private) shared between callers, read-only by contract; not frozen, because V8 makes property
   * reads on frozen objects ~10x slower, which is the cost being saved.
   */
  private itemListing: readonly StoredItem[] | undefined;
  private summaryListing: readonly ItemSummary[] | undefined;
  private entityListing: ReadonlyArray<{ id: string; keys: string[] }> | undefined;
  private dirty = false;
  private flushing: Promise<void> = Promise.resolve();
  private currentGraphVersion = 0;
  private analyticsInfo: { measure: string; graphVersion: number } | undefined;

  private constructor(
    private readonly options: MemoryStoreOptions,
    private readonly releaseLock: (() => Promise<void>) | undefined,
  ) {
    this.description = options.dataDir ? `embedded store in ${options.dataDir}` : 'in-memory store';
  }

  static async open(options: MemoryStoreOptions = {}): Promise<MemoryGraphStore> {
    const release = options.dataDir && !options.readOnly ? await acquireDataDirLock(options.dataDir) : undefined;
    const store = new MemoryGraphStore(options, release);
    try {
      if (options.dataDir) await store.load(options.dataDir);
    } catch (error) {
      await release?.();
      throw error;
    }
    return store;
  }

  async getFingerprints(ids: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const id of ids) {
      const fingerprint = this.items.get(id)?.fingerprint;
      if (fingerprint !== undefined) found.set(id, fingerprint);
    }
    return found;
  }

  async upsertItems(upserts: readonly ItemUpsert[]): Promise<void> {
    const changes: Array<{ before: string[]; after: string[] }> = [];
    const released = new Set<string>();
    for (const upsert of upserts) {
      const existing = this.items.get(upsert.id);
      const item: MemoryItem = existing ?? { id: upsert.id, text: upsert.text, meta: {}, mentions: [] };
      if (existing && existing.text !== upsert.text && this.embeddings.delete(upsert.id)) this.embeddingMatrix = undefined;
      item.text = upsert.text;
      item.meta = upsert.meta;
      if (upsert.label !== undefined) item.label = upsert.label;
      if (upsert.extraction) {
        const before = item.mentions.map((m) => m.key);
        for (const key of before) {
          const entity = this.entities.get(key);
          if (entity) {
            entity.mentionedBy -= 1;
            released.add(key);
          }
        }
        for (const mention of upsert.extraction.mentions) {
          const entity = this.entities.get(mention.key);
          if (entity) entity.mentionedBy += 1;
          else this.entities.set(mention.key, { key: mention.key, name: mention.name, type: mention.type, kg: false, mentionedBy: 1 });
        }
        item.mentions = upsert.extraction.mentions.map((m) => ({ key: m.key, count: m.count }));
        item.fingerprint = upsert.extraction.fingerprint;
        changes.push({ before, after: item.mentions.map((m) => m.key) });
      }
      if (!existing) this.idOrder = undefined;
      this.items.set(item.id, item);
    }
    if (changes.length > 0) this.currentGraphVersion += 1;
    for (const { a, b, delta } of cooccurrenceDelta(changes)) {
      const key = pairKey(a, b);
      const weight = (this.cooccurrence.get(key) ?? 0) + delta;
      if (weight > 0) this.cooccurrence.set(key, weight);
      else this.cooccurrence.delete(key);
    }
    for (const key of released) {
      const entity = this.entities.get(key);
      if (entity && entity.mentionedBy <= 0 && !entity.kg) this.entities.delete(key);
    }
    this.itemsChanged();
    this.dirty = true;
  }

  async upsertRelations(relations: readonly RelationUpsert[]): Promise<void> {
    let changed = false;
    for (const relation of relations) {
      for (const term of [relation.subject, relation.object]) {
        const entity = this.entities.get(term.key);
        if (entity?.kg) continue;
        changed = true;
        if (entity) entity.kg = true;
        else this.entities.set(term.key, { key: term.key, name: term.name, type: 'kg', kg: true, mentionedBy: 0 });
      }
      const record = { subject: relation.subject.key, predicate: relation.predicate, object: relation.object.key };
      const key = relationKey(record);
      if (this.relations.has(key)) continue;
      changed = true;
      this.relations.set(key, record);
    }
    // Re-importing the same KG changes nothing, so analytics computed on the graph stay current.
    if (changed) {
      this.currentGraphVersion += 1;
      this.dirty = true;
    }
  }

  async setLabels(labels: readonly LabelAssignment[], options: SetLabelsOptions = {}): Promise<LabelWriteReport> {
    const assignments = lastPerId(labels);
    const unknown = assignments.filter((l) => !this.items.has(l.id)).map((l) => l.id);
    if (unknown.length > 0) throw new UnknownItemsError(unknown);
    const now = Date.now();
    if (options.respectLeases) {
      const conflicts = assignments.flatMap((l) => {
        const lease = this.leases.get(l.id);
        return lease && lease.until > now && lease.holder !== l.annotator ? [{ id: l.id, holder: lease.holder }] : [];
      });
      if (conflicts.length > 0) throw new LeaseConflictError(conflicts);
    }
    if (options.onConflict === 'reject') {
      const conflicts = assignments.flatMap((l) => {
        const current = this.items.get(l.id)!.label;
        return current !== undefined && current !== l.label ? [{ id: l.id, current, given: l.label }] : [];
      });
      if (conflicts.length > 0) throw new LabelConflictError(conflicts);
    }
    const at = new Date(now).toISOString();
    const report: LabelWriteReport = { written: [], unchanged: [] };
    for (const assignment of assignments) {
      const item = this.items.get(assignment.id)!;
      this.leases.delete(assignment.id);
      if (item.label === assignment.label && item.annotator === assignment.annotator) {
        report.unchanged.push(assignment.id);
        continue;
      }
      item.label = assignment.label;
      item.labeledAt = at;
      if (assignment.annotator !== undefined) item.annotator = assignment.annotator;
      else delete item.annotator;
      const event: LabelEvent = { label: assignment.label, at };
      if (assignment.annotator !== undefined) event.annotator = assignment.annotator;
      const history = this.labelHistory.get(assignment.id);
      if (history) history.push(event);
      else this.labelHistory.set(assignment.id, [event]);
      report.written.push(assignment.id);
    }
    if (report.written.length > 0) {
      this.dirty = true;
      this.itemsChanged();
    }
    return report;
  }

  async leaseItems(request: LeaseRequest): Promise<Lease[]> {
    const now = Date.now();
    const until = now + request.durationMs;
    const granted: Lease[] = [];
    for (const id of request.ids) {
      const item = this.items.get(id);
      const lease = this.leases.get(id);
      if (!item || item.label !== undefined || (lease && lease.until > now && lease.holder !== request.holder)) continue;
      this.leases.set(id, { holder: request.holder, until });
      granted.push({ itemId: id, holder: request.holder, expiresAt: new Date(until).toISOString() });
    }
    return granted;
  }

  async activeLeases(): Promise<Lease[]> {
    const now = Date.now();
    const active: Lease[] = [];
    for (const [itemId, lease] of this.leases) {
      if (lease.until > now) active.push({ itemId, holder: lease.holder, expiresAt: new Date(lease.until).toISOString() });
      else this.leases.delete(itemId);
    }
    return active;
  }

  async releaseLeases(ids: readonly string[], holder?: string): Promise<number> {
    let released = 0;
    for (const id of ids) {
      const lease = this.leases.get(id);
      if (lease && (holder === undefined || lease.holder === holder)) {
        this.leases.delete(id);
        if (lease.until > Date.now()) released += 1;
      }
    }
    return released;
  }

  async setEmbeddings(updates: readonly EmbeddingUpdate[]): Promise<void> {
    const unknown = updates.filter((u) => !this.items.has(u.id)).map((u) => u.id);
    if (unknown.length > 0) throw new UnknownItemsError(unknown);
    for (const update of updates) this.embeddings.set(update.id, { key: update.key, vector: Float32Array.from(update.vector) });
    if (updates.length > 0) this.embeddingMatrix = undefined;
    this.dirty = true;
  }

  async listEmbeddingStates(): Promise<EmbeddingState[]> {
    return [...this.items.values()].map((item) => {
      const key = this.embeddings.get(item.id)?.key;
      return key === undefined ? { id: item.id, text: item.text } : { id: item.id, text: item.text, embeddingKey: key };
    });
  }

  async getEmbeddings(ids?: readonly string[]): Promise<{ ids: string[]; matrix: Matrix<Float32Array> }> {
    if (ids === undefined) {
      this.embeddingMatrix ??= this.stackEmbeddings();
      return { ids: [...this.embeddingMatrix.ids], matrix: this.embeddingMatrix.matrix };
    }
    return this.stackEmbeddings(ids);
  }

  private stackEmbeddings(ids?: readonly string[]): { ids: string[]; matrix: Matrix<Float32Array> } {
    const found: string[] = [];
    const vectors: Float32Array[] = [];
    // All embeddings come back in id order (as from Neo4j), so the pool needs no second copy to sort it.
    for (const id of ids ?? [...this.embeddings.keys()].sort(compareIds)) {
      const embedding = this.embeddings.get(id);
      if (!embedding) continue;
      found.push(id);
      vectors.push(embedding.vector);
    }
    return { ids: found, matrix: stackRows(vectors, vectors[0]?.length ?? 0) };
  }

  async setEntityAnalytics(rows: readonly EntityAnalytics[], measure: string, graphVersion: number): Promise<void> {
    for (const { key, ...analytics } of rows) {
      const entity = this.entities.get(key);
      if (entity) entity.analytics = { ...analytics, measure };
    }
    this.analyticsInfo = { measure, graphVersion };
    this.dirty = true;
  }

  async getEntityAnalytics(): Promise<StoredEntityAnalytics | undefined> {
    if (!this.analyticsInfo) return undefined;
    const rows: StoredEntityAnalytics['rows'] = [];
    for (const entity of this.entities.values()) {
      if (entity.analytics) {
        rows.push({ key: entity.key, name: entity.name, type: entity.type, centrality: entity.analytics.centrality, community: entity.analytics.community });
      }
    }
    return { ...this.analyticsInfo, rows };
  }

  async graphVersion(): Promise<number> {
    return this.currentGraphVersion;
  }

  async getState(name: string): Promise<unknown> {
    const state = this.namedStates.get(name);
    return state === undefined ? undefined : structuredClone(state);
  }

  async setState(name: string, state: unknown): Promise<void> {
    this.namedStates.set(name, structuredClone(state));
    this.dirty = true;
  }

  async updateState<T>(name: string, update: (current: T | undefined) => T): Promise<T> {
    // Synchronous from read to write: no other call of this single-process store can come in between.
    const current = this.namedStates.get(name);
    const next = update(current === undefined ? undefined : (structuredClone(current) as T));
    this.namedStates.set(name, structuredClone(next));
    this.dirty = true;
    return structuredClone(next);
  }

  async listItemEntities(): Promise<Array<{ id: string; keys: string[] }>> {
    this.entityListing ??= this.itemsInIdOrder().map((item) => ({ id: item.id, keys: item.mentions.map((m) => m.key) }));
    return [...this.entityListing];
  }

  /** Drops the cached listings: call after any change to an item (text, meta, label, mentions, new item). */
  private itemsChanged(): void {
    this.itemListing = undefined;
    this.summaryListing = undefined;
    this.entityListing = undefined;
  }

  private itemsInIdOrder(): MemoryItem[] {
    this.idOrder ??= [...this.items.values()].sort((a, b) => compareIds(a.id, b.id));
    return this.idOrder;
  }

  async recordRound(round: RoundRecord): Promise<number> {
    const unknown = round.picks.filter((p) => !this.items.has(p.itemId)).map((p) => p.itemId);
    if (unknown.length > 0) throw new UnknownItemsError(unknown);
    const n = this.rounds.length + 1;
    this.rounds.push({ ...round, n, picks: round.picks.map((p) => ({ ...p, components: { ...p.components } })) });
    this.dirty = true;
    return n;
  }

  async getItem(id: string): Promise<StoredItem | undefined> {
    const item = this.items.get(id);
    return item ? this.withLease(publicItem(item)) : undefined;
  }

  async getItems(ids: readonly string[]): Promise<StoredItem[]> {
    const found: StoredItem[] = [];
    for (const id of ids) {
      const item = this.items.get(id);
      if (item) found.push(this.withLease(publicItem(item)));
    }
    return found;
  }

  async getPickHistory(id: string): Promise<PickRecord[]> {
    return this.rounds.flatMap((round) =>
      round.picks
        .filter((p) => p.itemId === id)
        .map((p) => {
          const record: PickRecord = { round: round.n, strategy: round.strategy, at: round.at, rank: p.rank, score: p.score, components: { ...p.components } };
          if (round.annotator !== undefined) record.annotator = round.annotator;
          return record;
        }),
    );
  }

  async getLabelHistory(id: string): Promise<LabelEvent[]> {
    return (this.labelHistory.get(id) ?? []).map((e) => ({ ...e }));
  }

  async getItemMentions(id: string): Promise<Array<{ key: string; count: number }>> {
    return (this.items.get(id)?.mentions ?? []).map((m) => ({ ...m }));
  }

  async listItems(): Promise<StoredItem[]> {
    this.itemListing ??= this.itemsInIdOrder().map(publicItem);
    return [...this.itemListing];
  }

  async listItemSummaries(): Promise<ItemSummary[]> {
    this.summaryListing ??= this.itemsInIdOrder().map((item) => {
      const { text: _text, ...summary } = publicItem(item);
      return summary;
    });
    return [...this.summaryListing];
  }

  async listKgEntities(): Promise<Array<{ key: string; name: string }>> {
    const found: Array<{ key: string; name: string }> = [];
    for (const entity of this.entities.values()) if (entity.kg) found.push({ key: entity.key, name: entity.name });
    return found;
  }

  async getEntityGraph(): Promise<EntityGraphData> {
    return {
      entities: [...this.entities.values()].map(({ key, name, type, kg }) => ({ key, name, type, kg })),
      cooccurrences: [...this.cooccurrence].map(([pair, weight]) => {
        const [a, b] = splitPairKey(pair);
        return { a, b, weight };
      }),
      relations: [...this.relations.values()].map((r) => ({ ...r })),
    };
  }

  async stats(): Promise<StoreStats> {
    let labeledItems = 0;
    let mentions = 0;
    const labels: Record<string, number> = {};
    for (const item of this.items.values()) {
      mentions += item.mentions.length;
      if (item.label !== undefined) {
        labeledItems += 1;
        labels[item.label] = (labels[item.label] ?? 0) + 1;
      }
    }
    return {
      items: this.items.size,
      labeledItems,
      embeddedItems: this.embeddings.size,
      entities: this.entities.size,
      mentions,
      entityEdges: this.cooccurrence.size,
      relations: this.relations.size,
      rounds: this.rounds.length,
      labels: sortedRecord(labels),
    };
  }

  private withLease(item: StoredItem): StoredItem {
    const lease = this.leases.get(item.id);
    if (lease && lease.until > Date.now()) item.lease = { itemId: item.id, holder: lease.holder, expiresAt: new Date(lease.until).toISOString() };
    return item;
  }

  /** Writes a snapshot now if anything changed (close() does this too). */
  async flush(): Promise<void> {
    // One snapshot at a time (a periodic flush may still be writing when the next one or close() comes).
    const previous = this.flushing;
    const current = previous.then(() => this.writeSnapshotIfDirty());
    this.flushing = current.catch(() => undefined);
    return current;
  }

  private async writeSnapshotIfDirty(): Promise<void> {
    if (!this.options.dataDir || this.options.readOnly || !this.dirty) return;
    // Cleared before writing: a change made while the snapshot is written marks the store dirty again.
    this.dirty = false;
    try {
      await this.writeSnapshotNow(this.options.dataDir);
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  private async writeSnapshotNow(dataDir: string): Promise<void> {
    await writeSnapshot(dataDir, {
      items: this.items.values(),
      entities: [...this.entities.values()].map(({ mentionedBy: _derived, ...entity }) => entity),
      relations: this.relations.values(),
      rounds: this.rounds,
      labelHistory: [...this.labelHistory].map(([id, events]) => ({ id, events })),
      namedStates: [...this.namedStates].map(([name, state]) => ({ name, state })),
      meta: [{ graphVersion: this.currentGraphVersion, analytics: this.analyticsInfo ?? null }],
      embeddings: [...this.embeddings].map(([id, { key, vector }]) => ({ id, key, dimension: vector.length })),
    }, { embeddings: [...this.embeddings.values()].map((e) => e.vector) });
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.releaseLock?.();
    }
  }

  private async load(dir: string): Promise<void> {
    const snapshot = await readCurrentSnapshot(dir);
    if (!snapshot) return;
    for await (const entity of readTable<EntityRecord>(snapshot, 'entities')) {
      this.entities.set(entity.key, { ...entity, type: entity.type as EntityType, mentionedBy: 0 });
    }
    for await (const item of readTable<MemoryItem>(snapshot, 'items')) {
      this.items.set(item.id, item);
      for (const mention of item.mentions) {
        const entity = this.entities.get(mention.key);
        if (entity) entity.mentionedBy += 1;
      }
      forEachPair(
        item.mentions.map((m) => m.key),
        (pair) => this.cooccurrence.set(pair, (this.cooccurrence.get(pair) ?? 0) + 1),
      );
    }
    for await (const relation of readTable<MemoryRelation>(snapshot, 'relations')) {
      this.relations.set(relationKey(relation), relation);
    }
    for await (const round of readTable<MemoryRound>(snapshot, 'rounds')) this.rounds.push(round);
    for await (const { id, events } of readTable<{ id: string; events: LabelEvent[] }>(snapshot, 'labelHistory')) {
      this.labelHistory.set(id, events);
    }
    for await (const meta of readTable<{ graphVersion: number; analytics: { measure: string; graphVersion: number } | null }>(snapshot, 'meta')) {
      this.currentGraphVersion = meta.graphVersion;
      this.analyticsInfo = meta.analytics ?? undefined;
    }
    for await (const { name, state } of readTable<{ name: string; state: unknown }>(snapshot, 'namedStates')) {
      this.namedStates.set(name, state);
    }
    const index: Array<{ id: string; key: string; dimension: number }> = [];
    for await (const entry of readTable<{ id: string; key: string; dimension: number }>(snapshot, 'embeddings')) index.push(entry);
    const vectors = await readVectors(snapshot, 'embeddings', index.map((e) => e.dimension));
    index.forEach((entry, i) => this.embeddings.set(entry.id, { key: entry.key, vector: vectors[i]! }));
  }
}

/** One KG fact per (subject, predicate, object). */
function relationKey(relation: MemoryRelation): string {
  return `${relation.subject}\u0000${relation.predicate}\u0000${relation.object}`;
}

function publicItem(item: MemoryItem): StoredItem {
  const { mentions: _mentions, ...rest } = item;
  return { ...rest, meta: { ...rest.meta } };
}

