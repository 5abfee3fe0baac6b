import type { EntityType } from '../entities/entity-extractor.js';
import { stackRows, type Matrix } from '../model/matrix.js';
import { cooccurrenceDelta } from './cooccurrence.js';
import { EmbeddingRows } from './embedding-rows.js';
import { compareIds } from './id-order.js';
import { planUndo, undoReport, type LabelUndoReport } from './label-undo.js';
import {
  LabelConflictError,
  StoreUnavailableError,
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
  type ItemLabelEvent,
  type LabelAssignment,
  type LabelEvent,
  type RelationUpsert,
  type RoundPick,
  type RoundRecord,
  type StoreStats,
  type StoredItem,
  lastPerId,
  sortedRecord,
} from './graph-store.js';
import {
  assertNoLegacyWriter,
  findLegacySnapshot,
  markLegacyImported,
  readLegacyTable,
  readLegacyVectors,
  removeLegacyLock,
  type LegacySnapshot,
} from './legacy-snapshot.js';
import {
  SqliteStoreFile,
  emptyWriteBatch,
  type EntityRow,
  type ItemRow,
  type LabelEventRow,
  type LoadSink,
  type RoundRow,
  type WriteBatch,
} from './sqlite-store-file.js';
import { toJsonText } from './store-errors.js';
import { acquireStoreLock, lockRecordsStore, type StoreLock } from './store-lock.js';

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
  /**
   * Data directory of the store file (`kgal.sqlite`, created with the directory on the first open for
   * writing); without it the store lives in memory only and never touches disk (simulations, tests).
   */
  dataDir?: string;
  /**
   * Load the store as it is now without taking the writer lock (a reader beside a running writer, such
   * as `kgal stats` beside `kgal serve`); writes then stay in this process's memory and are never saved.
   */
  readOnly?: boolean;
}

/** What the write calls of one event-loop turn changed, committed together in one SQLite transaction. */
interface PendingWrites {
  /** Item id -> its metadata as JSON (the whole row is written), or null (only the label columns). */
  items: Map<string, string | null>;
  /** Entities created, changed or deleted (written as they are at commit time, deleted when gone). */
  entities: Set<string>;
  relations: MemoryRelation[];
  labelEvents: LabelEventRow[];
  /** Embeddings set or dropped. */
  embeddings: Set<string>;
  rounds: MemoryRound[];
  /** State name -> JSON (undefined deletes it). */
  states: Map<string, string | undefined>;
  /** Graph version or analytics info changed. */
  meta: boolean;
  waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>;
}

/**
 * The embedded default store: everything in process memory (Maps keyed by id/key, co-occurrence weights by
 * entity pair) as the indexes every read uses, over a SQLite file in the data directory
 * (`sqlite-store-file.ts`). Every write call applies its change to memory at once (synchronously, so
 * calls never interleave), and resolves only after the change is committed, fsynced, to the file: an
 * acknowledged write survives kill -9. The writes of one event-loop turn share one transaction and one
 * fsync (group commit), which is what keeps concurrent API writes fast. Reads are served from memory and
 * may see a write whose commit is still in flight (its caller has not been answered yet). If a commit
 * fails, memory is ahead of the file: the store then refuses every further write (StoreUnavailableError)
 * until it is reopened, which reloads it from the file. Co-occurrence is not stored; it is rebuilt from
 * the mentions on load, so it can never disagree with them. Leases are not stored either (minutes long;
 * one writer process).
 */
