import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { EntityExtractor } from '../src/entities/entity-extractor.js';
import { defaultExtractor } from '../src/ingest/ingest-pool.js';
import { ExtractionCache } from '../src/simulation/extraction-cache.js';
import { readLabeledFile } from '../src/simulation/labeled-dataset.js';
import { prepareDataset } from '../src/simulation/prepared-dataset.js';
import { stratifiedSplit } from '../src/simulation/stratified-split.js';
import { fakeEmbedder } from './support/fake-embedder.js';
import { sharedData, tempDir, tempFile } from './support/fixtures.js';

/** An extractor that counts its calls: one "entity" per capitalised word. */
function countingExtractor(id: string): EntityExtractor & { calls: number } {
  const extractor = {
    id,
    calls: 0,
    extract(text: string) {
      extractor.calls += 1;
      return [...new Set(text.match(/\b[A-Z][a-z]+\b/g) ?? [])].map((w) => ({ key: w.toLowerCase(), name: w, type: 'topic' as const, count: 1 }));
    },
  };
  return extractor;
}

describe('simulation: entity extraction cache', () => {
  it('serves a text extracted by an earlier run under the same extractor id, and only under it', async () => {
    const dir = await tempDir('kgal-extraction-cache-');
    const texts = ['Alice met Bob in Paris.', 'Nothing here.', 'Alice met Bob in Paris.'];
    const first = new ExtractionCache(dir);
    const inner = countingExtractor('counting-v1');
    const wrapped = first.wrap(inner);
    const mentions = texts.map((t) => wrapped.extract(t));
    expect(inner.calls).toBe(2); // the repeated text is served from memory
    await first.save();

    const second = new ExtractionCache(dir);
    const again = countingExtractor('counting-v1');
    expect(texts.map((t) => second.wrap(again).extract(t))).toEqual(mentions);
    expect(again.calls).toBe(0);
    expect(second.hits).toBe(3);

    const other = countingExtractor('counting-v2'); // another version, options or gazetteer: its own entries
    new ExtractionCache(dir).wrap(other).extract(texts[0]!);
    expect(other.calls).toBe(1);
  });

  it('a second prepareDataset on the same pool extracts nothing and yields the same store snapshot', async () => {
    const lines = (await readFile(sharedData('ag_news', 'ag_news_test.jsonl'), 'utf8')).split('\n').filter((l) => l.trim() !== '').slice(0, 120);
    const examples = await readLabeledFile(await tempFile('ag_news_120.jsonl', lines.join('\n')));
    const split = stratifiedSplit(examples, { fraction: 0.25, seed: 1 });
    const dir = await tempDir('kgal-extraction-cache-');
    let calls = 0;
    const createExtractor = (gazetteer: Parameters<typeof defaultExtractor>[0]): EntityExtractor => {
      const real = defaultExtractor(gazetteer);
      return { id: real.id, extract: (text) => (calls++, real.extract(text)) };
    };
    const prepare = (cache?: ExtractionCache) =>
      prepareDataset({ dataset: 'slice', pool: split.pool, eval: split.eval, embedder: fakeEmbedder(), createExtractor, ...(cache ? { extractionCache: cache } : {}) });

    const uncached = await prepare();
    const cold = await prepare(new ExtractionCache(dir));
    calls = 0;
    const warmCache = new ExtractionCache(dir);
    const warm = await prepare(warmCache);
    expect(calls).toBe(0);
    expect(warmCache.hits).toBe(split.pool.length);
    expect(cold.snapshot.items).toEqual(uncached.snapshot.items);
    expect(warm.snapshot.items).toEqual(uncached.snapshot.items);
    expect(warm.snapshot.analytics).toEqual(uncached.snapshot.analytics);
  });
});
