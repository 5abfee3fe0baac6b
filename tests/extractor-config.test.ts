import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildExtractor, extractorNameFromEnv, readExtractorConfig, EXTRACTORS, DEFAULT_EXTRACTOR } from '../src/entities/extractor-config.js';
import { Gazetteer } from '../src/entities/gazetteer.js';
import { UsageError } from '../src/errors/kgal-error.js';
import { defaultExtractor, ingestPool } from '../src/ingest/ingest-pool.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { runKgal } from './support/cli.js';
import { fixture, tempDir } from './support/fixtures.js';

describe('extractor choice: flag, KGAL_EXTRACTOR, default', () => {
  const gazetteer = Gazetteer.fromNames(['Aarhus Airport', 'Denmark']);

  it('builds each named extractor (ids tell them apart); spans links when the KG has names', () => {
    const ids = EXTRACTORS.map((extractor) => buildExtractor({ extractor }, gazetteer).id);
    expect(ids[0]).toMatch(/^spans-v4:.*:kg-[0-9a-f]{12}$/);
    expect(ids[1]).toMatch(/^compromise-v2:/);
    expect(ids[2]).toMatch(/^compromise-v1:/);
    expect(ids[3]).toMatch(/^gazetteer-v1:/);
    expect(buildExtractor({ extractor: 'spans' }, Gazetteer.fromNames([])).id).toMatch(/:kg-none$/);
    expect(DEFAULT_EXTRACTOR).toBe('spans');
  });

  it('takes the flag over KGAL_EXTRACTOR over the default, and refuses unknown names (usage error, exit 64)', async () => {
    expect(extractorNameFromEnv({ KGAL_EXTRACTOR: 'compromise-v1' })).toBe('compromise-v1');
    expect(extractorNameFromEnv({})).toBeUndefined();
    expect(() => extractorNameFromEnv({ KGAL_EXTRACTOR: 'spacy' })).toThrow(UsageError);
    expect((await readExtractorConfig({ extractor: 'gazetteer' })).extractor).toBe('gazetteer');
    await expect(readExtractorConfig({ extractor: 'bogus' })).rejects.toThrow(/--extractor: unknown extractor "bogus"/);
  });

  it('ingest links with the KG facts from the store (the default): "Aarhus" is the airport\'s city, typed', async () => {
    const store = await MemoryGraphStore.open();
    try {
      await ingestPool(store, { files: [fixture('pool-a.jsonl')], kgFile: fixture('kg.tsv') });
      expect(await store.getItemMentions('a1')).toEqual([
        { key: 'aarhus', count: 1 },
        { key: 'aarhus airport', count: 1 },
        { key: 'denmark', count: 1 },
      ]);
      expect((await store.listKgRelations()).length).toBe(7);
    } finally {
      await store.close();
    }
  });

  it('the library/API default follows KGAL_EXTRACTOR (POST /v1/items extracts like kgal ingest)', async () => {
    const previous = process.env.KGAL_EXTRACTOR;
    process.env.KGAL_EXTRACTOR = 'compromise-v1';
    try {
      expect(defaultExtractor(Gazetteer.fromNames([])).id).toMatch(/^compromise-v1:/);
    } finally {
      if (previous === undefined) delete process.env.KGAL_EXTRACTOR;
      else process.env.KGAL_EXTRACTOR = previous;
    }
    expect(defaultExtractor(Gazetteer.fromNames([])).id).toMatch(/^spans-v4:/);
  });

  it('kgal ingest --extractor compromise-v1 / KGAL_EXTRACTOR reach the extractor; a bad name exits 64', async () => {
    const pool = join(await tempDir('kgal-extractor-pool-'), 'pool.jsonl');
    await writeFile(pool, JSON.stringify({ id: 'n1', text: "Brazil's president Lula met officials in Beijing." }) + '\n');
    // compromise v1 reads "Brazil's president Lula" as one person; the span rules as Brazil and Lula.
    const run = async (args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; entities: number }> => {
      const dataDir = await tempDir('kgal-extractor-');
      const result = runKgal(['ingest', pool, '--json', ...args], { KGAL_DATA_DIR: dataDir, ...env });
      return { status: result.status, entities: result.status === 0 ? (JSON.parse(result.stdout) as { stats: { entities: number } }).stats.entities : -1 };
    };
    const spans = await run([]);
    const v1 = await run(['--extractor', 'compromise-v1']);
    const v1FromEnv = await run([], { KGAL_EXTRACTOR: 'compromise-v1' });
    expect(spans.status).toBe(0);
    expect(v1.status).toBe(0);
    expect(v1FromEnv).toEqual(v1);
    expect(spans.entities).toBe(3);
    expect(v1.entities).toBe(2);
    expect((await run(['--extractor', 'bogus'])).status).toBe(64);
  });
});
