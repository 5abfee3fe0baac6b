import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import { StoreUnavailableError, type GraphStore } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { StoreDamagedError, StoreWriteError } from '../src/store/store-errors.js';
import { fixture, tempDir } from './support/fixtures.js';

const options = {
  files: [fixture('pool-a.jsonl'), fixture('pool-b.csv')],
  kgFile: fixture('kg.tsv'),
  createExtractor: (g: ConstructorParameters<typeof GazetteerExtractor>[0]) => new GazetteerExtractor(g),
};
const builtStore = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'store', 'memory-store.js');

/** Everything a store holds that is persisted (leases are not). */
async function dump(store: GraphStore): Promise<unknown> {
  const items = await store.listItems();
  const ids = items.map((i) => i.id);
  return {
    stats: await store.stats(),
    items,
    graph: await store.getEntityGraph(),
    mentions: await Promise.all(ids.map((id) => store.getItemMentions(id))),
    labels: await Promise.all(ids.map((id) => store.getLabelHistory(id))),
    picks: await Promise.all(ids.map((id) => store.getPickHistory(id))),
    embeddings: await store.getEmbeddings(),
    embeddingStates: await store.listEmbeddingStates(),
    analytics: await store.getEntityAnalytics(),
    graphVersion: await store.graphVersion(),
    state: await store.getState('bandit'),
  };
}

