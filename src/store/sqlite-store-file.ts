import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from './graph-store.js';
import { StoreDamagedError } from './store-errors.js';
import { LOCK_FILE } from './store-lock.js';

/**
 * The embedded store's file: one SQLite database (`kgal.sqlite`) in the data directory, in WAL mode with
 * `synchronous = FULL`, so a transaction that has committed is in the fsynced write-ahead log and
 * survives kill -9 and power loss. MemoryGraphStore keeps its in-memory indexes as a cache over it:
 * every write method commits its rows here before it resolves, and opening loads everything back.
 * Co-occurrence weights and entity mention counts are not stored; they are rebuilt from the items'
 * mentions on load, so they can never disagree with them.
 */
export const STORE_FILE = 'kgal.sqlite';
/** `PRAGMA application_id` of a kgal store ('kgal'), so that another program's SQLite file is refused. */
const APPLICATION_ID = 0x6b67616c;
/** `PRAGMA user_version`: the schema's version. */
const FORMAT_VERSION = 2;
/**
 * Upgrades from an older version, applied in one transaction when a writer opens the file: the statements
 * that take version n to n + 1. A read-only open of an older file reads it as it is.
 */
const MIGRATIONS: Record<number, string> = {
  // 2: undo events in the label history (POST /v1/labels/undo).
  1: 'ALTER TABLE label_events ADD COLUMN undo INTEGER NOT NULL DEFAULT 0',
};

