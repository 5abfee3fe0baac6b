import { spawnSync } from 'node:child_process';
import { chmod, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemCacheDirFromEnv } from '../src/config/store-config.js';
import { Neo4jGraphStore } from '../src/store/neo4j-store.js';
import { ItemFileCache } from '../src/store/item-file-cache.js';
import { tempDir } from './support/fixtures.js';
import { freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';

const vector = (seed: number, dims = 384): Float32Array => Float32Array.from({ length: dims }, (_, d) => Math.cos(seed * 3 + d));

function matrixOf(vectors: Float32Array[]): { rows: number; cols: number; data: Float32Array } {
  const cols = vectors[0]!.length;
  const data = new Float32Array(vectors.length * cols);
  vectors.forEach((v, r) => data.set(v, r * cols));
  return { rows: vectors.length, cols, data };
}

describe('ItemFileCache (the files alone)', () => {
  it('gives back what it stored, bit for bit, only under the same token', async () => {
    const cache = new ItemFileCache(join(await tempDir(), 'nested', 'dir'), 'bolt://x\u0000neo4j');
    const vectors = { ids: ['a', 'b~1', 'ü'], matrix: matrixOf([vector(1, 5), vector(2, 5), vector(3, 5)]) };
    expect(await cache.readVectors('t1')).toBeUndefined(); // no file yet
    await cache.writeVectors('t1', vectors);
    const back = await cache.readVectors('t1');
    expect(back?.ids).toEqual(vectors.ids);
    expect(back?.matrix.rows).toBe(3);
    expect(back?.matrix.cols).toBe(5);
    expect(Buffer.from(back!.matrix.data.buffer).equals(Buffer.from(vectors.matrix.data.buffer))).toBe(true);
    expect(await cache.readVectors('t2')).toBeUndefined();
    expect((await stat(cache.file('vectors'))).mode & 0o777).toBe(0o600);

    await cache.writeVectors('t2', { ids: ['a'], matrix: matrixOf([vector(9, 5)]) }); // replaces the file
    expect(await cache.readVectors('t1')).toBeUndefined();
    expect((await cache.readVectors('t2'))?.ids).toEqual(['a']);
  });

  it('treats a short, foreign or garbled file as a miss', async () => {
    const cache = new ItemFileCache(await tempDir(), 'db');
    await cache.writeVectors('t', { ids: ['a', 'b'], matrix: matrixOf([vector(1), vector(2)]) });
    const whole = await readFile(cache.file('vectors'));
    await truncate(cache.file('vectors'), whole.length - 3);
    expect(await cache.readVectors('t')).toBeUndefined();
    await writeFile(cache.file('vectors'), Buffer.concat([whole, Buffer.from('x')]));
    expect(await cache.readVectors('t')).toBeUndefined();
    await writeFile(cache.file('vectors'), Buffer.from('not a vector file at all, but long enough to have a header'));
    expect(await cache.readVectors('t')).toBeUndefined();
    const badIds = Buffer.from(whole);
    badIds.write('{', whole.length - 2); // the ids' JSON no longer parses
    await writeFile(cache.file('vectors'), badIds);
    expect(await cache.readVectors('t')).toBeUndefined();
    await writeFile(cache.file('vectors'), whole);
    expect((await cache.readVectors('t'))?.ids).toEqual(['a', 'b']);
  });

  it('files of different databases do not meet; an unwritable directory only loses the cache', async () => {
    const dir = await tempDir();
    const one = new ItemFileCache(dir, 'bolt://a\u0000neo4j');
    const two = new ItemFileCache(dir, 'bolt://b\u0000neo4j');
    expect(one.file('vectors')).not.toBe(two.file('vectors'));
    await one.writeVectors('t', { ids: ['a'], matrix: matrixOf([vector(1)]) });
    expect(await two.readVectors('t')).toBeUndefined();

    const locked = await tempDir();
    await chmod(locked, 0o500);
    try {
      const cache = new ItemFileCache(join(locked, 'sub'), 'db');
      await expect(cache.writeVectors('t', { ids: ['a'], matrix: matrixOf([vector(1)]) })).resolves.toBeUndefined();
      if (process.getuid?.() !== 0) expect(await cache.readVectors('t')).toBeUndefined(); // root writes anyway
    } finally {
      await chmod(locked, 0o700);
    }
  });

  it('a write removes the temporary files of writers that died, not those of live ones', async () => {
    const cache = new ItemFileCache(await tempDir(), 'db');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid is free
    const orphan = `${cache.file('vectors')}.${dead}.0b6f8a52-5d2e-4a57-9a39-000000000000.tmp`;
    const live = `${cache.file('vectors')}.${process.pid}.0b6f8a52-5d2e-4a57-9a39-000000000001.tmp`;
    await writeFile(orphan, 'half a write');
    await writeFile(live, 'a write in flight');
    await cache.writeVectors('t', { ids: ['a'], matrix: matrixOf([vector(1)]) });
    await expect(stat(orphan)).rejects.toThrow();
    expect((await stat(live)).size).toBeGreaterThan(0);
    expect((await cache.readVectors('t'))?.ids).toEqual(['a']);
  });

  it('keeps a listing under its token and kind; a garbled listing is a miss', async () => {
    const cache = new ItemFileCache(await tempDir(), 'db');
    const listing = [{ id: 'a', keys: ['x', 'y'] }, { id: 'b', keys: [] }];
    await cache.writeListing('mentions', 't', listing);
    expect(await cache.readListing('mentions', 't')).toEqual(listing);
    expect(await cache.readListing('mentions', 'u')).toBeUndefined();
    expect(await cache.readListing('summaries', 't')).toBeUndefined(); // its own file
    const whole = await readFile(cache.file('mentions'));
    await writeFile(cache.file('mentions'), whole.subarray(0, whole.length - 2));
    expect(await cache.readListing('mentions', 't')).toBeUndefined();
  });

  it('is configured by KGAL_NEO4J_ITEM_CACHE (a directory or off), by default under the user cache', () => {
    expect(itemCacheDirFromEnv({ KGAL_NEO4J_ITEM_CACHE: 'off', HOME: '/h' })).toBeUndefined();
    expect(itemCacheDirFromEnv({ KGAL_NEO4J_ITEM_CACHE: '/data/v', HOME: '/h' })).toBe('/data/v');
    expect(itemCacheDirFromEnv({ HOME: '/h' })).toBe('/h/.cache/kgal/neo4j-item-cache');
    expect(itemCacheDirFromEnv({ HOME: '/h', XDG_CACHE_HOME: '/x' })).toBe('/x/kgal/neo4j-item-cache');
  });
});

/**
 * A new process (a new store object) reads the matrix from the file another one wrote, and only while the
 * database's items token is the file's: a change by any connection, with or without a file of its own,
 * sends it back to Bolt.
 */
describe.skipIf(neo4jSkipped())('Neo4j store with an item file cache', () => {
  const database = process.env.NEO4J_DATABASE ?? 'neo4j';
  let dir: string;
  let writer: Neo4jGraphStore; // another process without a file cache
  const connectWithFile = (): Promise<Neo4jGraphStore> => Neo4jGraphStore.connect({ uri: neo4jTestUri()!, database, itemCacheDir: dir });
  /** A fresh process's reads with the file cache (closing waits for its file writes). */
  const freshReads = async <T>(read: (store: Neo4jGraphStore) => Promise<T>): Promise<T> => {
    const store = await connectWithFile();
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  };
  const freshRead = (): ReturnType<Neo4jGraphStore['getEmbeddings']> => freshReads((store) => store.getEmbeddings());
  const files = (): ItemFileCache => new ItemFileCache(dir, `${neo4jTestUri()!}\u0000${database}`);
  const file = (): string => files().file('vectors');
  /** Rewrites the file's first float in place (same size, same token): a read that returns it came from the file. */
  const markFile = async (value: number): Promise<void> => {
    const bytes = await readFile(file());
    const headerLength = bytes.readUInt32LE(8);
    bytes.writeFloatLE(value, (12 + headerLength + 3) & ~3);
    await writeFile(file(), bytes);
  };

  beforeAll(async () => {
    dir = await tempDir();
    writer = await freshNeo4jStore();
  });
  afterAll(async () => {
    await writer?.close();
  });

  it('a fresh process reads the file under the same token, and Bolt again after any change', async () => {
    const ids = ['f1', 'f2', 'f3'];
    await writer.upsertItems(ids.map((id) => ({ id, text: `text ${id}`, meta: {} })));
    await writer.setEmbeddings(ids.map((id, i) => ({ id, key: 'k', vector: vector(i) })));
    const fromBolt = await freshRead(); // no file yet: Bolt, then the file is written
    expect(fromBolt.ids).toEqual(ids);
    expect((await stat(file())).size).toBeGreaterThan(3 * 384 * 4);

    const again = await freshRead();
    expect(again.ids).toEqual(ids);
    expect(Array.from(again.matrix.data)).toEqual(Array.from(fromBolt.matrix.data));
    await markFile(42);
    expect((await freshRead()).matrix.data[0]).toBe(42); // proof that a fresh read uses the file

    // A new embedding written by another connection: a new token, the file is stale.
    await writer.setEmbeddings([{ id: 'f2', key: 'k2', vector: vector(7) }]);
    const afterEmbedding = await freshRead();
    expect(afterEmbedding.matrix.data[0]).toBeCloseTo(Math.cos(0), 6);
    expect(Array.from(afterEmbedding.matrix.data.subarray(384, 768))).toEqual(Array.from(vector(7)));

    // A new item, then a changed text (drops its vector): each shows at once.
    await markFile(42);
    await writer.upsertItems([{ id: 'f4', text: 'text f4', meta: {} }]);
    await writer.setEmbeddings([{ id: 'f4', key: 'k', vector: vector(4) }]);
    const afterInsert = await freshRead();
    expect(afterInsert.ids).toEqual(['f1', 'f2', 'f3', 'f4']);
    expect(afterInsert.matrix.data[0]).not.toBe(42);
    await markFile(42);
    await writer.upsertItems([{ id: 'f1', text: 'a changed text', meta: {} }]);
    const afterText = await freshRead();
    expect(afterText.ids).toEqual(['f2', 'f3', 'f4']);

    // A label changes no vector and no id: the file stays valid (and is used).
    await markFile(42);
    await writer.setLabels([{ id: 'f2', label: 'x' }]);
    expect((await freshRead()).matrix.data[0]).toBe(42);

    // A cleared database has no token: nothing is served from the file, whatever it holds.
    await writer.clear();
    expect(await freshRead()).toEqual({ ids: [], matrix: expect.objectContaining({ rows: 0 }) });
  });

  it('a long-lived process with the file cache sees another connection\'s change too', async () => {
    await writer.clear();
    const reader = await connectWithFile();
    try {
      await writer.upsertItems([{ id: 'g1', text: 'g1', meta: {} }]);
      await writer.setEmbeddings([{ id: 'g1', key: 'k', vector: vector(1) }]);
      expect((await reader.getEmbeddings()).ids).toEqual(['g1']);
      await writer.upsertItems([{ id: 'g2', text: 'g2', meta: {} }]);
      await writer.setEmbeddings([{ id: 'g2', key: 'k', vector: vector(2) }]);
      expect((await reader.getEmbeddings()).ids).toEqual(['g1', 'g2']);
      expect((await freshRead()).ids).toEqual(['g1', 'g2']);
    } finally {
      await reader.close();
    }
  });

  it('the item listings (mentions; id, meta, fingerprint) come from their files under the same token only, labels never', async () => {
    await writer.clear();
    const mentions = (key: string) => [{ key, name: key, type: 'topic' as const, count: 1 }];
    await writer.upsertItems([
      { id: 'h1', text: 'h1', meta: { m: 1 }, extraction: { fingerprint: 'fp1', mentions: mentions('alpha') } },
      { id: 'h2', text: 'h2', meta: {}, extraction: { fingerprint: 'fp2', mentions: mentions('beta') } },
    ]);
    const listings = (): Promise<[Array<{ id: string; keys: string[] }>, Awaited<ReturnType<Neo4jGraphStore['listItemSummaries']>>]> =>
      freshReads((store) => Promise.all([store.listItemEntities(), store.listItemSummaries()]));
    const [entities, summaries] = await listings(); // from Bolt; the files are written
    expect(entities).toEqual([{ id: 'h1', keys: ['alpha'] }, { id: 'h2', keys: ['beta'] }]);
    expect(summaries).toEqual([{ id: 'h1', meta: { m: 1 }, fingerprint: 'fp1' }, { id: 'h2', meta: {}, fingerprint: 'fp2' }]);

    // Marked files under the current token: a fresh process returns the marks, so it read the files.
    const token = (await writer.query("MATCH (c:KgalCounter {name: 'embeddings'}) RETURN c.token AS token"))[0]!.token as string;
    await files().writeListing('mentions', token, [{ id: 'h1', keys: ['marked'] }, { id: 'h2', keys: ['beta'] }]);
    await files().writeListing('summaries', token, [{ id: 'h1', meta: { marked: true }, fingerprint: 'fp1' }, { id: 'h2', meta: {}, fingerprint: 'fp2' }]);
    await writer.setLabels([{ id: 'h2', label: 'L', annotator: 'ann' }]);
    const [markedEntities, markedSummaries] = await listings();
    expect(markedEntities[0]).toEqual({ id: 'h1', keys: ['marked'] });
    expect(markedSummaries[0]!.meta).toEqual({ marked: true });
    // The label written after the files were: read from the database on every listing, never from a file.
    expect(markedSummaries[1]).toMatchObject({ id: 'h2', label: 'L', annotator: 'ann' });

    // An upsert renews the token: the marks are gone, the new item and mention are there.
    await writer.upsertItems([{ id: 'h3', text: 'h3', meta: { new: 1 }, extraction: { fingerprint: 'fp3', mentions: mentions('gamma') } }]);
    const [afterEntities, afterSummaries] = await listings();
    expect(afterEntities).toEqual([{ id: 'h1', keys: ['alpha'] }, { id: 'h2', keys: ['beta'] }, { id: 'h3', keys: ['gamma'] }]);
    expect(afterSummaries.map((s) => [s.id, s.meta])).toEqual([['h1', { m: 1 }], ['h2', {}], ['h3', { new: 1 }]]);
  });
});
