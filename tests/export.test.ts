import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import type { StoredItem } from '../src/store/graph-store.js';
import { runKgal } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { modelSkipped } from './support/model.js';

/** The example news pool with metadata of every kind, and a text a CSV must quote. */
const EXAMPLES = readFileSync(join(__dirname, '..', 'examples', 'news-pool.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { id: string; text: string; label: string });
const POOL = EXAMPLES.map((row, i) => ({
  id: row.id,
  text: i === 0 ? `${row.text} He said: "more, and sooner",\nthen left.` : row.text,
  source: 'examples',
  rank: i,
  tags: ['news', `n${i % 3}`],
  nested: { desk: i % 2 === 0 ? 'a' : 'b', depth: { x: i } },
}));

async function itemsOf(dataDir: string): Promise<Map<string, StoredItem>> {
  const store = await MemoryGraphStore.open({ dataDir });
  try {
    return new Map((await store.listItems()).map((item) => [item.id, item]));
  } finally {
    await store.close();
  }
}

const labelsOf = (items: Map<string, StoredItem>): Record<string, string> =>
  Object.fromEntries([...items.values()].filter((i) => i.label !== undefined).map((i) => [i.id, i.label!]));

describe('kgal export round-trips through kgal ingest', () => {
  let dir: string;
  let source: string;
  let original: Map<string, StoredItem>;

  beforeAll(async () => {
    dir = await tempDir('kgal-export-');
    source = join(dir, 'source-store');
    const poolFile = join(dir, 'pool.jsonl');
    await writeFile(poolFile, POOL.map((row) => JSON.stringify(row)).join('\n') + '\n');
    expect(runKgal(['ingest', poolFile], { KGAL_DATA_DIR: source }).status).toBe(0);
    // Labels by two annotators, and a relabel: ex-001 ends as Tech by ann-2 with two events in its history.
    const labels = join(dir, 'labels.csv');
    await writeFile(
      labels,
      ['id,label,annotator', ...EXAMPLES.slice(0, 10).map((row, i) => `${row.id},${row.label},${i % 2 === 0 ? 'ann-1' : 'ann-2'}`)].join('\n') + '\n',
    );
    expect(runKgal(['label', labels], { KGAL_DATA_DIR: source }).status).toBe(0);
    const relabel = join(dir, 'relabel.csv');
    await writeFile(relabel, 'id,label,annotator\nex-001,Tech,ann-2\n');
    expect(runKgal(['label', relabel], { KGAL_DATA_DIR: source }).status).toBe(0);
    original = await itemsOf(source);
    expect(Object.keys(labelsOf(original))).toHaveLength(10);
  }, 300_000);

  it('JSONL: every labeled item with annotator, time and history; ingesting it into a fresh store reproduces labels and metadata', async () => {
    const out = join(dir, 'export.jsonl');
    const result = runKgal(['export', '--out', out], { KGAL_DATA_DIR: source });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`exported 10 labeled items as jsonl to ${out}`);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((r) => r.id)).toEqual(EXAMPLES.slice(0, 10).map((r) => r.id));
    const first = rows[0]!;
    expect(first).toMatchObject({ id: 'ex-001', text: POOL[0]!.text, label: 'Tech', annotator: 'ann-2', source: 'examples', rank: 0, tags: ['news', 'n0'], nested: { desk: 'a', depth: { x: 0 } } });
    expect((first.labelHistory as Array<{ label: string; annotator: string }>).map(({ label, annotator }) => [label, annotator])).toEqual([
      ['Business', 'ann-1'],
      ['Tech', 'ann-2'],
    ]);
    expect(first.labeledAt).toBe(original.get('ex-001')!.labeledAt);
    // stdout gives the same bytes as the file.
    expect(runKgal(['export'], { KGAL_DATA_DIR: source }).stdout).toBe(readFileSync(out, 'utf8'));

    const fresh = join(dir, 'from-jsonl');
    expect(runKgal(['ingest', out], { KGAL_DATA_DIR: fresh }).status).toBe(0);
    const copy = await itemsOf(fresh);
    expect(labelsOf(copy)).toEqual(labelsOf(original));
    for (const [id, item] of copy) {
      expect(item.text).toBe(original.get(id)!.text);
      expect(item.meta).toMatchObject(original.get(id)!.meta); // the original metadata, plus the export's annotation columns
    }
  }, 120_000);

  it('CSV: quoted texts, nested metadata as JSON text; ingesting it into a fresh store reproduces the labels', async () => {
    const out = join(dir, 'export.csv');
    expect(runKgal(['export', '--out', out], { KGAL_DATA_DIR: source }).status).toBe(0); // format from the extension
    const records = parseCsv(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual(['id', 'text', 'label', 'annotator', 'labeledAt', 'labelHistory', 'source', 'rank', 'tags', 'nested']);
    expect(records[0]).toMatchObject({ id: 'ex-001', text: POOL[0]!.text, label: 'Tech', annotator: 'ann-2', rank: '0', tags: '["news","n0"]' });
    expect(JSON.parse(records[0]!.labelHistory!)).toHaveLength(2);

    const fresh = join(dir, 'from-csv');
    expect(runKgal(['ingest', out], { KGAL_DATA_DIR: fresh }).status).toBe(0);
    const copy = await itemsOf(fresh);
    expect(labelsOf(copy)).toEqual(labelsOf(original));
    expect(copy.get('ex-001')!.text).toBe(POOL[0]!.text);
    expect(copy.get('ex-002')!.meta).toMatchObject({ source: 'examples', rank: '1', nested: '{"desk":"b","depth":{"x":1}}' });
  }, 120_000);

  it.skipIf(modelSkipped())("--predictions adds the model's label and probability for the unlabeled rest; the export still ingests to the same labels", async () => {
    expect(runKgal(['embed'], { KGAL_DATA_DIR: source, KGAL_ALLOW_REMOTE_MODELS: '0' }).status).toBe(0);
    const out = join(dir, 'predictions.jsonl');
    const result = runKgal(['export', '--predictions', '--out', out], { KGAL_DATA_DIR: source });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`exported 10 labeled items, ${POOL.length - 10} unlabeled items with predictions (model trained on 10) as jsonl`);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toHaveLength(POOL.length);
    const classes = new Set(Object.values(labelsOf(original)));
    for (const row of rows.filter((r) => r.label === undefined)) {
      expect(classes.has(row.predictedLabel as string)).toBe(true);
      expect(row.predictedProbability).toBeGreaterThan(1 / classes.size);
      expect(row.predictedProbability).toBeLessThanOrEqual(1);
    }
    expect(rows.filter((r) => r.label !== undefined).every((r) => r.predictedLabel === undefined)).toBe(true);
    const fresh = join(dir, 'from-predictions');
    expect(runKgal(['ingest', out], { KGAL_DATA_DIR: fresh }).status).toBe(0);
    expect(labelsOf(await itemsOf(fresh))).toEqual(labelsOf(original));
  }, 300_000);

  it('an output path that cannot be written is a clear error, and no file is left behind', async () => {
    const result = runKgal(['export', '--out', join(dir, 'missing', 'x.jsonl')], { KGAL_DATA_DIR: source });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^kgal: cannot write .*missing\/x\.jsonl: ENOENT$/m);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(runKgal(['export', '--format', 'xml'], { KGAL_DATA_DIR: source }).status).toBe(64);
  });
});
