import { randomUUID } from 'node:crypto';
import { endianness } from 'node:os';
import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver';
import { cypherFile } from '../config/package-paths.js';
import type { EntityType } from '../entities/entity-extractor.js';
import { stackRows, type Matrix } from '../model/matrix.js';
import { cooccurrenceDelta } from './cooccurrence.js';
import { readCypherStatements } from './cypher-statements.js';
import { compareIds } from './id-order.js';
import { planUndo, undoReport, type LabelUndoReport } from './label-undo.js';
import { ItemFileCache, type ListingKind } from './item-file-cache.js';
import {
  LabelConflictError,
  LeaseConflictError,
  StoreUnavailableError,
  UnknownItemsError,
  lastPerId,
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
  type GraphStore,
  type ItemSummary,
  type ItemUpsert,
  type LabelAssignment,
  type ItemLabelEvent,
  type LabelEvent,
  type RelationUpsert,
  type RoundRecord,
  type StoreStats,
  type StoredItem,
  sortedRecord,
} from './graph-store.js';

export interface Neo4jConnection {
  uri: string;
  user?: string;
  password?: string;
  database: string;
  /**
   * A directory for local file copies of what is cached under the items token (item-file-cache.ts: the
   * embedding matrix, the item → entity listing, the items' static fields): a new process's first query
   * then reads them from disk instead of Bolt. Unset: no files.
   */
  itemCacheDir?: string;
}

/**
 * The Neo4j store. Every write method is one managed write transaction of a few `UNWIND` statements
 * (batched, parameterised, MERGE on the uniqueness constraints of cypher/schema.cypher), so a batch
 * commits completely or not at all, and re-running it is idempotent. The database is named in every
 * session.
 */
export class Neo4jGraphStore implements GraphStore {
  readonly description: string;
  /**
   * All embeddings as of the database's embeddings token, kept between queries: reading 100k × 384
   * floats over Bolt on every query would dominate it. Any process changing embeddings sets a new random
   * token, so every process sees the change on its next read.
   */
  private readonly embeddingCache = new TokenSlot<{ ids: string[]; matrix: Matrix<Float32Array> }>();
  /**
   * The item → entity-key listing under the same token (every item upsert renews it, and only upserts
   * write mentions): at 100k items it is ~1 s of a query over Bolt and changes only with an ingest.
   */
  private readonly mentionCache = new TokenSlot<Array<{ id: string; keys: string[] }>>();
  /**
   * The item listing's part that only an upsert changes (id, meta, fingerprint), in id order, under the
   * same token: re-reading 100k rows over Bolt was half of a query. Labels and leases change between
   * queries and are re-read every time from the few items that have them (see listItemSummaries).
   */
  private readonly summaryCache = new TokenSlot<StaticSummary[]>();
  /** The stored entity analytics, keyed by the refresh's token and the graph version (~7k rows at 100k items). */
  private analyticsCache: { key: string; rows: StoredEntityAnalytics['rows'] } | undefined;
  /** File copies of the three caches above for the next process (connection.itemCacheDir), and the writes in flight. */
  private readonly itemFiles: ItemFileCache | undefined;
  private fileWrites: Promise<void> = Promise.resolve();

  /**
   * One bookmark manager for every session of this store: on a cluster, a read after this process's write
   * waits until the reader has that write (causal consistency within the process; label, then query).
   */
  private readonly bookmarks = neo4j.bookmarkManager();

  private constructor(
    private readonly driver: Driver,
    private readonly database: string,
    uri: string,
    itemCacheDir?: string,
  ) {
    this.description = `Neo4j at ${uri} (database "${database}")`;
    this.itemFiles = itemCacheDir ? new ItemFileCache(itemCacheDir, `${uri}\u0000${database}`) : undefined;
  }

  /**
   * A read that only item writes change, under the database's items token: this process's copy while the
   * token still holds, else this machine's file, else Bolt; the value is then kept for the next call.
   * Without a token (a database from before tokens, or a read of some ids only) it always reads Bolt.
   */
  private async readUnderToken<T>(slot: TokenSlot<T>, token: string | null, files: FileCopy<T>, fromBolt: () => Promise<T>): Promise<T> {
    const kept = slot.valueFor(token);
    if (kept !== undefined) return kept;
    const value = await this.throughFiles(token, files, fromBolt);
    slot.keep(token, value);
    return value;
  }

  /**
   * What was read under `token`: from this machine's file when one holds that token, else from Bolt, and
   * then written to the file for the next process (not awaited by the caller; close() waits for it).
   */
  private async throughFiles<T>(token: string | null, files: FileCopy<T>, fromBolt: () => Promise<T>): Promise<T> {
    const cache = this.itemFiles;
    if (token === null || !cache) return fromBolt();
    const cached = await files.read(cache, token);
    if (cached !== undefined) return cached;
    const value = await fromBolt();
    // A cache write never fails the store (or its close): a file that is not written is a later miss.
    this.fileWrites = this.fileWrites.then(() => files.write(cache, token, value)).catch(() => undefined);
    return value;
  }

  static async connect(connection: Neo4jConnection): Promise<Neo4jGraphStore> {
    const auth =
      connection.user || connection.password
        ? neo4j.auth.basic(connection.user ?? 'neo4j', connection.password ?? '')
        : undefined;
    let driver: Driver;
    try {
      driver = neo4j.driver(connection.uri, auth, {
        disableLosslessIntegers: true,
        connectionTimeout: 10_000,
        maxTransactionRetryTime: 15_000,
        logging: { level: 'error', logger: () => undefined },
      });
    } catch (error) {
      throw new StoreUnavailableError(`invalid Neo4j URI ${connection.uri}: ${(error as Error).message}`);
    }
    try {
      await driver.verifyConnectivity({ database: connection.database });
      const store = new Neo4jGraphStore(driver, connection.database, connection.uri, connection.itemCacheDir);
      await store.applySchema();
      return store;
    } catch (error) {
      await driver.close();
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(
        `cannot reach Neo4j at ${connection.uri} (database "${connection.database}"): ${(error as Error).message}. ` +
          'Start one with `npm run neo4j:start` or `docker compose up neo4j`, or set NEO4J_URI.',
      );
    }
  }