/** A deeply nested object, as `{"a":{"a":...}}` parsed from a request body. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/** Runs `body` (an ES module body with `store` open on `dataDir`) in a child node process; resolves with it. */
function child(dataDir: string, body: string): { process: ReturnType<typeof spawn>; lines: string[]; exited: Promise<number | null> } {
  const script = `import { MemoryGraphStore } from ${JSON.stringify(builtStore)};\nconst store = await MemoryGraphStore.open({ dataDir: ${JSON.stringify(dataDir)} });\n${body}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffered = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  return { process: proc, lines, exited: new Promise((resolve) => proc.once('exit', (code) => resolve(code))) };
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('MemoryGraphStore persistence (kgal.sqlite)', () => {
  it('a later process sees the same state: items, mentions, co-occurrence, relations, labels, rounds, embeddings, analytics, state', async () => {
    const dataDir = await tempDir();
    const first = await MemoryGraphStore.open({ dataDir });
    await ingestPool(first, options);
    await first.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann' }]);
    await first.setLabels([{ id: 'a4', label: 'Climate' }]);
    await first.recordRound({ strategy: 'coverage', at: '2026-01-01T00:00:00Z', annotator: 'ann', picks: [{ itemId: 'a2', rank: 1, score: 0.5, components: { coverage: 0.5 } }] });
    await first.upsertItems([{ id: 'z1', text: 'An item of its own.', meta: { from: 'api' } }]);
    await first.setEmbeddings([
      { id: 'a1', key: 'k1', vector: Float32Array.from([0.25, -1, 3]) },
      { id: 'z1', key: 'k2', vector: Float32Array.from([1, 2, 4]) },
    ]);
    await first.setEntityAnalytics([{ key: 'aarhus', centrality: 0.25, community: 2, coverage: 1, gap: 0.125 }], 'pagerank', await first.graphVersion());
    await first.updateState<{ n: number }>('bandit', (s) => ({ n: (s?.n ?? 0) + 1 }));
    // A text change drops the embedding; that is persisted too.
    await first.upsertItems([{ id: 'z1', text: 'An item of its own, edited.', meta: { edited: true } }]);
    const before = await dump(first);
    await first.close();

    const second = await MemoryGraphStore.open({ dataDir });
    expect(await dump(second)).toEqual(before);
    expect(await second.getItem('a4')).toMatchObject({ label: 'Climate' });
    expect(await second.getLabelHistory('a4')).toEqual([expect.objectContaining({ label: 'Weather', annotator: 'ann' }), expect.objectContaining({ label: 'Climate' })]);
    expect(await second.getItemMentions('b1')).toEqual(await first.getItemMentions('b1'));
    expect(await second.getItem('z1')).toMatchObject({ meta: { edited: true } });
    expect((await second.getEmbeddings()).ids).toEqual(['a1']);
    const again = await ingestPool(second, options);
    expect(again.extracted).toBe(0); // the fingerprints came back too
    await second.close();
    const reader = await MemoryGraphStore.open({ dataDir, readOnly: true });
    expect((await reader.stats()).items).toBe(8);
    await reader.close();
  });

  it('every write acknowledged before kill -9 is there after the restart', async () => {
    const dataDir = await tempDir();
    const writer = child(
      dataDir,
      `await store.upsertItems(Array.from({ length: 200 }, (_, i) => ({ id: 'i' + i, text: 'text ' + i, meta: {} })));
       console.log('ready');
       for (let i = 0; ; i += 1) {
         // Concurrent calls, as from several API clients: they share commits.
         await Promise.all([0, 1, 2].map((k) => store.setLabels([{ id: 'i' + ((i * 3 + k) % 200), label: 'L' + i + '-' + k }])
           .then(() => console.log('ack ' + 'i' + ((i * 3 + k) % 200) + ' L' + i + '-' + k))));
       }`,
    );
    await until(() => writer.lines.includes('ready'), 'the writer');
    await until(() => writer.lines.length > 300, 'acknowledged labels');
    writer.process.kill('SIGKILL');
    await writer.exited;
    const acked = new Map<string, string>();
    for (const line of writer.lines) {
      const [word, id, label] = line.split(' ');
      if (word === 'ack') acked.set(id!, label!);
    }
    const store = await MemoryGraphStore.open({ dataDir });
    const missing = (await Promise.all([...acked].map(async ([id, label]) => ((await store.getLabelHistory(id)).some((e) => e.label === label) ? undefined : id)))).filter(Boolean);
    expect(acked.size).toBeGreaterThan(100);
    expect(missing).toEqual([]);
    await store.close();
  });

  it('the writes of one event-loop turn share one commit; each call resolves only after it', async () => {
    const dataDir = await tempDir();
    const store = await MemoryGraphStore.open({ dataDir });
    await store.upsertItems(Array.from({ length: 50 }, (_, i) => ({ id: `i${i}`, text: `t${i}`, meta: {} })));
    const file = (store as unknown as { file: { commit: (batch: unknown) => void } }).file;
    const commit = file.commit.bind(file);
    let commits = 0;
    file.commit = (batch) => {
      commits += 1;
      commit(batch);
    };
    let resolved = 0;
    const writes = Array.from({ length: 50 }, (_, i) => store.setLabels([{ id: `i${i}`, label: 'x' }]).then(() => (resolved += 1)));
    await Promise.resolve();
    expect(resolved).toBe(0);
    await Promise.all(writes);
    expect(commits).toBe(1);
    await store.close();
    const reader = await MemoryGraphStore.open({ dataDir, readOnly: true });
    expect((await reader.stats()).labeledItems).toBe(50);
    await reader.close();
  });

  it('a failed commit rejects the write and every later one; reopening shows the file without it', async () => {
    const dataDir = await tempDir();
    const store = await MemoryGraphStore.open({ dataDir });
    await ingestPool(store, { ...options, files: [fixture('pool-a.jsonl')] });
    (store as unknown as { file: { commit: () => void } }).file.commit = () => {
      throw new Error('disk I/O error');
    };
    await expect(store.setLabels([{ id: 'a2', label: 'X' }])).rejects.toThrow(/could not commit a write \(disk I\/O error\)/);
    await expect(store.setLabels([{ id: 'a3', label: 'Y' }])).rejects.toThrow(StoreUnavailableError);
    await expect(store.stats()).rejects.toThrow(StoreUnavailableError);
    await store.close().catch(() => undefined);
    const reopened = await MemoryGraphStore.open({ dataDir });
    expect((await reopened.getItem('a2'))?.label).toBeUndefined();
    expect((await reopened.stats()).items).toBe(4);
    await reopened.close();
  });

  it('metadata or state nested too deeply for JSON is refused before anything changes; the store goes on', async () => {
    const dataDir = await tempDir();
    const store = await MemoryGraphStore.open({ dataDir });
    await store.upsertItems([{ id: 'ok', text: 'fine', meta: {} }]);
    const deep = nested(5_000);
    await expect(store.upsertItems([{ id: 'ok', text: 'changed', meta: {} }, { id: 'deep', text: 'x', meta: deep }])).rejects.toThrow(StoreWriteError);
    await expect(store.upsertItems([{ id: 'deep', text: 'x', meta: deep }])).rejects.toThrow(/metadata of item "deep".*nested too deeply.*nothing written/);
    await expect(store.setState('bandit', deep)).rejects.toThrow(StoreWriteError);
    expect(await store.getItem('ok')).toMatchObject({ text: 'fine' });
    expect(await store.getItem('deep')).toBeUndefined();
    await store.upsertItems([{ id: 'next', text: 'still writable', meta: { depth: 1 } }]);
    await store.close();
    const reopened = await MemoryGraphStore.open({ dataDir });
    expect((await reopened.listItems()).map((i) => i.id)).toEqual(['next', 'ok']);
    await reopened.close();
    // In memory only nothing is serialised, so nothing is refused.
    const memory = await MemoryGraphStore.open();
    await memory.upsertItems([{ id: 'deep', text: 'x', meta: deep }]);
    expect((await memory.stats()).items).toBe(1);
  });

  it('one writer at a time (in this process or another); readers load beside it; kill -9 frees the lock', async () => {
    const dataDir = await tempDir();
    const writer = await MemoryGraphStore.open({ dataDir });
    await writer.upsertItems([{ id: 'x', text: 'x', meta: {} }]);
    await expect(MemoryGraphStore.open({ dataDir })).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
    const reader = await MemoryGraphStore.open({ dataDir, readOnly: true });
    expect((await reader.stats()).items).toBe(1);
    await reader.close();
    await writer.close();

    const other = child(dataDir, `await store.upsertItems([{ id: 'y', text: 'y', meta: {} }]); console.log('holding'); setInterval(() => {}, 1000);`);
    await until(() => other.lines.includes('holding'), 'the other writer');
    const refused = MemoryGraphStore.open({ dataDir });
    await expect(refused).rejects.toThrow(StoreUnavailableError);
    await expect(refused).rejects.toThrow(`in use by process ${other.process.pid}`);
    other.process.kill('SIGKILL');
    await other.exited;
    const after = await MemoryGraphStore.open({ dataDir });
    expect((await after.stats()).items).toBe(2);
    await after.close();
  });

  it('a damaged, truncated, empty or foreign store file is an error that says so, never an empty store', async () => {
    const build = async (): Promise<string> => {
      const dataDir = await tempDir();
      const store = await MemoryGraphStore.open({ dataDir });
      await store.upsertItems(Array.from({ length: 2_000 }, (_, i) => ({ id: `i${i}`, text: `text number ${i} `.repeat(20), meta: { i } })));
      await store.close();
      return dataDir;
    };
    const file = (dir: string): string => join(dir, 'kgal.sqlite');

    const garbage = await build();
    const bytes = await readFile(file(garbage));
    bytes.fill(0x41, 0, 100);
    await writeFile(file(garbage), bytes);
    const torn = await build();
    await truncate(file(torn), Math.floor(bytes.length / 2));
    const empty = await build();
    await truncate(file(empty), 0);
    const scribbled = await build();
    const pages = await readFile(file(scribbled));
    pages.fill(0x5a, 8192, pages.length - 8192);
    await writeFile(file(scribbled), pages);
    const foreign = await tempDir();
    const db = new Database(file(foreign));
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();

    for (const [name, dataDir] of Object.entries({ garbage, torn, empty, scribbled, foreign })) {
      for (const readOnly of [false, true]) {
        const opened = MemoryGraphStore.open({ dataDir, readOnly });
        await expect(opened, `${name} readOnly=${readOnly}`).rejects.toThrow(StoreDamagedError);
        await expect(opened).rejects.toThrow(/kgal\.sqlite is damaged or not a kgal store .*it was not opened/);
      }
    }
    // The refused writer released its lock: once the file is restored, the store opens.
    await rm(file(empty));
    await rm(join(empty, 'kgal.lock'));
    expect((await (await MemoryGraphStore.open({ dataDir: empty })).stats()).items).toBe(0);
  });

  it('a store file gone from a data directory that held one is an error, for writers and readers', async () => {
    const dataDir = await tempDir();
    const store = await MemoryGraphStore.open({ dataDir });
    await store.upsertItems([{ id: 'x', text: 'x', meta: {} }]);
    await store.close();
    await rm(join(dataDir, 'kgal.sqlite'));
    for (const readOnly of [false, true]) {
      await expect(MemoryGraphStore.open({ dataDir, readOnly })).rejects.toThrow(/kgal\.sqlite is missing, but kgal\.lock \(which records that kgal\.sqlite was created\) in .* show a store was there/);
    }
    expect(existsSync(join(dataDir, 'kgal.sqlite'))).toBe(false);
    // A directory that never held a store: a writer creates the store (and the directory), a reader sees it empty.
    const fresh = join(await tempDir(), 'nested', 'data');
    const reader = await MemoryGraphStore.open({ dataDir: fresh, readOnly: true });
    expect((await reader.stats()).items).toBe(0);
    expect(existsSync(fresh)).toBe(false);
    const created = await MemoryGraphStore.open({ dataDir: fresh });
    await created.close();
    expect((await readdir(fresh)).sort()).toEqual(['kgal.lock', 'kgal.sqlite']);
  });

  it('an unusable data directory fails at once with the reason', async () => {
    const started = Date.now();
    await expect(MemoryGraphStore.open({ dataDir: '/proc/kgal-test/data' })).rejects.toThrow(/cannot create the embedded store directory \/proc\/kgal-test\/data/);
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, 'x');
    await expect(MemoryGraphStore.open({ dataDir: join(file, 'data') })).rejects.toThrow(/cannot use .*a-file\/data as the embedded store directory: a part of it is not a directory/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  describe('a data directory of the former snapshot format', () => {
    /** The layout the snapshot writer of kgal 0.1 left: CURRENT -> snapshot folder of JSONL tables + embeddings.f32. */
    async function legacyDir(omit?: string): Promise<string> {
      const dataDir = await tempDir();
      const snapshot = join(dataDir, 'snapshot-m0-123');
      await mkdir(snapshot);
      const tables: Record<string, unknown[]> = {
        items: [
          { id: 'b', text: 'Aarhus is in Denmark.', meta: { source: 'old' }, mentions: [{ key: 'aarhus', count: 1 }, { key: 'denmark', count: 1 }], fingerprint: 'f1', label: 'City', annotator: 'ann', labeledAt: '2026-01-02T00:00:00.000Z' },
          { id: 'a', text: 'Denmark and Aarhus.', meta: {}, mentions: [{ key: 'aarhus', count: 1 }, { key: 'denmark', count: 2 }], fingerprint: 'f2' },
        ],
        entities: [
          { key: 'aarhus', name: 'Aarhus', type: 'place', kg: true, analytics: { centrality: 0.5, community: 1, coverage: 1, gap: 0.25, measure: 'pagerank' } },
          { key: 'denmark', name: 'Denmark', type: 'kg', kg: true },
        ],
        relations: [{ subject: 'aarhus', predicate: 'country', object: 'denmark' }],
        rounds: [{ strategy: 'coverage', at: '2026-01-01T00:00:00Z', picks: [{ itemId: 'a', rank: 1, score: 0.5, components: { coverage: 0.5 } }], n: 1 }],
        labelHistory: [{ id: 'b', events: [{ label: 'Town', at: '2026-01-01T00:00:00.000Z' }, { label: 'City', annotator: 'ann', at: '2026-01-02T00:00:00.000Z' }] }],
        namedStates: [{ name: 'bandit', state: { n: 3 } }],
        meta: [{ graphVersion: 4, analytics: { measure: 'pagerank', graphVersion: 4 } }],
        embeddings: [{ id: 'a', key: 'k-a', dimension: 2 }],
      };
      for (const [table, rows] of Object.entries(tables)) {
        if (table !== omit) await writeFile(join(snapshot, `${table}.jsonl`), rows.map((r) => JSON.stringify(r) + '\n').join(''));
      }
      await writeFile(join(snapshot, 'embeddings.f32'), new Uint8Array(Float32Array.from([0.5, -2]).buffer));
      await writeFile(join(dataDir, 'CURRENT'), 'snapshot-m0-123\n');
      await writeFile(join(dataDir, 'LOCK'), '999999999');
      return dataDir;
    }

    it('is imported once into kgal.sqlite on the first open for writing; readers can read it before', async () => {
      const dataDir = await legacyDir();
      const reader = await MemoryGraphStore.open({ dataDir, readOnly: true });
      const expected = await dump(reader);
      expect(expected).toMatchObject({ stats: { items: 2, labeledItems: 1, embeddedItems: 1, entities: 2, entityEdges: 1, relations: 1, rounds: 1 }, graphVersion: 4, state: { n: 3 } });
      await reader.close();
      expect(existsSync(join(dataDir, 'kgal.sqlite'))).toBe(false);

      const writer = await MemoryGraphStore.open({ dataDir });
      expect(await dump(writer)).toEqual(expected);
      await writer.setLabels([{ id: 'a', label: 'Country' }]);
      await writer.close();
      const files = await readdir(dataDir);
      expect(files).toContain('CURRENT.imported');
      expect(files).not.toContain('CURRENT');
      expect(files).not.toContain('LOCK');
      const reopened = await MemoryGraphStore.open({ dataDir });
      expect((await reopened.getEmbeddings(['a'])).matrix.data).toEqual(Float32Array.from([0.5, -2]));
      expect(await reopened.getLabelHistory('b')).toEqual((expected as { labels: unknown[] }).labels[1]);
      expect((await reopened.stats()).labeledItems).toBe(2);
      await reopened.close();
    });

    it('with its snapshot folder or a table file missing, is an error naming what is missing', async () => {
      const noFolder = await legacyDir();
      await rm(join(noFolder, 'snapshot-m0-123'), { recursive: true });
      const noTable = await legacyDir('items');
      for (const readOnly of [false, true]) {
        await expect(MemoryGraphStore.open({ dataDir: noFolder, readOnly })).rejects.toThrow(/names the snapshot folder snapshot-m0-123, which is missing/);
        await expect(MemoryGraphStore.open({ dataDir: noTable, readOnly })).rejects.toThrow(/lacks items\.jsonl: the store is incomplete/);
      }
      expect(existsSync(join(noFolder, 'kgal.sqlite'))).toBe(false);
      expect(existsSync(join(noTable, 'kgal.sqlite'))).toBe(false);
    });
  });
});