export class MemoryGraphStore implements GraphStore {
  readonly description: string;
  private readonly items = new Map<string, MemoryItem>();
  private readonly entities = new Map<string, MemoryEntity>();
  /**
   * Co-occurrence weights, smaller key -> larger key -> weight (nested rather than keyed by a joined pair
   * string, so that rebuilding them allocates no string per pair). Not stored: after loading they are
   * rebuilt from the items' mentions on first use (`pairs()`), so commands that never read the entity
   * graph (label, embed, model) do not pay for it, and opening a large store stays quick.
   */
  private cooccurrence: Map<string, Map<string, number>> | undefined = new Map();
  private entityEdges = 0;
  private readonly relations = new Map<string, MemoryRelation>();
  private readonly rounds: MemoryRound[] = [];
  private readonly namedStates = new Map<string, unknown>();
  private readonly labelHistory = new Map<string, LabelEvent[]>();
  private readonly embeddings = new EmbeddingRows();
  /** Item leases (epoch ms). Not persisted: they are minutes long and this store has a single writer process. */
  private readonly leases = new Map<string, { holder: string; until: number }>();
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
  private currentGraphVersion = 0;
  private analyticsInfo: { measure: string; graphVersion: number } | undefined;
  /** The store file of a writer (undefined in memory only, and for readers once loaded). */
  private file: SqliteStoreFile | undefined;
  private lock: StoreLock | undefined;
  private pending: PendingWrites | undefined;
  /** Set when a commit failed or the store was closed: writes are refused from then on. */
  private failure: Error | undefined;

  private constructor(private readonly options: MemoryStoreOptions) {
    this.description = options.dataDir ? `embedded store in ${options.dataDir}` : 'in-memory store';
  }

  /**
   * Opens the store. With a data directory and not `readOnly`: takes the writer lock (creating the
   * directory if needed), then loads `kgal.sqlite`, creates it when the directory holds no store yet, or
   * imports a data directory of the former snapshot format once (its `CURRENT` is renamed to
   * `CURRENT.imported`; the old snapshot folder is left for the user to delete). A damaged, foreign or
   * missing store file is a StoreUnavailableError (StoreDamagedError), never an empty store.
   * `readOnly` loads without the lock; a directory that does not exist (or holds nothing) reads as empty.
   */
  static async open(options: MemoryStoreOptions = {}): Promise<MemoryGraphStore> {
    const store = new MemoryGraphStore(options);
    const dir = options.dataDir;
    if (!dir) return store;
    if (options.readOnly) {
      await store.loadForReading(dir);
      return store;
    }
    const lock = acquireStoreLock(dir);
    let file: SqliteStoreFile | undefined;
    try {
      file = SqliteStoreFile.openExisting(dir, { readOnly: false, storeCreated: lock.storeCreated });
      if (file) {
        if (!lock.storeCreated) lock.markStoreCreated(); // a store file put in place by hand (a restored backup)
        file.load(store.loader());
        await markLegacyImported(dir); // a former-format CURRENT left by an import interrupted after its commit
      } else {
        const legacy = await findLegacySnapshot(dir);
        if (legacy) {
          await assertNoLegacyWriter(dir);
          await store.loadLegacy(legacy);
        }
        file = SqliteStoreFile.create(dir, legacy ? store.everything() : undefined);
        lock.markStoreCreated();
        if (legacy) {
          await markLegacyImported(dir);
          await removeLegacyLock(dir);
        }
      }
    } catch (error) {
      file?.close();
      lock.release();
      throw error;
    }
    store.file = file;
    store.lock = lock;
    return store;
  }

  private async loadForReading(dir: string): Promise<void> {
    const file = SqliteStoreFile.openExisting(dir, { readOnly: true, storeCreated: lockRecordsStore(dir) });
    if (file) {
      try {
        file.load(this.loader());
      } finally {
        file.close();
      }
      return;
    }
    const legacy = await findLegacySnapshot(dir);
    if (legacy) await this.loadLegacy(legacy);
  }

  /**
   * The changes of the current event-loop turn, to add to (undefined when nothing is persisted: in
   * memory only, or read-only). The first change of a turn schedules the commit.
   */
  private changes(): PendingWrites | undefined {
    if (!this.file) return undefined;
    if (!this.pending) {
      this.pending = { items: new Map(), entities: new Set(), relations: [], labelEvents: [], embeddings: new Set(), rounds: [], states: new Map(), meta: false, waiters: [] };
      setImmediate(() => this.commitPending());
    }
    return this.pending;
  }

