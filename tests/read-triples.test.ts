import { describe, expect, it } from 'vitest';
import { readTriplesFile } from '../src/kg/read-triples.js';
import { toRelations } from '../src/ingest/ingest-pool.js';
import { InputValidationError } from '../src/pool/input-error.js';
import { fixture, tempFile } from './support/fixtures.js';

describe('readTriplesFile', () => {
  it('reads TSV with a header and extra columns', async () => {
    const triples = await readTriplesFile(fixture('kg.tsv'));
    expect(triples).toHaveLength(7);
    expect(triples[0]).toEqual({ subject: 'Aarhus_Airport', predicate: 'cityServed', object: 'Aarhus', line: 2 });
  });

  it('reads JSONL objects and arrays', async () => {
    const path = await tempFile('kg.jsonl', '{"subject":"A_B","predicate":"p","object":"C"}\n["C","q","\\"D, E\\""]\n');
    const relations = toRelations(await readTriplesFile(path));
    expect(relations).toEqual([
      { subject: { key: 'a b', name: 'A B' }, predicate: 'p', object: { key: 'c', name: 'C' } },
      { subject: { key: 'c', name: 'C' }, predicate: 'q', object: { key: 'd e', name: 'D, E' } },
    ]);
  });

  it('names the line and field of a bad triple', async () => {
    const path = await tempFile('kg.jsonl', '{"subject":"A","predicate":"p","object":"B"}\n{"subject":"A","object":"B"}\n');
    const error = await readTriplesFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as Error).message).toMatch(/kg\.jsonl:2: field "predicate": is required/);
  });

  it('rejects an unknown extension', async () => {
    const path = await tempFile('kg.xml', '<rdf/>');
    await expect(readTriplesFile(path)).rejects.toThrow(/unknown knowledge-graph format ".xml"/);
  });
});