  /** Applies cypher/schema.cypher (constraints, indexes, the item vector index). */
  private async applySchema(): Promise<void> {
    const statements = await readCypherStatements(cypherFile('schema.cypher'));
    const session = this.driver.session({ database: this.database });
    try {
      // Schema statements cannot share a transaction with each other's writes: one auto-commit each.
      for (const statement of statements) await session.run(statement);
      await session.run('CALL db.awaitIndexes(300)');
    } finally {
      await session.close();
    }
  }

  private async write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE, bookmarkManager: this.bookmarks });
    try {
      return await session.executeWrite(work);
    } finally {
      await session.close();
    }
  }

  private async read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ, bookmarkManager: this.bookmarks });
    try {
      return await session.executeRead(work);
    } finally {
      await session.close();
    }
  }

  async getFingerprints(ids: readonly string[]): Promise<Map<string, string>> {
    return this.read(async (tx) => {
      const result = await tx.run(
        'UNWIND $ids AS id MATCH (i:Item {id: id}) WHERE i.fingerprint IS NOT NULL RETURN i.id AS id, i.fingerprint AS fingerprint',
        { ids },
      );
      return new Map(result.records.map((r) => [r.get('id') as string, r.get('fingerprint') as string]));
    });
  }

  async upsertItems(items: readonly ItemUpsert[]): Promise<void> {
    if (items.length === 0) return;
    const reextracted = items.filter((item) => item.extraction);
    const changedIds = reextracted.map((item) => item.id);
    await this.write(async (tx) => {
      const previous = await tx.run(
        `UNWIND $ids AS id
         MATCH (:Item {id: id})-[:MENTIONS]->(e:Entity)
         RETURN id, collect(e.key) AS keys`,
        { ids: changedIds },
      );
      const before = new Map(previous.records.map((r) => [r.get('id') as string, r.get('keys') as string[]]));
      const deltas = cooccurrenceDelta(
        reextracted.map((item) => ({
          before: before.get(item.id) ?? [],
          after: item.extraction!.mentions.map((m) => m.key),
        })),
      );
      await tx.run(
        `UNWIND $items AS it
         MERGE (i:Item {id: it.id})
         FOREACH (_ IN CASE WHEN i.text <> it.text THEN [1] ELSE [] END | REMOVE i.embedding, i.embeddingPacked, i.embeddingKey)
         SET i.text = it.text, i.meta = it.meta, i.label = coalesce(it.label, i.label),
             i.fingerprint = coalesce(it.fingerprint, i.fingerprint)`,
        {
          items: items.map((item) => ({
            id: item.id,
            text: item.text,
            meta: JSON.stringify(item.meta),
            label: item.label ?? null,
            fingerprint: item.extraction?.fingerprint ?? null,
          })),
        },
      );
      // A changed text dropped its embedding above and mentions change below: renew the token that the
      // embedding and mention caches key on (cheaper on every upsert than to ask what changed).
      await renewItemsToken(tx);
      await tx.run('UNWIND $ids AS id MATCH (:Item {id: id})-[m:MENTIONS]->() DELETE m', { ids: changedIds });
      const mentions = reextracted.flatMap((item) =>
        item.extraction!.mentions.map((m) => ({ item: item.id, key: m.key, name: m.name, type: m.type, count: m.count })),
      );
      await tx.run(
        `UNWIND $mentions AS m
         MERGE (e:Entity {key: m.key})
           ON CREATE SET e.name = m.name, e.type = m.type, e.kg = false
         WITH m, e
         MATCH (i:Item {id: m.item})
         CREATE (i)-[:MENTIONS {count: m.count}]->(e)`,
        { mentions },
      );
      await tx.run(
        `UNWIND $deltas AS d
         MATCH (a:Entity {key: d.a}), (b:Entity {key: d.b})
         MERGE (a)-[c:CO_OCCURS]->(b)
           ON CREATE SET c.weight = 0
         SET c.weight = c.weight + d.delta
         WITH c WHERE c.weight <= 0
         DELETE c`,
        { deltas },
      );
      if (reextracted.length > 0) await bumpGraphVersion(tx);
      const released = [...new Set([...before.values()].flat())];
      await tx.run(
        `UNWIND $keys AS key
         MATCH (e:Entity {key: key})
         WHERE NOT e.kg AND NOT EXISTS { (e)<-[:MENTIONS]-(:Item) }
         DETACH DELETE e`,
        { keys: released },
      );
    });
  }

  async upsertRelations(relations: readonly RelationUpsert[]): Promise<void> {
    if (relations.length === 0) return;
    await this.write(async (tx) => {
      // Re-importing the same KG changes nothing, so analytics computed on the graph stay current.
      const missing = await tx.run(
        `UNWIND $relations AS r
         OPTIONAL MATCH (s:Entity {key: r.subject.key, kg: true})-[k:RELATED {predicate: r.predicate}]->(o:Entity {key: r.object.key, kg: true})
         RETURN count(*) - count(k) AS missing`,
        { relations },
      );
      if ((missing.records[0]?.get('missing') as number) === 0) return;
      await tx.run(
        `UNWIND $relations AS r
         MERGE (s:Entity {key: r.subject.key})
           ON CREATE SET s.name = r.subject.name, s.type = 'kg'
         SET s.kg = true
         MERGE (o:Entity {key: r.object.key})
           ON CREATE SET o.name = r.object.name, o.type = 'kg'
         SET o.kg = true
         MERGE (s)-[:RELATED {predicate: r.predicate}]->(o)`,
        { relations },
      );
      await bumpGraphVersion(tx);
    });
  }

  async setLabels(labels: readonly LabelAssignment[], options: SetLabelsOptions = {}): Promise<LabelWriteReport> {
    const assignments = lastPerId(labels);
    if (assignments.length === 0) return { written: [], unchanged: [] };
    return this.write(async (tx) => {
      const ids = assignments.map((l) => l.id);
      await this.rejectUnknownIds(tx, ids);
      // Read the items under their write locks: a concurrent lease or label cannot slip in between.
      await lockItems(tx, ids);
      const current = await tx.run(
        `UNWIND $ids AS id MATCH (i:Item {id: id})
         RETURN i.id AS id, i.label AS label, i.annotator AS annotator, i.leaseHolder AS holder,
                i.leaseUntil > timestamp() AS leased`,
        { ids },
      );
      const state = new Map(
        current.records.map((r) => [
          r.get('id') as string,
          { label: r.get('label') as string | null, annotator: r.get('annotator') as string | null, holder: r.get('holder') as string | null, leased: r.get('leased') === true },
        ]),
      );
      if (options.respectLeases) {
        const conflicts = assignments.flatMap((l) => {
          const s = state.get(l.id)!;
          return s.leased && s.holder !== null && s.holder !== l.annotator ? [{ id: l.id, holder: s.holder }] : [];
        });
        if (conflicts.length > 0) throw new LeaseConflictError(conflicts);
      }
      if (options.onConflict === 'reject') {
        const conflicts = assignments.flatMap((l) => {
          const s = state.get(l.id)!;
          return s.label !== null && s.label !== l.label ? [{ id: l.id, current: s.label, given: l.label }] : [];
        });
        if (conflicts.length > 0) throw new LabelConflictError(conflicts);
      }
      const report: LabelWriteReport = { written: [], unchanged: [] };
      const toWrite = assignments.filter((l) => {
        const s = state.get(l.id)!;
        const same = s.label === l.label && s.annotator === (l.annotator ?? null);
        (same ? report.unchanged : report.written).push(l.id);
        return !same;
      });
      await tx.run('UNWIND $ids AS id MATCH (i:Item {id: id}) REMOVE i.leaseHolder, i.leaseUntil', { ids });
      if (toWrite.length === 0) return report;
      // A global sequence (the counter's write lock serialises writers) orders the history exactly.
      const counter = await tx.run(
        `MERGE (c:KgalCounter {name: 'labelEvent'})
         SET c.value = coalesce(c.value, 0) + $n
         RETURN c.value - $n AS base`,
        { n: toWrite.length },
      );
      const base = counter.records[0]?.get('base') as number;
      await tx.run(
        `UNWIND $labels AS l
         MATCH (i:Item {id: l.id})
         SET i.label = l.label, i.labeledAt = $at, i.annotator = l.annotator
         CREATE (:LabelEvent {itemId: l.id, seq: l.seq, label: l.label, annotator: l.annotator, at: $at})`,
        {
          labels: toWrite.map((l, index) => ({ id: l.id, seq: base + index, label: l.label, annotator: l.annotator ?? null })),
          at: new Date().toISOString(),
        },
      );
      return report;
    });
  }

  async undoLabel(id: string, annotator: string): Promise<LabelUndoReport> {
    return this.write(async (tx) => {
      await this.rejectUnknownIds(tx, [id]);
      // Under the item's write lock: a concurrent label or undo of the same item waits for this one.
      await lockItems(tx, [id]);
      const current = await tx.run(
        `MATCH (i:Item {id: $id})
         OPTIONAL MATCH (e:LabelEvent {itemId: $id})
         WITH i, e ORDER BY e.seq
         RETURN i.label AS label, collect(e {.label, .annotator, .at, .undo}) AS history`,
        { id },
      );
      const record = current.records[0]!;
      const history = (record.get('history') as Array<{ label: string; annotator: string | null; at: string; undo: boolean | null }>).map(labelEvent);
      const plan = planUndo(id, history, (record.get('label') as string | null) ?? undefined, annotator);
      const counter = await tx.run(
        `MERGE (c:KgalCounter {name: 'labelEvent'})
         SET c.value = coalesce(c.value, 0) + 1
         RETURN c.value - 1 AS seq`,
      );
      await tx.run(
        `MATCH (i:Item {id: $id})
         SET i.label = $restored.label, i.labeledAt = $restored.at, i.annotator = $restored.annotator
         CREATE (:LabelEvent {itemId: $id, seq: $seq, label: $undone, annotator: $annotator, at: $at, undo: true})`,
        {
          id,
          seq: counter.records[0]?.get('seq') as number,
          undone: plan.undone.label,
          annotator,
          at: new Date().toISOString(),
          restored: { label: plan.restored?.label ?? null, at: plan.restored?.at ?? null, annotator: plan.restored?.annotator ?? null },
        },
      );
      return undoReport(id, plan);
    });
  }

  async leaseItems(request: LeaseRequest): Promise<Lease[]> {
    if (request.ids.length === 0) return [];
    const granted = await this.write(async (tx) => {
      await lockItems(tx, request.ids);
      // The database clock decides expiry, so API processes on different hosts agree.
      const result = await tx.run(
        `WITH timestamp() AS now
         UNWIND $ids AS id
         MATCH (i:Item {id: id})
         WHERE i.label IS NULL AND (i.leaseUntil IS NULL OR i.leaseUntil <= now OR i.leaseHolder = $holder)
         SET i.leaseHolder = $holder, i.leaseUntil = now + $duration
         RETURN i.id AS id, i.leaseUntil AS until`,
        { ids: [...new Set(request.ids)], holder: request.holder, duration: neo4j.int(Math.round(request.durationMs)) },
      );
      return new Map(result.records.map((r) => [r.get('id') as string, r.get('until') as number]));
    });
    return [...new Set(request.ids)].flatMap((id) => {
      const until = granted.get(id);
      return until === undefined ? [] : [{ itemId: id, holder: request.holder, expiresAt: new Date(until).toISOString() }];
    });
  }

  async activeLeases(): Promise<Lease[]> {
    return this.read(async (tx) => {
      const result = await tx.run(
        'MATCH (i:Item) WHERE i.leaseUntil > timestamp() RETURN i.id AS id, i.leaseHolder AS holder, i.leaseUntil AS until ORDER BY id',
      );
      return result.records.map((r) => ({
        itemId: r.get('id') as string,
        holder: r.get('holder') as string,
        expiresAt: new Date(r.get('until') as number).toISOString(),
      }));
    });
  }

  async releaseLeases(ids: readonly string[], holder?: string): Promise<number> {
    if (ids.length === 0) return 0;
    return this.write(async (tx) => {
      await lockItems(tx, ids);
      const result = await tx.run(
        `UNWIND $ids AS id
         MATCH (i:Item {id: id})
         WHERE i.leaseUntil IS NOT NULL AND ($holder IS NULL OR i.leaseHolder = $holder)
         WITH i, i.leaseUntil > timestamp() AS active
         REMOVE i.leaseHolder, i.leaseUntil
         RETURN count(CASE WHEN active THEN 1 END) AS n`,
        { ids: [...new Set(ids)], holder: holder ?? null },
      );
      return (result.records[0]?.get('n') as number | undefined) ?? 0;
    });
  }

  async setEmbeddings(updates: readonly EmbeddingUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await this.write(async (tx) => {
      await this.rejectUnknownIds(tx, updates.map((u) => u.id));
      // setNodeVectorProperty stores a float32 vector (half the size of a list of doubles) for the index;
      // embeddingPacked is the same vector for bulk reads (see packVector).
      await tx.run(
        `UNWIND $rows AS row
         MATCH (i:Item {id: row.id})
         CALL db.create.setNodeVectorProperty(i, 'embedding', row.vector)
         SET i.embeddingKey = row.key, i.embeddingPacked = row.packed`,
        { rows: updates.map((u) => ({ id: u.id, key: u.key, vector: Array.from(u.vector), packed: packVector(u.vector) })) },
      );
      await renewItemsToken(tx);
    });
  }

  async setEntityAnalytics(rows: readonly EntityAnalytics[], measure: string, graphVersion: number): Promise<void> {
    const BATCH = 10_000;
    for (let start = 0; start < rows.length; start += BATCH) {
      await this.write((tx) =>
        tx.run(
          `UNWIND $rows AS row
           MATCH (e:Entity {key: row.key})
           SET e.centrality = row.centrality, e.centralityMeasure = $measure, e.community = row.community,
               e.coverage = row.coverage, e.gap = row.gap,
               e.pagerank = CASE WHEN $measure = 'pagerank' THEN row.centrality ELSE e.pagerank END`,
          { rows: rows.slice(start, start + BATCH), measure },
        ),
      );
    }
    // A new token per refresh: processes that cached the rows (getEntityAnalytics) read them again.
    await this.setState('entityAnalytics', { measure, graphVersion, token: randomUUID() });
  }

  async getEntityAnalytics(): Promise<StoredEntityAnalytics | undefined> {
    return this.read(async (tx) => {
      // The refresh's token and the graph version first, the rows after (a refresh committed in between
      // leaves the cache newer than its key, never older). Only a refresh writes these properties, and
      // only a graph change (which bumps the version) deletes an entity, so the pair keys the rows exactly.
      const state = await tx.run(
        `OPTIONAL MATCH (s:KgalState {name: 'entityAnalytics'}) OPTIONAL MATCH (c:KgalCounter {name: 'graph'})
         RETURN s.json AS json, c.value AS version`,
      );
      const json = state.records[0]?.get('json') as string | null;
      if (json === null) return undefined;
      const { token, ...info } = JSON.parse(json) as { measure: string; graphVersion: number; token?: string };
      const key = token === undefined ? undefined : `${token}@${(state.records[0]?.get('version') as number | null) ?? 0}`;
      if (key !== undefined && this.analyticsCache?.key === key) return { ...info, rows: [...this.analyticsCache.rows] };
      const result = await tx.run(
        'MATCH (e:Entity) WHERE e.centrality IS NOT NULL RETURN e.key AS key, e.name AS name, e.type AS type, e.centrality AS centrality, e.community AS community',
      );
      const rows = result.records.map((r) => ({
        key: r.get('key') as string,
        name: r.get('name') as string,
        type: r.get('type') as EntityType,
        centrality: r.get('centrality') as number,
        community: r.get('community') as number,
      }));
      if (key !== undefined) this.analyticsCache = { key, rows };
      return { ...info, rows: [...rows] };
    });
  }

  async graphVersion(): Promise<number> {
    return this.read(async (tx) => {
      const result = await tx.run(`MATCH (c:KgalCounter {name: 'graph'}) RETURN c.value AS value`);
      return (result.records[0]?.get('value') as number | undefined) ?? 0;
    });
  }

  async getState(name: string): Promise<unknown> {
    return this.read(async (tx) => {
      const result = await tx.run('MATCH (s:KgalState {name: $name}) RETURN s.json AS json', { name });
      const json = result.records[0]?.get('json') as string | undefined;
      return json === undefined ? undefined : (JSON.parse(json) as unknown);
    });
  }

  async setState(name: string, state: unknown): Promise<void> {
    await this.write((tx) => tx.run('MERGE (s:KgalState {name: $name}) SET s.json = $json', { name, json: JSON.stringify(state) }));
  }

  async updateState<T>(name: string, update: (current: T | undefined) => T): Promise<T> {
    return this.write(async (tx) => {
      // Writing a property first takes the node's write lock (the uniqueness constraint makes concurrent
      // MERGEs of a new name wait for each other), so the read below sees the last committed value and
      // no other transaction can write in between (Neo4j's documented lost-update pattern).
      const result = await tx.run('MERGE (s:KgalState {name: $name}) SET s._lock = true RETURN s.json AS json', { name });
      const json = result.records[0]?.get('json') as string | null | undefined;
      const next = update(json == null ? undefined : (JSON.parse(json) as T));
      await tx.run('MATCH (s:KgalState {name: $name}) SET s.json = $json REMOVE s._lock', { name, json: JSON.stringify(next) });
      return next;
    });
  }

  async listItemEntities(): Promise<Array<{ id: string; keys: string[] }>> {
    return this.read(async (tx) => {
      // Token first, as for the embeddings: a change committed meanwhile leaves the cache newer than its token.
      const token = await readItemsToken(tx);
      // Items in the id index's order (no sort) with a pattern comprehension per item (no grouping): at
      // 100k items ~0.8-1.5 s against 1.6-2.2 s for OPTIONAL MATCH + collect + ORDER BY.
      const listing = await this.readUnderToken(this.mentionCache, token, listingFiles<Array<{ id: string; keys: string[] }>>('mentions'), async () => {
        const result = await tx.run(
          'MATCH (i:Item) WHERE i.id IS NOT NULL RETURN i.id AS id, [(i)-[:MENTIONS]->(e:Entity) | e.key] AS keys ORDER BY i.id',
        );
        return result.records.map((r) => ({ id: r.get('id') as string, keys: r.get('keys') as string[] }));
      });
      return [...listing];
    });
  }

  async listEmbeddingStates(): Promise<EmbeddingState[]> {
    return this.read(async (tx) => {
      const result = await tx.run('MATCH (i:Item) RETURN i.id AS id, i.text AS text, i.embeddingKey AS key ORDER BY id');
      return result.records.map((r) => {
        const key = r.get('key') as string | null;
        const state: EmbeddingState = { id: r.get('id') as string, text: r.get('text') as string };
        if (key !== null) state.embeddingKey = key;
        return state;
      });
    });
  }

  async getEmbeddings(ids?: readonly string[]): Promise<{ ids: string[]; matrix: Matrix<Float32Array> }> {
    return this.read(async (tx) => {
      // The token is read before the vectors: a change committed in between makes the cache newer than
      // its token (refreshed next time), never older.
      const token = ids ? null : await readItemsToken(tx);
      // The packed copy when there is one, the vector property for items embedded before it existed.
      const columns = `i.id AS id, ${PACKED ? 'i.embeddingPacked' : 'null'} AS packed, CASE WHEN ${PACKED ? 'i.embeddingPacked IS NULL' : 'true'} THEN i.embedding END AS embedding`;
      const embeddings = await this.readUnderToken(this.embeddingCache, token, VECTOR_FILES, async () => {
        const result = ids
          ? await tx.run(`UNWIND range(0, size($ids) - 1) AS n MATCH (i:Item {id: $ids[n]}) WHERE i.embedding IS NOT NULL RETURN ${columns} ORDER BY n`, { ids })
          : // In the id index's order (a NodeIndexScan, no Sort): rows stream as the server reads them, and a
            // million ids are not sorted on the server's heap first (which overran a 2 GB heap at 1M items).
            await tx.run(`MATCH (i:Item) WHERE i.id IS NOT NULL AND i.embedding IS NOT NULL RETURN ${columns} ORDER BY i.id`);
        return { ids: result.records.map((r) => r.get('id') as string), matrix: embeddingMatrix(result.records) };
      });
      return { ...embeddings };
    });
  }

  private async rejectUnknownIds(tx: ManagedTransaction, ids: readonly string[]): Promise<void> {
    const missing = await tx.run(
      'UNWIND $ids AS id OPTIONAL MATCH (i:Item {id: id}) WITH id, i WHERE i IS NULL RETURN collect(id) AS missing',
      { ids },
    );
    const unknown = missing.records[0]?.get('missing') as string[];
    if (unknown.length > 0) throw new UnknownItemsError(unknown);
  }

  async recordRound(round: RoundRecord): Promise<number> {
    return this.write(async (tx) => {
      await this.rejectUnknownIds(tx, round.picks.map((p) => p.itemId));
      // The counter node serialises concurrent rounds (its write lock), so round numbers never collide.
      const result = await tx.run(
        `MERGE (c:KgalCounter {name: 'round'})
         SET c.value = coalesce(c.value, 0) + 1
         CREATE (r:Round {n: c.value, strategy: $strategy, at: $at, annotator: $annotator})
         WITH r
         UNWIND $picks AS p
         MATCH (i:Item {id: p.itemId})
         CREATE (r)-[k:PICKED]->(i)
         SET k += p.components, k.rank = p.rank, k.score = p.score
         RETURN DISTINCT r.n AS n`,
        { strategy: round.strategy, at: round.at, annotator: round.annotator ?? null, picks: round.picks },
      );
      return (result.records[0]?.get('n') as number | undefined) ?? (await this.lastRoundNumber(tx));
    });
  }

  private async lastRoundNumber(tx: ManagedTransaction): Promise<number> {
    const result = await tx.run(`MATCH (c:KgalCounter {name: 'round'}) RETURN c.value AS n`);
    return result.records[0]?.get('n') as number;
  }

  async getItem(id: string): Promise<StoredItem | undefined> {
    return this.read(async (tx) => {
      const result = await tx.run(`MATCH (i:Item {id: $id}) RETURN ${ITEM_PROJECTION}`, { id });
      const record = result.records[0];
      return record ? itemFromRecord(record) : undefined;
    });
  }

  async getItems(ids: readonly string[]): Promise<StoredItem[]> {
    return this.read(async (tx) => {
      const result = await tx.run(`UNWIND range(0, size($ids) - 1) AS n MATCH (i:Item {id: $ids[n]}) RETURN ${ITEM_PROJECTION} ORDER BY n`, { ids });
      return result.records.map(itemFromRecord);
    });
  }

  async getPickHistory(id: string): Promise<PickRecord[]> {
    return this.read(async (tx) => {
      const result = await tx.run(
        `MATCH (r:Round)-[k:PICKED]->(:Item {id: $id})
         RETURN r.n AS round, r.strategy AS strategy, r.at AS at, r.annotator AS annotator, properties(k) AS pick
         ORDER BY r.n`,
        { id },
      );
      return result.records.map((r) => {
        const { rank, score, ...components } = r.get('pick') as Record<string, number>;
        const record: PickRecord = { round: r.get('round') as number, strategy: r.get('strategy') as string, at: r.get('at') as string, rank: rank!, score: score!, components };
        const annotator = r.get('annotator') as string | null;
        if (annotator !== null) record.annotator = annotator;
        return record;
      });
    });
  }

  async getLabelHistory(id: string): Promise<LabelEvent[]> {
    return this.read(async (tx) => {
      const result = await tx.run(
        'MATCH (e:LabelEvent {itemId: $id}) RETURN e {.label, .annotator, .at, .undo} AS event ORDER BY e.seq',
        { id },
      );
      return result.records.map((r) => labelEvent(r.get('event') as { label: string; annotator: string | null; at: string; undo: boolean | null }));
    });
  }

  async listLabelEvents(): Promise<ItemLabelEvent[]> {
    return this.read(async (tx) => {
      const result = await tx.run('MATCH (e:LabelEvent) RETURN e.itemId AS itemId, e {.label, .annotator, .at, .undo} AS event ORDER BY itemId, e.seq');
      const events = result.records.map((r) => ({
        itemId: r.get('itemId') as string,
        ...labelEvent(r.get('event') as { label: string; annotator: string | null; at: string; undo: boolean | null }),
      }));
      // Id order as the embedded store lists (compareIds), whatever Cypher's collation; the sort is stable, so seq order stays.
      return events.sort((a, b) => compareIds(a.itemId, b.itemId));
    });
  }

  async getItemMentions(id: string): Promise<Array<{ key: string; count: number }>> {
    return this.read(async (tx) => {
      const result = await tx.run(
        'MATCH (:Item {id: $id})-[m:MENTIONS]->(e:Entity) RETURN e.key AS key, m.count AS count ORDER BY key',
        { id },
      );
      return result.records.map((r) => ({ key: r.get('key') as string, count: r.get('count') as number }));
    });
  }

  async listItems(): Promise<StoredItem[]> {
    return this.read(async (tx) => {
      const result = await tx.run(`MATCH (i:Item) RETURN ${ITEM_PROJECTION} ORDER BY i.id`);
      return result.records.map(itemFromRecord);
    });
  }

  async listItemSummaries(): Promise<ItemSummary[]> {
    return this.read(async (tx) => {
      // Token first, as for the embeddings: a change committed meanwhile leaves the cache newer than its token.
      const token = await readItemsToken(tx);
      const items = await this.readUnderToken(this.summaryCache, token, listingFiles<StaticSummary[]>('summaries'), () => readStaticSummaries(tx));
      // The changing part, read on every call through the label and lease indexes: only labeled items and
      // active leases (a few hundred of 100k). annotator and labeledAt are only ever written with a label.
      const now = (await tx.run('RETURN timestamp() AS now')).records[0]!.get('now') as number;
      const changing = await tx.run(
        `CALL () {
           MATCH (i:Item) WHERE i.label IS NOT NULL RETURN i
           UNION
           MATCH (i:Item) WHERE i.leaseUntil > $now RETURN i
         }
         RETURN ${CHANGING_FIELDS.map((f) => `i.${f} AS ${f}`).join(', ')}`,
        { now },
      );
      const changed = new Map(changing.records.map((record) => [record.get('id') as string, record.toObject() as Record<string, unknown>]));
      return items.map((item) => {
        const fields = changed.get(item.id);
        return summaryFromProperties(fields ? { ...item, ...fields } : item, now, item.meta);
      });
    });
  }

  async listKgEntities(): Promise<Array<{ key: string; name: string }>> {
    return this.read(async (tx) => {
      const result = await tx.run('MATCH (e:Entity) WHERE e.kg RETURN e.key AS key, e.name AS name');
      return result.records.map((r) => ({ key: r.get('key') as string, name: r.get('name') as string }));
    });
  }

  async listKgRelations(): Promise<Array<{ subject: string; object: string }>> {
    return this.read(async (tx) => {
      const result = await tx.run('MATCH (s:Entity)-[:RELATED]->(o:Entity) RETURN s.key AS subject, o.key AS object');
      return result.records.map((r) => ({ subject: r.get('subject') as string, object: r.get('object') as string }));
    });
  }

  async getEntityGraph(): Promise<EntityGraphData> {
    return this.read(async (tx) => {
      const entities = await tx.run('MATCH (e:Entity) RETURN e.key AS key, e.name AS name, e.type AS type, e.kg AS kg');
      const edges = await tx.run('MATCH (a:Entity)-[c:CO_OCCURS]->(b:Entity) RETURN a.key AS a, b.key AS b, c.weight AS weight');
      const relations = await tx.run(
        'MATCH (s:Entity)-[r:RELATED]->(o:Entity) RETURN s.key AS subject, r.predicate AS predicate, o.key AS object',
      );
      return {
        entities: entities.records.map((r) => ({
          key: r.get('key') as string,
          name: r.get('name') as string,
          type: r.get('type') as EntityType,
          kg: r.get('kg') === true,
        })),
        cooccurrences: edges.records.map((r) => ({ a: r.get('a') as string, b: r.get('b') as string, weight: r.get('weight') as number })),
        relations: relations.records.map((r) => ({
          subject: r.get('subject') as string,
          predicate: r.get('predicate') as string,
          object: r.get('object') as string,
        })),
      };
    });
  }

  async stats(): Promise<StoreStats> {
    return this.read(async (tx) => {
      const count = async (query: string): Promise<number> => (await tx.run(query)).records[0]?.get('n') as number;
      const labelRows = await tx.run(
        'MATCH (i:Item) WHERE i.label IS NOT NULL RETURN i.label AS label, count(*) AS n',
      );
      const labels: Record<string, number> = {};
      let labeledItems = 0;
      for (const record of labelRows.records) {
        labels[record.get('label') as string] = record.get('n') as number;
        labeledItems += record.get('n') as number;
      }
      return {
        items: await count('MATCH (i:Item) RETURN count(i) AS n'),
        labeledItems,
        embeddedItems: await count('MATCH (i:Item) WHERE i.embedding IS NOT NULL RETURN count(i) AS n'),
        entities: await count('MATCH (e:Entity) RETURN count(e) AS n'),
        mentions: await count('MATCH ()-[r:MENTIONS]->() RETURN count(r) AS n'),
        entityEdges: await count('MATCH ()-[r:CO_OCCURS]->() RETURN count(r) AS n'),
        relations: await count('MATCH ()-[r:RELATED]->() RETURN count(r) AS n'),
        rounds: await count('MATCH (r:Round) RETURN count(r) AS n'),
        labels: sortedRecord(labels),
      };
    });
  }

  /**
   * Runs one read-only Cypher query with parameters (exploration files, `kgal cypher`, tests). Values come
   * back as plain JS values (integers as numbers).
   */
  async query(cypher: string, parameters: Record<string, unknown> = {}): Promise<Array<Record<string, unknown>>> {
    // JS numbers travel as floats; LIMIT, SKIP and index lookups want integers, so whole numbers become integers.
    const typed = Object.fromEntries(
      Object.entries(parameters).map(([name, value]) => [name, typeof value === 'number' && Number.isInteger(value) ? neo4j.int(value) : value]),
    );
    return this.read(async (tx) => {
      const result = await tx.run(cypher, typed);
      return result.records.map((r) => r.toObject() as Record<string, unknown>);
    });
  }

  /**
   * Deletes every kgal node and relationship (tests, `--wipe-neo4j` benchmarks); the schema stays. 1,000
   * nodes per transaction: 5,000 items with their embeddings and mentions overran a 1 GB server's
   * transaction memory pool (the 100k-item benchmark pool).
   */
  async clear(): Promise<void> {
    const session = this.driver.session({ database: this.database });
    try {
      await session.run(
        `MATCH (n) WHERE n:Item OR n:Entity OR n:Round OR n:KgalCounter OR n:LabelEvent OR n:KgalState
         CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS`,
      );
    } finally {
      await session.close();
    }
  }

  async close(): Promise<void> {
    await this.fileWrites;
    await this.driver.close();
  }
}