  /** Resolves once every change made so far is committed to the store file (at once when none is pending). */
  private durable(): Promise<void> {
    const pending = this.pending;
    if (!pending) return this.failure && this.file ? Promise.reject(this.failure) : Promise.resolve();
    return new Promise((resolve, reject) => pending.waiters.push({ resolve, reject }));
  }

  /** Refuses writes after a failed commit (memory is ahead of the file) or after close(). */
  private assertWritable(): void {
    if (this.failure) throw this.failure;
  }

  private commitPending(): void {
    const pending = this.pending;
    if (!pending || !this.file) return;
    this.pending = undefined;
    try {
      this.file.commit(this.writeBatch(pending));
    } catch (error) {
      this.failure = new StoreUnavailableError(
        `the embedded store in ${this.options.dataDir} could not commit a write (${(error as Error).message}); ` +
          'the writes not yet acknowledged are not on disk, and this process refuses further writes: restart it to reload the store from disk',
      );
      for (const waiter of pending.waiters) waiter.reject(this.failure);
      return;
    }
    for (const waiter of pending.waiters) waiter.resolve();
  }

  /** The rows of the pending changes, as the in-memory records are now. */
  private writeBatch(pending: PendingWrites): WriteBatch {
    const batch = emptyWriteBatch();
    for (const [id, meta] of pending.items) {
      const item = this.items.get(id)!;
      if (meta === null) {
        batch.itemLabels.push({ id, label: item.label ?? null, annotator: item.annotator ?? null, labeledAt: item.labeledAt ?? null });
      } else {
        batch.items.push(itemRow(item, meta));
      }
    }
    for (const key of pending.entities) {
      const entity = this.entities.get(key);
      if (entity) batch.entities.push(entityRow(entity));
      else batch.deletedEntities.push(key);
    }
    batch.relations = pending.relations;
    batch.labelEvents = pending.labelEvents;
    for (const id of pending.embeddings) {
      const vector = this.embeddings.vector(id);
      if (vector) batch.embeddings.push({ id, key: this.embeddings.keyOf(id)!, vector });
      else batch.deletedEmbeddings.push(id);
    }
    batch.rounds = pending.rounds.map(roundRow);
    batch.states = [...pending.states].map(([name, value]) => ({ name, value }));
    if (pending.meta) batch.meta = this.metaRows();
    return batch;
  }

  private metaRows(): WriteBatch['meta'] {
    return [
      { name: 'graphVersion', value: String(this.currentGraphVersion) },
      { name: 'analytics', value: JSON.stringify(this.analyticsInfo ?? null) },
    ];
  }

