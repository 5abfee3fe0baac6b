import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import type { GraphStore, StoreStats } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { runKgal } from './support/cli.js';
import { fixture, sharedData, tempDir } from './support/fixtures.js';
import { freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';

const SLICE = 400;

/** The first SLICE lines of a real dataset, as a pool file of its own. */
async function slice(name: string, ...parts: string[]): Promise<string> {
  const lines = (await readFile(sharedData(...parts), 'utf8')).split('\n').slice(0, SLICE);
  const path = join(await tempDir(), name);
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

async function ingestRealSlices(store: GraphStore): Promise<{ afterWebnlg: StoreStats; afterBoth: StoreStats; reingest: StoreStats }> {
  const webnlg = await slice('webnlg_train_head.jsonl', 'webnlg', 'webnlg_train.jsonl');
  const agNews = await slice('ag_news_head.jsonl', 'ag_news', 'ag_news_test.jsonl');
  const kgFile = sharedData('webnlg', 'kg_triples_train_dev.tsv');
  await ingestPool(store, { files: [webnlg], kgFile, batchSize: 150 });
  const afterWebnlg = await store.stats();
  await ingestPool(store, { files: [agNews], batchSize: 150 });
  const afterBoth = await store.stats();
  await ingestPool(store, { files: [webnlg, agNews], kgFile, batchSize: 150 });
  return { afterWebnlg, afterBoth, reingest: await store.stats() };
}

// Counts of the real slices (WebNLG train lines 1-400 with the WebNLG KG, then AG News lines 1-400), with
// the default extractor (spans-v4, linked to the KG). Both stores must produce exactly these.
const EXPECTED_AFTER_WEBNLG: StoreStats = {
  items: 400, labeledItems: 400, embeddedItems: 0, entities: 3225, mentions: 704, entityEdges: 299, relations: 3874, rounds: 0,
  labels: { Airport: 301, Artist: 99 },
};
const EXPECTED_AFTER_BOTH: StoreStats = {
  items: 800, labeledItems: 800, embeddedItems: 0, entities: 4122, mentions: 2299, entityEdges: 3121, relations: 3874, rounds: 0,
  labels: { Airport: 301, Artist: 99, Business: 72, 'Sci/Tech': 102, Sports: 123, World: 103 },
};

describe('real data slices: WebNLG + KG, then AG News', () => {
  let memoryStats: Awaited<ReturnType<typeof ingestRealSlices>>;

  it('embedded store: counts, second file adds, re-ingest changes nothing', async () => {
    const store = await MemoryGraphStore.open();
    memoryStats = await ingestRealSlices(store);
    await store.close();
    expect(memoryStats.afterWebnlg).toEqual(EXPECTED_AFTER_WEBNLG);
    expect(memoryStats.afterBoth).toEqual(EXPECTED_AFTER_BOTH);
    expect(memoryStats.reingest).toEqual(memoryStats.afterBoth);
  });

  it.skipIf(neo4jSkipped())('Neo4j store gives identical stats at every step', async () => {
    const store = await freshNeo4jStore();
    try {
      expect(await ingestRealSlices(store)).toEqual(memoryStats);
    } finally {
      await store.close();
    }
  });

  it.skipIf(neo4jSkipped())('`kgal stats --json` is identical for both stores after the same CLI ingest', async () => {
    const store = await freshNeo4jStore(); // empties the database
    await store.close();
    const args = ['ingest', fixture('pool-a.jsonl'), fixture('pool-b.csv'), '--kg', fixture('kg.tsv')];
    const embedded = { KGAL_DATA_DIR: await tempDir() };
    const neo4j = { NEO4J_URI: neo4jTestUri() };
    expect(runKgal(args, embedded).status).toBe(0);
    expect(runKgal(args, neo4j).status).toBe(0);
    const embeddedStats = runKgal(['stats', '--json'], embedded).stdout;
    expect(JSON.parse(embeddedStats)).toMatchObject({ items: 7 });
    expect(runKgal(['stats', '--json'], neo4j).stdout).toBe(embeddedStats);
  });
});
