import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import { StoreUnavailableError } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { fixture, tempDir } from './support/fixtures.js';

const options = {
  files: [fixture('pool-a.jsonl'), fixture('pool-b.csv')],
  kgFile: fixture('kg.tsv'),
  createExtractor: (g: ConstructorParameters<typeof GazetteerExtractor>[0]) => new GazetteerExtractor(g),
};

describe('MemoryGraphStore persistence', () => {
  it('a later process sees the same state: items, mentions, co-occurrence, relations, labels, rounds', async () => {
    const dataDir = await tempDir();
    const first = await MemoryGraphStore.open({ dataDir });
    await ingestPool(first, options);
    await first.setLabels([{ id: 'a4', label: 'Weather', annotator: 'ann' }]);
    await first.recordRound({ strategy: 'coverage', at: '2026-01-01T00:00:00Z', picks: [{ itemId: 'a2', rank: 1, score: 0.5, components: { coverage: 0.5 } }] });
    const stats = await first.stats();
    const graph = await first.getEntityGraph();
    await first.close();

    const second = await MemoryGraphStore.open({ dataDir });
    expect(await second.stats()).toEqual(stats);
    expect(await second.getEntityGraph()).toEqual(graph);
    expect(await second.getItem('a4')).toMatchObject({ label: 'Weather', annotator: 'ann' });
    expect(await second.getLabelHistory('a4')).toEqual(await first.getLabelHistory('a4'));
    expect(await second.getItemMentions('b2')).toEqual([{ key: 'alan bean', count: 1 }, { key: 'apollo 12', count: 1 }]);
    const again = await ingestPool(second, options);
    expect(again.extracted).toBe(0);
    expect(await second.stats()).toEqual(stats);
    await second.close();
  });

  it('a crash before close loses only the unflushed work, and a half-written snapshot is ignored', async () => {
    const dataDir = await tempDir();
    const first = await MemoryGraphStore.open({ dataDir });
    await ingestPool(first, { ...options, files: [fixture('pool-a.jsonl')] });
    await first.close();

    // A writer that died mid-snapshot leaves a temporary folder with a torn file behind.
    const torn = join(dataDir, 'snapshot-zzz-999.tmp');
    await mkdir(torn);
    await writeFile(join(torn, 'items.jsonl'), '{"id":"torn","te');

    const reopened = await MemoryGraphStore.open({ dataDir });
    expect((await reopened.stats()).items).toBe(4);
    await ingestPool(reopened, options); // no close(): simulates a crash after the work
    const restarted = await MemoryGraphStore.open({ dataDir }); // same pid: takes the lock over
    expect((await restarted.stats()).items).toBe(4);
    await ingestPool(restarted, options);
    expect((await restarted.stats()).items).toBe(7);
    await restarted.close();
    const left = (await readdir(dataDir)).filter((name) => name.startsWith('snapshot-'));
    expect(left).toHaveLength(1);
  });

  it('refuses a second writer while another live process holds the data directory', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'LOCK'), String(process.ppid));
    await expect(MemoryGraphStore.open({ dataDir })).rejects.toThrow(StoreUnavailableError);
    const reader = await MemoryGraphStore.open({ dataDir, readOnly: true });
    expect((await reader.stats()).items).toBe(0);
    await reader.close();
  });
});