const SCHEMA = `
CREATE TABLE items (
  id TEXT PRIMARY KEY, text TEXT NOT NULL, label TEXT, meta TEXT NOT NULL, fingerprint TEXT,
  annotator TEXT, labeled_at TEXT, mentions TEXT NOT NULL
);
CREATE TABLE entities (
  key TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, kg INTEGER NOT NULL,
  measure TEXT, centrality REAL, community INTEGER, coverage REAL, gap REAL
);
CREATE TABLE relations (subject TEXT NOT NULL, predicate TEXT NOT NULL, object TEXT NOT NULL, PRIMARY KEY (subject, predicate, object));
CREATE TABLE label_events (item_id TEXT NOT NULL, seq INTEGER NOT NULL, label TEXT NOT NULL, annotator TEXT, at TEXT NOT NULL, undo INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (item_id, seq));
CREATE TABLE embeddings (id TEXT PRIMARY KEY, key TEXT NOT NULL, vector BLOB NOT NULL);
CREATE TABLE rounds (n INTEGER PRIMARY KEY, strategy TEXT NOT NULL, at TEXT NOT NULL, annotator TEXT, picks TEXT NOT NULL);
CREATE TABLE states (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface ItemRow {
  id: string;
  text: string;
  label: string | null;
  /** JSON text. */
  meta: string;
  fingerprint: string | null;
  annotator: string | null;
  labeledAt: string | null;
  /** JSON text: [{key, count}, ...]. */
  mentions: string;
}

export interface ItemLabelRow {
  id: string;
  label: string | null;
  annotator: string | null;
  labeledAt: string | null;
}

export interface EntityRow {
  key: string;
  name: string;
  type: string;
  kg: boolean;
  analytics: { measure: string; centrality: number; community: number; coverage: number; gap: number } | null;
}

export interface RelationRow {
  subject: string;
  predicate: string;
  object: string;
}

export interface LabelEventRow {
  itemId: string;
  /** Position in the item's history (0, 1, ...). */
  seq: number;
  label: string;
  annotator: string | null;
  at: string;
  /** An undo event: `label` is the label taken back. */
  undo: boolean;
}

export interface RoundRow {
  n: number;
  strategy: string;
  at: string;
  annotator: string | null;
  /** JSON text of the picks. */
  picks: string;
}

/** The rows one commit writes: everything a group of write calls changed, in one transaction. */
export interface WriteBatch {
  items: ItemRow[];
  itemLabels: ItemLabelRow[];
  entities: EntityRow[];
  deletedEntities: string[];
  relations: RelationRow[];
  labelEvents: LabelEventRow[];
  embeddings: Array<{ id: string; key: string; vector: Float32Array }>;
  deletedEmbeddings: string[];
  rounds: RoundRow[];
  /** `value` undefined deletes the state. */
  states: Array<{ name: string; value: string | undefined }>;
  meta: Array<{ name: string; value: string }>;
}

export function emptyWriteBatch(): WriteBatch {
  return { items: [], itemLabels: [], entities: [], deletedEntities: [], relations: [], labelEvents: [], embeddings: [], deletedEmbeddings: [], rounds: [], states: [], meta: [] };
}

/** Receives a store's rows on load, in this order: embeddings, entities, items, relations, label events, rounds, states, meta. */
export interface LoadSink {
  entity(row: EntityRow): void;
  item(row: ItemRow): void;
  relation(row: RelationRow): void;
  labelEvent(row: LabelEventRow): void;
  round(row: RoundRow): void;
  state(name: string, value: string): void;
  meta(name: string, value: string): void;
  embedding(id: string, key: string, vector: Float32Array): void;
}

type Statement = Database.Statement<unknown[]>;

interface WriteStatements {
  item: Statement;
  itemLabel: Statement;
  entity: Statement;
  deleteEntity: Statement;
  relation: Statement;
  labelEvent: Statement;
  embedding: Statement;
  deleteEmbedding: Statement;
  round: Statement;
  state: Statement;
  deleteState: Statement;
  meta: Statement;
}

/** SQLite result codes that mean the file itself is bad, as opposed to unreachable or busy. */
const DAMAGE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_INDEX']);

function isDamage(error: unknown): boolean {
  return DAMAGE_CODES.has((error as { code?: string }).code ?? '');
}

function damaged(path: string, reason: string): StoreDamagedError {
  return new StoreDamagedError(
    `the embedded store file ${path} is damaged or not a kgal store (${reason}); it was not opened. ` +
      'Restore it from a backup, or move it away and re-ingest into an empty data directory',
  );
}

export class SqliteStoreFile {
  private readonly statements: WriteStatements | undefined;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    readOnly: boolean,
  ) {
    this.statements = readOnly ? undefined : prepareWrites(db);
  }

  /**
   * Opens `dir`'s store file when there is one; undefined when the directory holds no store yet. A
   * directory that shows a store was there (its write-ahead log, or the lock file's record that the
   * store file was created: `storeCreated`) but has no store file is an error, never an empty store.
   */
  static openExisting(dir: string, options: { readOnly: boolean; storeCreated: boolean }): SqliteStoreFile | undefined {
    const path = join(dir, STORE_FILE);
    if (!existsSync(path)) {
      const traces = [
        ...(existsSync(`${path}-wal`) ? [`${STORE_FILE}-wal`] : []),
        ...(options.storeCreated ? [`${LOCK_FILE} (which records that ${STORE_FILE} was created)`] : []),
      ];
      if (traces.length === 0) return undefined;
      throw new StoreDamagedError(
        `the embedded store file ${path} is missing, but ${traces.join(' and ')} in ${dir} show a store was there: ` +
          `the store is lost or was moved; restore ${STORE_FILE} from a backup, or re-ingest into an empty data directory`,
      );
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: options.readOnly, fileMustExist: true, timeout: 10_000 });
      const applicationId = db.pragma('application_id', { simple: true }) as number;
      const version = db.pragma('user_version', { simple: true }) as number;
      if (applicationId !== APPLICATION_ID) throw damaged(path, `application_id ${applicationId}, not kgal's`);
      if (version > FORMAT_VERSION || version < 1) {
        throw new StoreUnavailableError(`the embedded store file ${path} has format version ${version}; this kgal reads version ${FORMAT_VERSION} (a newer kgal wrote it?)`);
      }
      if (options.readOnly) db.pragma('query_only = ON');
      else {
        configureWriter(db);
        if (version < FORMAT_VERSION) migrate(db, version);
      }
      return new SqliteStoreFile(path, db, options.readOnly);
    } catch (error) {
      db?.close();
      throw wrapOpenError(path, error);
    }
  }

  /**
   * Creates `dir`'s store file with `initial` rows (a former-format snapshot being imported, or none):
   * written under a temporary name, fsynced and renamed into place, so a crash leaves either no store
   * file or a complete one.
   */
  static create(dir: string, initial?: WriteBatch): SqliteStoreFile {
    const path = join(dir, STORE_FILE);
    const tmp = `${path}.new`;
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(tmp + suffix, { force: true });
    try {
      const db = new Database(tmp);
      try {
        db.pragma('journal_mode = DELETE');
        db.pragma('synchronous = FULL');
        db.exec('BEGIN');
        db.exec(SCHEMA);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${FORMAT_VERSION}`);
        if (initial) applyBatch(prepareWrites(db), initial);
        db.exec('COMMIT');
        db.pragma('journal_mode = WAL');
      } finally {
        db.close();
      }
      fsyncFile(tmp);
      renameSync(tmp, path);
      fsyncFile(dir);
    } catch (error) {
      throw new StoreUnavailableError(`cannot create the embedded store file ${path}: ${(error as Error).message}`);
    }
    return SqliteStoreFile.openExisting(dir, { readOnly: false, storeCreated: true })!;
  }

  /** Reads every row, in one read transaction (a consistent state while a writer goes on). */
  load(sink: LoadSink): void {
    try {
      this.db.exec('BEGIN');
      try {
        this.loadRows(sink);
      } finally {
        this.db.exec('COMMIT');
      }
    } catch (error) {
      if (isDamage(error)) throw damaged(this.path, (error as Error).message);
      throw error;
    }
  }

  private loadRows(sink: LoadSink): void {
    const rows = (sql: string): IterableIterator<unknown[]> => this.db.prepare(sql).raw(true).iterate() as IterableIterator<unknown[]>;
    // Embeddings first, while the heap is still small: every BLOB arrives as its own Buffer (external
    // memory), whose pressure triggers full garbage collections; with a million items already loaded each
    // of those marks the whole heap (1M items with 384-d vectors: 33 s to open the other way round, 17 s so).
    // Vectors are copied into shared arenas (4 MiB of floats each) rather than one allocation per row.
    let arena = new Float32Array(0);
    let used = 0;
    for (const [id, key, blob] of rows('SELECT id, key, vector FROM embeddings ORDER BY rowid')) {
      const bytes = blob as Buffer;
      if (bytes.byteLength % 4 !== 0) throw damaged(this.path, `embedding of "${id as string}" has ${bytes.byteLength} bytes`);
      const length = bytes.byteLength / 4;
      if (used + length > arena.length) {
        arena = new Float32Array(Math.max(length, 1 << 20));
        used = 0;
      }
      const vector = arena.subarray(used, used + length);
      new Uint8Array(vector.buffer, vector.byteOffset, bytes.byteLength).set(bytes);
      used += length;
      sink.embedding(id as string, key as string, vector);
    }
    for (const [key, name, type, kg, measure, centrality, community, coverage, gap] of rows(
      'SELECT key, name, type, kg, measure, centrality, community, coverage, gap FROM entities ORDER BY rowid',
    )) {
      sink.entity({
        key: key as string,
        name: name as string,
        type: type as string,
        kg: kg === 1,
        analytics:
          measure === null
            ? null
            : { measure: measure as string, centrality: centrality as number, community: community as number, coverage: coverage as number, gap: gap as number },
      });
    }
    for (const [id, text, label, meta, fingerprint, annotator, labeledAt, mentions] of rows(
      'SELECT id, text, label, meta, fingerprint, annotator, labeled_at, mentions FROM items ORDER BY rowid',
    )) {
      sink.item({
        id: id as string,
        text: text as string,
        label: label as string | null,
        meta: meta as string,
        fingerprint: fingerprint as string | null,
        annotator: annotator as string | null,
        labeledAt: labeledAt as string | null,
        mentions: mentions as string,
      });
    }
    for (const [subject, predicate, object] of rows('SELECT subject, predicate, object FROM relations ORDER BY rowid')) {
      sink.relation({ subject: subject as string, predicate: predicate as string, object: object as string });
    }
    // A version-1 file opened read-only has no undo column (and no undo events).
    const hasUndo = (this.db.pragma('table_info(label_events)') as Array<{ name: string }>).some((c) => c.name === 'undo');
    for (const [itemId, seq, label, annotator, at, undo] of rows(`SELECT item_id, seq, label, annotator, at, ${hasUndo ? 'undo' : '0'} FROM label_events ORDER BY rowid`)) {
      sink.labelEvent({ itemId: itemId as string, seq: seq as number, label: label as string, annotator: annotator as string | null, at: at as string, undo: undo === 1 });
    }
    for (const [n, strategy, at, annotator, picks] of rows('SELECT n, strategy, at, annotator, picks FROM rounds ORDER BY n')) {
      sink.round({ n: n as number, strategy: strategy as string, at: at as string, annotator: annotator as string | null, picks: picks as string });
    }
    for (const [name, value] of rows('SELECT name, value FROM states ORDER BY rowid')) sink.state(name as string, value as string);
    for (const [name, value] of rows('SELECT name, value FROM store_meta')) sink.meta(name as string, value as string);
  }

  /** Writes the batch in one transaction and returns once it is committed (fsynced). */
  commit(batch: WriteBatch): void {
    if (!this.statements) throw new Error('the embedded store was opened read-only');
    const statements = this.statements;
    this.db.transaction(() => applyBatch(statements, batch))();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Brings an older file up to FORMAT_VERSION, all steps in one transaction. */
function migrate(db: Database.Database, from: number): void {
  db.transaction(() => {
    for (let version = from; version < FORMAT_VERSION; version += 1) db.exec(MIGRATIONS[version]!);
    db.pragma(`user_version = ${FORMAT_VERSION}`);
  })();
}

function configureWriter(db: Database.Database): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new StoreUnavailableError(`cannot put ${db.name} into WAL mode (got ${String(mode)})`);
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss too
  // (NORMAL would survive kill -9 but not a power cut). The price is one fsync per commit, shared by
  // every write call that joins it (MemoryGraphStore commits the writes of one event-loop turn together).
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
  // After a large ingest, truncate the WAL back to at most 64 MiB at checkpoints.
  db.pragma('journal_size_limit = 67108864');
}

function prepareWrites(db: Database.Database): WriteStatements {
  return {
    item: db.prepare(
      `INSERT INTO items (id, text, label, meta, fingerprint, annotator, labeled_at, mentions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET text = excluded.text, label = excluded.label, meta = excluded.meta, fingerprint = excluded.fingerprint,
         annotator = excluded.annotator, labeled_at = excluded.labeled_at, mentions = excluded.mentions`,
    ),
    itemLabel: db.prepare('UPDATE items SET label = ?, annotator = ?, labeled_at = ? WHERE id = ?'),
    entity: db.prepare(
      `INSERT INTO entities (key, name, type, kg, measure, centrality, community, coverage, gap) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET name = excluded.name, type = excluded.type, kg = excluded.kg, measure = excluded.measure,
         centrality = excluded.centrality, community = excluded.community, coverage = excluded.coverage, gap = excluded.gap`,
    ),
    deleteEntity: db.prepare('DELETE FROM entities WHERE key = ?'),
    relation: db.prepare('INSERT OR IGNORE INTO relations (subject, predicate, object) VALUES (?, ?, ?)'),
    labelEvent: db.prepare('INSERT OR REPLACE INTO label_events (item_id, seq, label, annotator, at, undo) VALUES (?, ?, ?, ?, ?, ?)'),
    embedding: db.prepare('INSERT INTO embeddings (id, key, vector) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET key = excluded.key, vector = excluded.vector'),
    deleteEmbedding: db.prepare('DELETE FROM embeddings WHERE id = ?'),
    round: db.prepare('INSERT OR REPLACE INTO rounds (n, strategy, at, annotator, picks) VALUES (?, ?, ?, ?, ?)'),
    state: db.prepare('INSERT INTO states (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    deleteState: db.prepare('DELETE FROM states WHERE name = ?'),
    meta: db.prepare('INSERT INTO store_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
  };
}

function applyBatch(s: WriteStatements, batch: WriteBatch): void {
  for (const r of batch.entities) {
    const a = r.analytics;
    s.entity.run(r.key, r.name, r.type, r.kg ? 1 : 0, a?.measure ?? null, a?.centrality ?? null, a?.community ?? null, a?.coverage ?? null, a?.gap ?? null);
  }
  for (const key of batch.deletedEntities) s.deleteEntity.run(key);
  for (const r of batch.items) s.item.run(r.id, r.text, r.label, r.meta, r.fingerprint, r.annotator, r.labeledAt, r.mentions);
  for (const r of batch.itemLabels) s.itemLabel.run(r.label, r.annotator, r.labeledAt, r.id);
  for (const r of batch.relations) s.relation.run(r.subject, r.predicate, r.object);
  for (const r of batch.labelEvents) s.labelEvent.run(r.itemId, r.seq, r.label, r.annotator, r.at, r.undo ? 1 : 0);
  for (const r of batch.embeddings) s.embedding.run(r.id, r.key, Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength));
  for (const id of batch.deletedEmbeddings) s.deleteEmbedding.run(id);
  for (const r of batch.rounds) s.round.run(r.n, r.strategy, r.at, r.annotator, r.picks);
  for (const { name, value } of batch.states) {
    if (value === undefined) s.deleteState.run(name);
    else s.state.run(name, value);
  }
  for (const { name, value } of batch.meta) s.meta.run(name, value);
}

function wrapOpenError(path: string, error: unknown): Error {
  if (error instanceof StoreUnavailableError) return error;
  if (isDamage(error)) return damaged(path, (error as Error).message);
  return new StoreUnavailableError(`cannot open the embedded store file ${path}: ${(error as Error).message}`);
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