/**
 * Items or embeddings changed (any upsert, any embedding write): every process's cached embedding matrix
 * and mention listing are stale. The counter node keeps its historical name.
 */
async function renewItemsToken(tx: ManagedTransaction): Promise<void> {
  await tx.run(`MERGE (c:KgalCounter {name: 'embeddings'}) SET c.token = $token`, { token: randomUUID() });
}

/** The current token (null on an empty or cleared database: nothing is cached then). */
async function readItemsToken(tx: ManagedTransaction): Promise<string | null> {
  return ((await tx.run(`MATCH (c:KgalCounter {name: 'embeddings'}) RETURN c.token AS token`)).records[0]?.get('token') as string | undefined) ?? null;
}

/**
 * Bulk reads of the embeddings take the vector as base64 of its float32 bytes: Bolt sends a list of
 * floats as one packstream value per number, which the JavaScript driver decodes one by one (100k × 384
 * took ~8 s of a process's first query); a string is decoded natively, ~5x faster. The bytes are in
 * the platform's order, so only little-endian processes (every platform Node ships for but a few) write
 * and read the packed copy; others use the vector property.
 */
const PACKED = endianness() === 'LE';

function packVector(vector: Float32Array): string | null {
  return PACKED ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : null;
}

/** Rows of `packed` (base64 float32) or `embedding` (a list of floats) as one matrix, in record order. */
function embeddingMatrix(records: ReadonlyArray<{ get(key: string): unknown }>): Matrix<Float32Array> {
  const first = records[0];
  if (!first) return stackRows([], 0);
  const firstPacked = first.get('packed') as string | null;
  const cols = firstPacked !== null ? Buffer.byteLength(firstPacked, 'base64') / 4 : (first.get('embedding') as number[]).length;
  const data = new Float32Array(records.length * cols);
  const bytes = Buffer.from(data.buffer); // a view: base64 decodes straight into the matrix
  records.forEach((record, row) => {
    const packed = record.get('packed') as string | null;
    const vector = packed === null ? (record.get('embedding') as number[]) : undefined;
    const length = packed !== null ? Buffer.byteLength(packed, 'base64') / 4 : vector!.length;
    if (length !== cols) throw new RangeError(`embedding of ${record.get('id') as string} has ${length} values, expected ${cols}`);
    if (packed !== null) bytes.write(packed, row * cols * 4, cols * 4, 'base64');
    else data.set(vector!, row * cols);
  });
  return { rows: records.length, cols, data };
}