  /** Every record as rows (importing a former-format snapshot). */
  private everything(): WriteBatch {
    const batch = emptyWriteBatch();
    for (const item of this.items.values()) batch.items.push(itemRow(item, toJsonText(item.meta, `the metadata of item "${item.id}"`) ?? '{}'));
    for (const entity of this.entities.values()) batch.entities.push(entityRow(entity));
    batch.relations = [...this.relations.values()];
    for (const [itemId, events] of this.labelHistory) {
      events.forEach((event, seq) => batch.labelEvents.push({ itemId, seq, label: event.label, annotator: event.annotator ?? null, at: event.at, undo: event.undo === true }));
    }
    for (const id of this.embeddings.ids()) batch.embeddings.push({ id, key: this.embeddings.keyOf(id)!, vector: this.embeddings.vector(id)! });
    batch.rounds = this.rounds.map(roundRow);
    for (const [name, state] of this.namedStates) batch.states.push({ name, value: toJsonText(state, `state "${name}"`) });
    batch.meta = this.metaRows();
    return batch;
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
    this.assertWritable();
    const pending = this.changes();
    // Serialised before anything changes: metadata that cannot be stored rejects the call, nothing applied.
    const metaJson = pending ? upserts.map((u) => toJsonText(u.meta, `the metadata of item "${u.id}"`) ?? '{}') : undefined;
    // Co-occurrence not built yet since loading: build it from the mentions as they are before this change.
    if (upserts.some((u) => u.extraction)) this.pairs();
    const changes: Array<{ before: string[]; after: string[] }> = [];
    const released = new Set<string>();
    upserts.forEach((upsert, index) => {
      pending?.items.set(upsert.id, metaJson![index]!);
      const existing = this.items.get(upsert.id);
      const item: MemoryItem = existing ?? { id: upsert.id, text: upsert.text, meta: {}, mentions: [] };
      if (existing && existing.text !== upsert.text && this.embeddings.delete(upsert.id)) {
        pending?.embeddings.add(upsert.id);
      }
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
          else {
            this.entities.set(mention.key, { key: mention.key, name: mention.name, type: mention.type, kg: false, mentionedBy: 1 });
            pending?.entities.add(mention.key);
          }
        }
        item.mentions = upsert.extraction.mentions.map((m) => ({ key: m.key, count: m.count }));
        item.fingerprint = upsert.extraction.fingerprint;
        changes.push({ before, after: item.mentions.map((m) => m.key) });
      }
      if (!existing) this.idOrder = undefined;
      this.items.set(item.id, item);
    });
    if (changes.length > 0) {
      this.currentGraphVersion += 1;
      if (pending) pending.meta = true;
    }
    if (changes.length > 0) {
      const pairs = this.pairs();
      for (const { a, b, delta } of cooccurrenceDelta(changes)) this.addCooccurrence(pairs, a, b, delta);
    }
    for (const key of released) {
      const entity = this.entities.get(key);
      if (entity && entity.mentionedBy <= 0 && !entity.kg) {
        this.entities.delete(key);
        pending?.entities.add(key);
      }
    }
    this.itemsChanged();
    return this.durable();
  }

  async upsertRelations(relations: readonly RelationUpsert[]): Promise<void> {
    this.assertWritable();
    let changed = false;
    for (const relation of relations) {
      for (const term of [relation.subject, relation.object]) {
        const entity = this.entities.get(term.key);
        if (entity?.kg) continue;
        changed = true;
        if (entity) entity.kg = true;
        else this.entities.set(term.key, { key: term.key, name: term.name, type: 'kg', kg: true, mentionedBy: 0 });
        this.changes()?.entities.add(term.key);
      }
      const record = { subject: relation.subject.key, predicate: relation.predicate, object: relation.object.key };
      const key = relationKey(record);
      if (this.relations.has(key)) continue;
      changed = true;
      this.relations.set(key, record);
      this.changes()?.relations.push(record);
    }
    // Re-importing the same KG changes nothing, so analytics computed on the graph stay current.
    if (changed) {
      this.currentGraphVersion += 1;
      const pending = this.changes();
      if (pending) pending.meta = true;
    }
    return this.durable();
  }

  async setLabels(labels: readonly LabelAssignment[], options: SetLabelsOptions = {}): Promise<LabelWriteReport> {
    this.assertWritable();
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
      const pending = this.changes();
      if (pending) {
        if (!pending.items.has(assignment.id)) pending.items.set(assignment.id, null);
        pending.labelEvents.push({ itemId: assignment.id, seq: (history?.length ?? 1) - 1, label: event.label, annotator: event.annotator ?? null, at, undo: false });
      }
    }
    if (report.written.length > 0) this.labelsChanged(report.written);
    // Also when nothing was written: an "unchanged" answer may rest on a label whose commit is in flight.
    await this.durable();
    return report;
  }

  async undoLabel(id: string, annotator: string): Promise<LabelUndoReport> {
    this.assertWritable();
    const item = this.items.get(id);
    if (!item) throw new UnknownItemsError([id]);
    const history = this.labelHistory.get(id) ?? [];
    const plan = planUndo(id, history, item.label, annotator);
    if (plan.restored) {
      item.label = plan.restored.label;
      item.labeledAt = plan.restored.at;
      if (plan.restored.annotator !== undefined) item.annotator = plan.restored.annotator;
      else delete item.annotator;
    } else {
      delete item.label;
      delete item.labeledAt;
      delete item.annotator;
    }
    const at = new Date().toISOString();
    const event: LabelEvent = { label: plan.undone.label, annotator, at, undo: true };
    history.push(event);
    this.labelHistory.set(id, history);
    const pending = this.changes();
    if (pending) {
      if (!pending.items.has(id)) pending.items.set(id, null);
      pending.labelEvents.push({ itemId: id, seq: history.length - 1, label: event.label, annotator, at, undo: true });
    }
    this.labelsChanged([id]);
    await this.durable();
    return undoReport(id, plan);
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
    this.assertWritable();
    const unknown = updates.filter((u) => !this.items.has(u.id)).map((u) => u.id);
    if (unknown.length > 0) throw new UnknownItemsError(unknown);
    const pending = this.changes();
    for (const update of updates) {
      this.embeddings.set(update.id, update.key, update.vector);
      pending?.embeddings.add(update.id);
    }
    return this.durable();
  }

  async listEmbeddingStates(): Promise<EmbeddingState[]> {
    return [...this.items.values()].map((item) => {
      const key = this.embeddings.keyOf(item.id);
      return key === undefined ? { id: item.id, text: item.text } : { id: item.id, text: item.text, embeddingKey: key };
    });
  }

  async getEmbeddings(ids?: readonly string[]): Promise<{ ids: readonly string[]; matrix: Matrix<Float32Array> }> {
    if (ids === undefined) {
      // In id order (as from Neo4j), the same ids array and matrix until an embedding changes (read-only):
      // queries key what they derive on them (listing-memo.ts), and the matrix is the rows themselves (embedding-rows.ts).
      return this.embeddings.matrix();
    }
    const found: string[] = [];
    const vectors: Float32Array[] = [];
    for (const id of ids) {
      const vector = this.embeddings.vector(id);
      if (!vector) continue;
      found.push(id);
      vectors.push(vector);
    }
    return { ids: found, matrix: stackRows(vectors, vectors[0]?.length ?? 0) };
  }

  async setEntityAnalytics(rows: readonly EntityAnalytics[], measure: string, graphVersion: number): Promise<void> {
    this.assertWritable();
    const pending = this.changes();
    for (const { key, ...analytics } of rows) {
      const entity = this.entities.get(key);
      if (!entity) continue;
      entity.analytics = { ...analytics, measure };
      pending?.entities.add(key);
    }
    this.analyticsInfo = { measure, graphVersion };
    if (pending) pending.meta = true;
    return this.durable();
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
    this.assertWritable(); // readiness (GET /ready): a store that can no longer write is not ready
    return this.currentGraphVersion;
  }

  async getState(name: string): Promise<unknown> {
    const state = this.namedStates.get(name);
    return state === undefined ? undefined : structuredClone(state);
  }

  async setState(name: string, state: unknown): Promise<void> {
    this.assertWritable();
    this.writeState(name, state);
    return this.durable();
  }

  async updateState<T>(name: string, update: (current: T | undefined) => T): Promise<T> {
    this.assertWritable();
    // Synchronous from read to write: no other call of this single-process store can come in between.
    const current = this.namedStates.get(name);
    const next = update(current === undefined ? undefined : (structuredClone(current) as T));
    this.writeState(name, next);
    await this.durable();
    return structuredClone(next);
  }

  private writeState(name: string, state: unknown): void {
    const pending = this.changes();
    const json = pending ? toJsonText(state, `state "${name}"`) : undefined; // before anything changes
    this.namedStates.set(name, structuredClone(state));
    pending?.states.set(name, json);
  }

  async listItemEntities(): Promise<ReadonlyArray<{ readonly id: string; readonly keys: readonly string[] }>> {
    // The same array until mentions or items change (read-only): queries key what they derive on it (listing-memo.ts).
    this.entityListing ??= this.itemsInIdOrder().map((item) => ({ id: item.id, keys: item.mentions.map((m) => m.key) }));
    return this.entityListing;
  }

  /** Drops the cached listings: call after any change to an item (text, meta, mentions, new item). */
  private itemsChanged(): void {
    this.labelsChanged();
    this.entityListing = undefined;
  }

  /**
   * A label write changes the item listings but not the mentions: the entity listing (and what queries packed
   * from it) stays, and the summary listing becomes a copy with the relabeled items' entries replaced (a
   * batch of labels, not a million new summaries, per round of the learning loop).
   */
  private labelsChanged(ids?: readonly string[]): void {
    this.itemListing = undefined;
    const listing = this.summaryListing;
    this.summaryListing = undefined;
    if (!listing || !ids || !this.idOrder || listing.length !== this.idOrder.length) return;
    const patched = listing.slice();
    for (const id of ids) {
      const at = positionOfId(this.idOrder, id);
      if (at < 0) return; // not listed (cannot happen while idOrder is current): list afresh
      patched[at] = summaryOf(this.idOrder[at]!);
    }
    this.summaryListing = patched;
  }

  private itemsInIdOrder(): MemoryItem[] {
    this.idOrder ??= [...this.items.values()].sort((a, b) => compareIds(a.id, b.id));
    return this.idOrder;
  }

  async recordRound(round: RoundRecord): Promise<number> {
    this.assertWritable();
    const unknown = round.picks.filter((p) => !this.items.has(p.itemId)).map((p) => p.itemId);
    if (unknown.length > 0) throw new UnknownItemsError(unknown);
    const n = this.rounds.length + 1;
    const record: MemoryRound = { ...round, n, picks: round.picks.map((p) => ({ ...p, components: { ...p.components } })) };
    this.rounds.push(record);
    this.changes()?.rounds.push(record);
    await this.durable();
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

  async listLabelEvents(): Promise<ItemLabelEvent[]> {
    const ids = [...this.labelHistory.keys()].sort(compareIds);
    return ids.flatMap((itemId) => this.labelHistory.get(itemId)!.map((e) => ({ itemId, ...e })));
  }

  async getItemMentions(id: string): Promise<Array<{ key: string; count: number }>> {
    return (this.items.get(id)?.mentions ?? []).map((m) => ({ ...m }));
  }

  async listItems(): Promise<StoredItem[]> {
    this.itemListing ??= this.itemsInIdOrder().map(publicItem);
    return [...this.itemListing];
  }

  async listItemSummaries(): Promise<readonly ItemSummary[]> {
    this.summaryListing ??= this.itemsInIdOrder().map(summaryOf);
    // The same array until an item or label changes (read-only): queries key what they derive on it (listing-memo.ts).
    return this.summaryListing;
  }

  async listKgEntities(): Promise<Array<{ key: string; name: string }>> {
    const found: Array<{ key: string; name: string }> = [];
    for (const entity of this.entities.values()) if (entity.kg) found.push({ key: entity.key, name: entity.name });
    return found;
  }

  async listKgRelations(): Promise<Array<{ subject: string; object: string }>> {
    return [...this.relations.values()].map(({ subject, object }) => ({ subject, object }));
  }

  async getEntityGraph(): Promise<EntityGraphData> {
    return {
      entities: [...this.entities.values()].map(({ key, name, type, kg }) => ({ key, name, type, kg })),
      cooccurrences: [...this.pairs()].flatMap(([a, weights]) => [...weights].map(([b, weight]) => ({ a, b, weight }))),
      relations: [...this.relations.values()].map((r) => ({ ...r })),
    };
  }

  async stats(): Promise<StoreStats> {
    this.assertWritable(); // readiness: a store that can no longer write is not ready
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
      entityEdges: (this.pairs(), this.entityEdges),
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

  /** Commits the pending writes now (every write call already waits for its commit, so this is rarely needed). */
  async flush(): Promise<void> {
    const done = this.durable();
    this.commitPending();
    return done;
  }

  /** Commits what is pending, closes the store file and releases the writer lock; writes are refused afterwards. */
  async close(): Promise<void> {
    if (!this.file) return;
    try {
      await this.flush();
    } finally {
      this.file.close();
      this.lock?.release();
      this.file = undefined;
      this.lock = undefined;
      this.failure ??= new StoreUnavailableError(`the embedded store in ${this.options.dataDir} is closed`);
    }
  }

  /** Fills the empty store from its file's rows. */
  private loader(): LoadSink {
    this.cooccurrence = undefined;
    return {
      entity: (row) => {
        const entity: MemoryEntity = { key: row.key, name: row.name, type: row.type as EntityType, kg: row.kg, mentionedBy: 0 };
        if (row.analytics) entity.analytics = row.analytics;
        this.entities.set(row.key, entity);
      },
      item: (row) => {
        const item: MemoryItem = {
          id: row.id,
          text: row.text,
          meta: JSON.parse(row.meta) as Record<string, unknown>,
          mentions: JSON.parse(row.mentions) as MemoryItem['mentions'],
        };
        if (row.label !== null) item.label = row.label;
        if (row.fingerprint !== null) item.fingerprint = row.fingerprint;
        if (row.annotator !== null) item.annotator = row.annotator;
        if (row.labeledAt !== null) item.labeledAt = row.labeledAt;
        this.addLoadedItem(item);
      },
      relation: (row) => this.relations.set(relationKey(row), row),
      labelEvent: (row) => {
        const event: LabelEvent = { label: row.label, at: row.at };
        if (row.annotator !== null) event.annotator = row.annotator;
        if (row.undo) event.undo = true;
        const history = this.labelHistory.get(row.itemId);
        if (history) history.push(event);
        else this.labelHistory.set(row.itemId, [event]);
      },
      round: (row) => {
        const round: MemoryRound = { n: row.n, strategy: row.strategy, at: row.at, picks: JSON.parse(row.picks) as RoundPick[] };
        if (row.annotator !== null) round.annotator = row.annotator;
        this.rounds.push(round);
      },
      state: (name, value) => this.namedStates.set(name, JSON.parse(value)),
      meta: (name, value) => {
        if (name === 'graphVersion') this.currentGraphVersion = Number(value);
        else if (name === 'analytics') this.analyticsInfo = (JSON.parse(value) as { measure: string; graphVersion: number } | null) ?? undefined;
      },
      embedding: (id, key, vector) => this.embeddings.set(id, key, vector),
    };
  }

  private addLoadedItem(item: MemoryItem): void {
    this.items.set(item.id, item);
    for (const mention of item.mentions) {
      const entity = this.entities.get(mention.key);
      if (entity) {
        entity.mentionedBy += 1;
        mention.key = entity.key; // one string per entity, its hash computed once
      }
    }
  }

  /** The co-occurrence weights, rebuilt from the items' mentions on first use after loading. */
  private pairs(): Map<string, Map<string, number>> {
    if (this.cooccurrence) return this.cooccurrence;
    const pairs = new Map<string, Map<string, number>>();
    this.cooccurrence = pairs;
    this.entityEdges = 0;
    const keys: string[] = [];
    for (const item of this.items.values()) {
      keys.length = 0;
      for (const mention of item.mentions) if (!keys.includes(mention.key)) keys.push(mention.key);
      for (let i = 0; i < keys.length; i += 1) {
        for (let j = i + 1; j < keys.length; j += 1) {
          const x = keys[i]!;
          const y = keys[j]!;
          if (x < y) this.addCooccurrence(pairs, x, y, 1);
          else this.addCooccurrence(pairs, y, x, 1);
        }
      }
    }
    return pairs;
  }

  /** Adds `delta` to the weight of the pair a < b; a pair at 0 is removed. */
  private addCooccurrence(pairs: Map<string, Map<string, number>>, a: string, b: string, delta: number): void {
    let weights = pairs.get(a);
    const before = weights?.get(b) ?? 0;
    const weight = before + delta;
    if (weight > 0) {
      if (!weights) pairs.set(a, (weights = new Map()));
      weights.set(b, weight);
      if (before === 0) this.entityEdges += 1;
    } else if (before > 0) {
      weights!.delete(b);
      if (weights!.size === 0) pairs.delete(a);
      this.entityEdges -= 1;
    }
  }

  /** Loads a data directory of the former snapshot format (to import it, or to read it). */
  private async loadLegacy(snapshot: LegacySnapshot): Promise<void> {
    this.cooccurrence = undefined;
    for await (const entity of readLegacyTable<EntityRecord & Pick<MemoryEntity, 'analytics'>>(snapshot, 'entities')) {
      this.entities.set(entity.key, { ...entity, type: entity.type as EntityType, mentionedBy: 0 });
    }
    for await (const item of readLegacyTable<MemoryItem>(snapshot, 'items')) this.addLoadedItem(item);
    for await (const relation of readLegacyTable<MemoryRelation>(snapshot, 'relations')) this.relations.set(relationKey(relation), relation);
    for await (const round of readLegacyTable<MemoryRound>(snapshot, 'rounds')) this.rounds.push(round);
    for await (const { id, events } of readLegacyTable<{ id: string; events: LabelEvent[] }>(snapshot, 'labelHistory')) this.labelHistory.set(id, events);
    for await (const meta of readLegacyTable<{ graphVersion: number; analytics: { measure: string; graphVersion: number } | null }>(snapshot, 'meta')) {
      this.currentGraphVersion = meta.graphVersion;
      this.analyticsInfo = meta.analytics ?? undefined;
    }
    for await (const { name, state } of readLegacyTable<{ name: string; state: unknown }>(snapshot, 'namedStates')) this.namedStates.set(name, state);
    const index: Array<{ id: string; key: string; dimension: number }> = [];
    for await (const entry of readLegacyTable<{ id: string; key: string; dimension: number }>(snapshot, 'embeddings')) index.push(entry);
    const vectors = await readLegacyVectors(snapshot, index.map((e) => e.dimension));
    index.forEach((entry, i) => this.embeddings.set(entry.id, entry.key, vectors[i]!));
  }
}

/** One KG fact per (subject, predicate, object). */
function relationKey(relation: MemoryRelation): string {
  return `${relation.subject}\u0000${relation.predicate}\u0000${relation.object}`;
}

function itemRow(item: MemoryItem, meta: string): ItemRow {
  return {
    id: item.id,
    text: item.text,
    label: item.label ?? null,
    meta,
    fingerprint: item.fingerprint ?? null,
    annotator: item.annotator ?? null,
    labeledAt: item.labeledAt ?? null,
    mentions: JSON.stringify(item.mentions),
  };
}

function entityRow(entity: MemoryEntity): EntityRow {
  const a = entity.analytics;
  return {
    key: entity.key,
    name: entity.name,
    type: entity.type,
    kg: entity.kg,
    analytics: a ? { measure: a.measure, centrality: a.centrality, community: a.community, coverage: a.coverage, gap: a.gap } : null,
  };
}

function roundRow(round: MemoryRound): RoundRow {
  return { n: round.n, strategy: round.strategy, at: round.at, annotator: round.annotator ?? null, picks: JSON.stringify(round.picks) };
}

function summaryOf(item: MemoryItem): ItemSummary {
  const { text: _text, ...summary } = publicItem(item);
  return summary;
}

/** Binary search of an id among items in id order: its position, or −1. */
function positionOfId(items: readonly MemoryItem[], id: string): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = items[mid]!.id;
    if (at === id) return mid;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function publicItem(item: MemoryItem): StoredItem {
  const { mentions: _mentions, ...rest } = item;
  return { ...rest, meta: { ...rest.meta } };
}

