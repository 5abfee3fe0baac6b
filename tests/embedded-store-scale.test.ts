import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemUpsert } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { tempDir } from './support/fixtures.js';

/**
 * How long the embedded store takes to build and to open at scale (docs/architecture.md, "Scale notes"),
 * and that a reopened store holds exactly what was written. 20,000 items with 384-d embeddings by default
 * (seconds, in every test run); the scale figures come from
 *
 *   KGAL_SCALE_ITEMS=1000000 [KGAL_SCALE_DIM=384] NODE_OPTIONS=--max-old-space-size=8192 npx vitest run tests/embedded-store-scale.test.ts
 *
 * Synthetic items: 200 characters of text, 4 mentions each out of 50,000 entities, written in batches of
 * 1,000 (the ingest batch, one commit each), then embeddings of KGAL_SCALE_DIM floats in batches of 512
 * (as `kgal embed` writes them) when set.
 */
const ITEMS = Number(process.env.KGAL_SCALE_ITEMS ?? 20_000);
const DIM = Number(process.env.KGAL_SCALE_DIM ?? 384);
const ENTITIES = 50_000;

function syntheticItems(from: number, to: number): ItemUpsert[] {
  const batch: ItemUpsert[] = [];
  for (let i = from; i < to; i += 1) {
    const keys = [0, 1, 2, 3].map((k) => `entity ${(i * 7919 + k * 104729) % ENTITIES}`);
    batch.push({
      id: `item-${String(i).padStart(7, '0')}`,
      text: `Synthetic text number ${i} mentions ${keys.join(', ')}. `.padEnd(200, 'lorem ipsum ').slice(0, 200),
      meta: { source: 'scale', n: i },
      extraction: { fingerprint: `f${i}`, mentions: keys.map((key) => ({ key, name: key, type: 'topic' as const, count: 1 })) },
    });
  }
  return batch;
}

const seconds = (start: number): string => ((performance.now() - start) / 1000).toFixed(1);
const residentMb = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);

describe('embedded store at scale', () => {
  it(`builds and opens a store of ${ITEMS} items${DIM ? ` with ${DIM}-d embeddings` : ''}`, { timeout: 3_600_000 }, async () => {
    const dataDir = await tempDir('kgal-scale-');
    const report: string[] = [];
    let start = performance.now();
    const store = await MemoryGraphStore.open({ dataDir });
    for (let at = 0; at < ITEMS; at += 1_000) await store.upsertItems(syntheticItems(at, Math.min(ITEMS, at + 1_000)));
    report.push(`upsert ${seconds(start)} s`);
    if (DIM > 0) {
      start = performance.now();
      const vector = new Float32Array(DIM);
      for (let at = 0; at < ITEMS; at += 512) {
        const updates = [];
        for (let i = at; i < Math.min(ITEMS, at + 512); i += 1) {
          vector[i % DIM] = i;
          updates.push({ id: `item-${String(i).padStart(7, '0')}`, key: `k${i}`, vector });
        }
        await store.setEmbeddings(updates);
      }
      report.push(`embeddings ${seconds(start)} s`);
    }
    const stats = await store.stats();
    start = performance.now();
    await store.close();
    report.push(`close ${seconds(start)} s`, `file ${Math.round(statSync(join(dataDir, 'kgal.sqlite')).size / 2 ** 20)} MiB`);

    start = performance.now();
    const reopened = await MemoryGraphStore.open({ dataDir });
    report.push(`open ${seconds(start)} s`, `rss ${residentMb()} MiB`);
    expect(await reopened.stats()).toEqual(stats);
    await reopened.close();
    start = performance.now();
    const reader = await MemoryGraphStore.open({ dataDir, readOnly: true });
    report.push(`read-only open ${seconds(start)} s`);
    expect((await reader.stats()).items).toBe(ITEMS);
    await reader.close();
    process.stderr.write(`embedded store, ${ITEMS} items${DIM ? ` + ${DIM}-d embeddings` : ''}: ${report.join(', ')}\n`);
  });
});