/** One value this process keeps under the items token it was read with. */
class TokenSlot<T> {
  private kept: { token: string; value: T } | undefined;

  /** The kept value when it was read under `token`; undefined otherwise (and always without a token). */
  valueFor(token: string | null): T | undefined {
    return token !== null && this.kept?.token === token ? this.kept.value : undefined;
  }

  keep(token: string | null, value: T): void {
    if (token !== null) this.kept = { token, value };
  }
}

/** How throughFiles reads and writes one cached read in the item files. */
interface FileCopy<T> {
  read: (cache: ItemFileCache, token: string) => Promise<T | undefined>;
  write: (cache: ItemFileCache, token: string, value: T) => Promise<void>;
}
const VECTOR_FILES: FileCopy<{ ids: string[]; matrix: Matrix<Float32Array> }> = {
  read: (cache, token) => cache.readVectors(token),
  write: (cache, token, value) => cache.writeVectors(token, value),
};
function listingFiles<T>(kind: ListingKind): FileCopy<T> {
  return { read: (cache, token) => cache.readListing<T>(kind, token), write: (cache, token, value) => cache.writeListing(kind, token, value) };
}

/** The entity graph changed: analytics computed before this are stale. */
async function bumpGraphVersion(tx: ManagedTransaction): Promise<void> {
  await tx.run(`MERGE (c:KgalCounter {name: 'graph'}) SET c.value = coalesce(c.value, 0) + 1`);
}

