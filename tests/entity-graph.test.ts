import { describe, expect, it } from 'vitest';
import { buildEntityGraph } from '../graph/entity-graph.js';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { ingestPool } from '../src/ingest/ingest-pool.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { fixture } from './support/fixtures.js';

describe('buildEntityGraph', () => {
  it('merges co-occurrence and KG facts into one weighted undirected edge per pair', () => {
    const graph = buildEntityGraph(
      {
        entities: ['a', 'b', 'c'].map((key) => ({ key, name: key.toUpperCase(), type: 'kg', kg: true })),
        cooccurrences: [{ a: 'a', b: 'b', weight: 3 }],
        relations: [
          { subject: 'b', predicate: 'partOf', object: 'a' },
          { subject: 'b', predicate: 'near', object: 'c' },
          { subject: 'c', predicate: 'self', object: 'c' },
        ],
      },
      { relationWeight: 2 },
    );
    expect(graph.order).toBe(3);
    expect(graph.size).toBe(2);
    expect(graph.getEdgeAttributes('a', 'b')).toEqual({ cooccurrence: 3, predicates: ['partOf'], weight: 5 });
    expect(graph.getEdgeAttributes('c', 'b')).toEqual({ cooccurrence: 0, predicates: ['near'], weight: 2 });
  });

  it('builds from a store', async () => {
    const store = await MemoryGraphStore.open();
    await ingestPool(store, {
      files: [fixture('pool-a.jsonl'), fixture('pool-b.csv')],
      kgFile: fixture('kg.tsv'),
      createExtractor: (g) => new GazetteerExtractor(g),
    });
    const graph = buildEntityGraph(await store.getEntityGraph());
    expect(graph.order).toBe(9);
    expect(graph.getEdgeAttribute('denmark', 'copenhagen', 'weight')).toBe(3); // 2 items + 1 KG fact
    expect(graph.degree('denmark')).toBe(4); // aarhus, aarhus airport, copenhagen, lars løkke rasmussen
  });
});
