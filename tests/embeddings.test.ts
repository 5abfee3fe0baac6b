import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedPendingItems, embeddingKey } from '../src/embeddings/embed-items.js';
import { embedderConfigFromEnv } from '../src/embeddings/embedder-config.js';
import { ModelUnavailableError } from '../src/embeddings/text-embedder.js';
import { TransformersEmbedder } from '../src/embeddings/transformers-embedder.js';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import { rowOf } from '../src/model/matrix.js';
import type { GraphStore } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { runKgal } from './support/cli.js';
import { fixture, tempDir, tempFile } from './support/fixtures.js';
import { modelSkipped } from './support/model.js';
import { freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';

interface ReferenceVectors {
  sentences: string[];
  vectors: number[][];
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
};

const skip = modelSkipped();

describe.skipIf(skip)('TransformersEmbedder with the real all-MiniLM-L6-v2', () => {
  let reference: ReferenceVectors;
  beforeAll(async () => {
    reference = JSON.parse(await readFile(join(__dirname, '..', 'scripts', 'model', 'reference-vectors.json'), 'utf8')) as ReferenceVectors;
  });

  for (const [quantized, minimum] of [[false, 0.9999], [true, 0.99]] as const) {
    it(`${quantized ? 'int8' : 'fp32'} agrees with sentence-transformers (cosine >= ${minimum} per sentence)`, async () => {
      const embedder = await TransformersEmbedder.load({ ...embedderConfigFromEnv(), quantized, allowRemote: false });
      try {
        expect(embedder.dimension).toBe(384);
        const vectors = await embedder.embed(reference.sentences);
        const cosines = reference.vectors.map((expected, i) => cosine(rowOf(vectors, i), expected));
        expect(Math.min(...cosines)).toBeGreaterThanOrEqual(minimum);
        for (let i = 0; i < vectors.rows; i += 1) expect(Math.hypot(...rowOf(vectors, i))).toBeCloseTo(1, 5);
        // Batch composition must not change a text's vector (padding is masked out). The int8 model
        // quantises activations per tensor at run time, so the batch's value range moves it slightly.
        const alone = await embedder.embed([reference.sentences[0]!]);
        expect(cosine(rowOf(alone, 0), rowOf(vectors, 0))).toBeGreaterThan(quantized ? 0.995 : 0.99999);
      } finally {
        await embedder.dispose();
      }
    });
  }

  it('a missing model gives a clear error that says how to get it', async () => {
    const error = await TransformersEmbedder.load({ ...embedderConfigFromEnv(), modelDir: '/nonexistent', allowRemote: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(/npm run model/);
  });
});

const backends: Array<{ name: string; skip: boolean; open: () => Promise<GraphStore> }> = [
  { name: 'MemoryGraphStore', skip: skip, open: () => MemoryGraphStore.open() },
  { name: 'Neo4jGraphStore', skip: skip || neo4jSkipped(), open: () => freshNeo4jStore() },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`embedding items into ${backend.name}`, () => {
    let embedder: TransformersEmbedder;
    let store: GraphStore;
    beforeAll(async () => {
      embedder = await TransformersEmbedder.load({ ...embedderConfigFromEnv(), allowRemote: false });
      store = await backend.open();
    });
    afterAll(async () => {
      await store.close();
      await embedder.dispose();
    });

    it('embeds every item once, re-embeds only changed texts, and stores the vectors', async () => {
      const createExtractor = (g: ConstructorParameters<typeof GazetteerExtractor>[0]) => new GazetteerExtractor(g);
      await ingestPool(store, { files: [fixture('pool-a.jsonl'), fixture('pool-b.csv')], createExtractor });
      expect(await embedPendingItems(store, embedder)).toEqual({ embedded: 7, modelTexts: 7, upToDate: 0 });
      expect((await store.stats()).embeddedItems).toBe(7);
      expect(await embedPendingItems(store, embedder)).toEqual({ embedded: 0, modelTexts: 0, upToDate: 7 });

      const changed = await tempFile('a3.jsonl', JSON.stringify({ id: 'a3', text: 'Aarhus is windy.' }) + '\n');
      await ingestPool(store, { files: [changed], createExtractor });
      expect((await store.stats()).embeddedItems).toBe(6); // a changed text drops its stale vector
      expect(await embedPendingItems(store, embedder)).toEqual({ embedded: 1, modelTexts: 1, upToDate: 6 });

      const { ids, matrix } = await store.getEmbeddings(['a3', 'b1', 'unknown']);
      expect(ids).toEqual(['a3', 'b1']);
      expect(matrix.rows).toBe(2);
      const direct = await embedder.embed(['Aarhus is windy.']);
      expect(cosine(rowOf(matrix, 0), rowOf(direct, 0))).toBeGreaterThan(0.99999);
      const states = await store.listEmbeddingStates();
      expect(states.find((s) => s.id === 'a3')?.embeddingKey).toBe(embeddingKey(embedder.id, 'Aarhus is windy.'));
    });
  });
}

describe.skipIf(skip || neo4jSkipped())('Neo4j vector index on item embeddings', () => {
  it('db.index.vector.queryNodes finds the nearest items by meaning', async () => {
    const store = await freshNeo4jStore();
    const embedder = await TransformersEmbedder.load({ ...embedderConfigFromEnv(), allowRemote: false });
    try {
      await ingestPool(store, { files: [fixture('pool-a.jsonl'), fixture('pool-b.csv')] });
      await embedPendingItems(store, embedder);
      const query = await embedder.embed(['astronauts flying to the moon']);
      const rows = await store.query(
        `CALL db.index.vector.queryNodes('item_embedding', 2, $vector) YIELD node, score RETURN node.id AS id, score`,
        { vector: Array.from(query.data) },
      );
      expect(rows.map((r) => r.id).sort()).toEqual(['b1', 'b2']);
      expect(rows[0]!.score as number).toBeGreaterThan(0.5);
    } finally {
      await store.close();
      await embedder.dispose();
    }
  });
});

describe.skipIf(skip)('kgal embed CLI', () => {
  it('`kgal embed --text --json` prints one unit vector; `kgal ingest --embed` embeds the pool', async () => {
    const single = runKgal(['embed', '--text', 'Airbus tests a hydrogen engine', '--json']);
    expect(single.status).toBe(0);
    const { dimension, vector } = JSON.parse(single.stdout) as { dimension: number; vector: number[] };
    expect(dimension).toBe(384);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);

    const env = { KGAL_DATA_DIR: await tempDir() };
    const ingest = runKgal(['ingest', fixture('pool-a.jsonl'), '--embed', '--json'], env);
    expect(ingest.status).toBe(0);
    expect(ingest.stderr).toMatch(/embedding \(Xenova\/all-MiniLM-L6-v2:fp32\): done, 4 in/);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ embedding: { embedded: 4 }, stats: { embeddedItems: 4 } });
    const again = runKgal(['embed', '--json'], env);
    expect(JSON.parse(again.stdout)).toEqual({ embedded: 0, modelTexts: 0, upToDate: 4 });
    expect(JSON.parse(runKgal(['stats', '--json'], env).stdout).embeddedItems).toBe(4); // persisted with the store
  });
});