/** A LabelEvent node's properties as a history event. */
function labelEvent(properties: { label: string; annotator: string | null; at: string; undo: boolean | null }): LabelEvent {
  const event: LabelEvent = { label: properties.label, at: properties.at };
  if (properties.annotator !== null && properties.annotator !== undefined) event.annotator = properties.annotator;
  if (properties.undo === true) event.undo = true;
  return event;
}

/** Item fields as a map (never the 384-float embedding), with the lease when unexpired by the database clock. */
const ITEM_PROJECTION =
  'i {.id, .text, .meta, .label, .fingerprint, .annotator, .labeledAt, .leaseHolder, .leaseUntil} AS i, timestamp() AS now';
/** What only an upsert writes (cached under the items token) and what labels and leases write (read every time). */
const STATIC_FIELDS = ['id', 'meta', 'fingerprint'] as const;
const CHANGING_FIELDS = ['id', 'label', 'annotator', 'labeledAt', 'leaseHolder', 'leaseUntil'] as const;
type StaticSummary = {
  id: string;
  /** Parsed once per token; shared by every listing (as the embedded store shares its listing's objects). */
  meta: Record<string, unknown>;
  fingerprint: string | null;
};

/** Every item's id, meta (JSON) and fingerprint, in id order: plain columns (a map per record was ~3x slower at 100k). */
async function readStaticSummaries(tx: ManagedTransaction): Promise<StaticSummary[]> {
  // `i.id IS NOT NULL` (every item has one): the id index's order, streamed, instead of a Sort of every item.
  const result = await tx.run(`MATCH (i:Item) WHERE i.id IS NOT NULL RETURN ${STATIC_FIELDS.map((f) => `i.${f} AS ${f}`).join(', ')} ORDER BY i.id`);
  return result.records.map((r) => ({ id: r.get('id') as string, meta: parseMeta(r.get('meta')), fingerprint: r.get('fingerprint') as string | null }));
}

