/**
 * Ingest throughput into Neo4j: batched UNWIND writes (one transaction per batch) versus one transaction
 * per item, on the same prepared items in one run; the embedded store for reference. Entity extraction
 * is done once up front and not timed: this measures the store writes, which is where the two differ.
 *
 *   NEO4J_URI=bolt://127.0.0.1:7687 npm run bench:ingest -- [--file <pool.jsonl>] [--items 5000] [--per-item 500] [--batch 1000]
 *
 * Both modes are warmed up on a small slice first (a fresh server compiles its query plans on first use).
 * It empties the target database (it refuses unless the URI is loopback or --yes-wipe is given).
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { CompromiseExtractor } from '../src/entities/compromise-extractor.js';
import { Gazetteer } from '../src/entities/gazetteer.js';
import { extractionFingerprint, toRelations } from '../src/ingest/ingest-pool.js';
import { readTriplesFile } from '../src/kg/read-triples.js';
import { readPoolFile } from '../src/pool/read-pool.js';
import { packageRoot } from '../src/config/package-paths.js';
import type { GraphStore, ItemUpsert } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { Neo4jGraphStore } from '../src/store/neo4j-store.js';

const sharedData = join(packageRoot(), '..', 'shared', 'data');
const { values } = parseArgs({
  options: {
    file: { type: 'string', default: join(sharedData, 'webnlg', 'webnlg_train.jsonl') },
    kg: { type: 'string', default: join(sharedData, 'webnlg', 'kg_triples_train_dev.tsv') },
    items: { type: 'string', default: '5000' },
    'per-item': { type: 'string', default: '500' },
    batch: { type: 'string', default: '1000' },
    'yes-wipe': { type: 'boolean', default: false },
  },
});

const uri = process.env.NEO4J_URI;
if (!uri) throw new Error('set NEO4J_URI (e.g. `npm run neo4j:start` then NEO4J_URI=bolt://127.0.0.1:7687)');
if (!/\/\/(127\.0\.0\.1|localhost)(:|$)/.test(uri) && !values['yes-wipe']) {
  throw new Error(`refusing to wipe a non-loopback Neo4j (${uri}); pass --yes-wipe if you mean it`);
}
const itemCount = Number(values.items);
const perItemCount = Number(values['per-item']);
const batchSize = Number(values.batch);

const rows = (await readPoolFile(values.file)).slice(0, itemCount);
const relations = toRelations(await readTriplesFile(values.kg));
const gazetteer = Gazetteer.fromNames(relations.flatMap((r) => [r.subject.name, r.object.name]));
const extractor = new CompromiseExtractor({ gazetteer });
const extractStart = performance.now();
const upserts: ItemUpsert[] = rows.map((row) => ({
  id: row.id,
  text: row.text,
  meta: row.meta,
  ...(row.label !== undefined ? { label: row.label } : {}),
  extraction: { fingerprint: extractionFingerprint(extractor, row.text), mentions: extractor.extract(row.text) },
}));
const extractSeconds = (performance.now() - extractStart) / 1000;

async function timeWrites(store: GraphStore, items: readonly ItemUpsert[], size: number): Promise<number> {
  await store.upsertRelations(relations);
  const start = performance.now();
  for (let i = 0; i < items.length; i += size) await store.upsertItems(items.slice(i, i + size));
  return (performance.now() - start) / 1000;
}

interface Row {
  store: string;
  mode: string;
  items: number;
  seconds: number;
}
const results: Row[] = [];

const neo4jStore = await Neo4jGraphStore.connect({ uri, database: process.env.NEO4J_DATABASE ?? 'neo4j' });
try {
  // Warm-up (query plans, JIT) for both modes on a small slice, so neither pays for the fresh server.
  await neo4jStore.clear();
  await timeWrites(neo4jStore, upserts.slice(0, 500), batchSize);
  await timeWrites(neo4jStore, upserts.slice(500, 550), 1);
  await neo4jStore.clear();
  results.push({ store: 'Neo4j', mode: `batched UNWIND, ${batchSize} items/tx`, items: upserts.length, seconds: await timeWrites(neo4jStore, upserts, batchSize) });
  await neo4jStore.clear();
  const perItem = upserts.slice(0, perItemCount);
  results.push({ store: 'Neo4j', mode: 'one transaction per item', items: perItem.length, seconds: await timeWrites(neo4jStore, perItem, 1) });
  await neo4jStore.clear();
} finally {
  await neo4jStore.close();
}
const memory = await MemoryGraphStore.open();
results.push({ store: 'embedded (memory)', mode: `batched, ${batchSize} items/call`, items: upserts.length, seconds: await timeWrites(memory, upserts, batchSize) });
await memory.close();

const rate = (r: Row): number => r.items / r.seconds;
const perItemRate = rate(results[1]!);
console.log(`\npool: ${values.file} (${rows.length} items, ${upserts.reduce((n, u) => n + u.extraction!.mentions.length, 0)} mentions); ` +
  `KG: ${relations.length} relations; extraction (not timed below): ${(rows.length / extractSeconds).toFixed(0)} items/s\n`);
console.log('| store | write mode | items | seconds | items/s | vs per-item |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.store} | ${r.mode} | ${r.items} | ${r.seconds.toFixed(2)} | ${rate(r).toFixed(0)} | ${(rate(r) / perItemRate).toFixed(1)}x |`);
}