function itemFromRecord(record: { get(key: string): unknown }): StoredItem {
  const properties = record.get('i') as Record<string, unknown>;
  return { ...summaryFromProperties(properties, record.get('now') as number), text: properties.text as string };
}

function parseMeta(meta: unknown): Record<string, unknown> {
  return typeof meta === 'string' ? (JSON.parse(meta) as Record<string, unknown>) : {};
}

/** `now`: the database clock, for whether a lease is still active; `meta`: when already parsed. */
function summaryFromProperties(properties: Record<string, unknown>, now: number, meta = parseMeta(properties.meta)): ItemSummary {
  const item: ItemSummary = { id: properties.id as string, meta };
  if (typeof properties.label === 'string') item.label = properties.label;
  if (typeof properties.fingerprint === 'string') item.fingerprint = properties.fingerprint;
  if (typeof properties.annotator === 'string') item.annotator = properties.annotator;
  if (typeof properties.labeledAt === 'string') item.labeledAt = properties.labeledAt;
  if (typeof properties.leaseHolder === 'string' && typeof properties.leaseUntil === 'number' && properties.leaseUntil > now) {
    item.lease = { itemId: item.id, holder: properties.leaseHolder, expiresAt: new Date(properties.leaseUntil).toISOString() };
  }
  return item;
}

/**
 * Takes the items' write locks (in id order, so two transactions cannot deadlock on each other) before
 * the transaction reads them: under read-committed isolation a plain read could be stale by the time of
 * the write (Neo4j's documented lost-update pattern: SET a property to lock, then read).
 */
async function lockItems(tx: ManagedTransaction, ids: readonly string[]): Promise<void> {
  await tx.run('UNWIND $ids AS id MATCH (i:Item {id: id}) SET i._lock = true REMOVE i._lock', { ids: [...new Set(ids)].sort() });
}
