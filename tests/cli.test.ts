import { describe, expect, it } from 'vitest';
import { runKgal } from './support/cli.js';
import { fixture, tempDir, tempFile } from './support/fixtures.js';
import { connectNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';

const NO_STACK = /\n\s+at .+\(.*:\d+:\d+\)/;

describe('kgal CLI (embedded store)', () => {
  it('ingests, reports progress and counts, and re-ingest changes nothing', async () => {
    const env = { KGAL_DATA_DIR: await tempDir() };
    const first = runKgal(['ingest', fixture('pool-a.jsonl'), fixture('pool-b.csv'), '--kg', fixture('kg.tsv')], env);
    expect(first.stderr).toMatch(/pool-a\.jsonl: done, 4 in/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/items\s+7/);
    expect(first.stdout).toMatch(/KG relations\s+7/);
    const stats = JSON.parse(runKgal(['stats', '--json'], env).stdout) as Record<string, unknown>;
    expect(stats).toMatchObject({ items: 7, labeledItems: 4, relations: 7 });
    expect(stats.entities).toBeGreaterThanOrEqual(9);

    const again = runKgal(['ingest', fixture('pool-a.jsonl'), fixture('pool-b.csv'), '--kg', fixture('kg.tsv'), '--json'], env);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout).report).toMatchObject({ extracted: 0, unchanged: 7 });
    expect(JSON.parse(runKgal(['stats', '--json'], env).stdout)).toEqual(stats);
  });

  it('rejects a bad file with file, line and field, exit code 1, no stack trace, nothing written', async () => {
    const env = { KGAL_DATA_DIR: await tempDir() };
    expect(runKgal(['ingest', fixture('pool-a.jsonl')], env).status).toBe(0);
    const before = runKgal(['stats', '--json'], env).stdout;
    const bad = await tempFile('tickets.jsonl', '{"id":"t1","text":"fine"}\n{"id":"t2","text":null}\n');
    const result = runKgal(['ingest', bad], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('tickets.jsonl:2: field "text": must be a string');
    expect(result.stderr).toContain('nothing written');
    expect(result.stderr).not.toMatch(NO_STACK);
    expect(runKgal(['stats', '--json'], env).stdout).toBe(before);
  });

  it('takes a compromise lexicon and aliases from JSON files', async () => {
    const env = { KGAL_DATA_DIR: await tempDir() };
    const pool = await tempFile('p.jsonl', '{"id":"q1","text":"Workers at Turner Newall say the U.S. plant is closing."}\n');
    const lexicon = await tempFile('lexicon.json', '{"turner newall": "Organization", "u.s.": "Place"}');
    const aliases = await tempFile('aliases.json', '{"U.S.": "United States"}');
    const result = runKgal(['ingest', pool, '--lexicon', lexicon, '--aliases', aliases, '--json'], env);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).stats).toMatchObject({ items: 1, entities: 2, mentions: 2 });
    const badLexicon = await tempFile('lexicon.json', '{"acme": 3}');
    const rejected = runKgal(['ingest', pool, '--lexicon', badLexicon], env);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toContain('lexicon.json:1: field "acme": must be a non-empty string');
  });

  it('`kgal label` applies a label file, keeps history, and rejects bad rows or unknown ids whole', async () => {
    const env = { KGAL_DATA_DIR: await tempDir() };
    expect(runKgal(['ingest', fixture('pool-a.jsonl')], env).status).toBe(0);
    const labels = await tempFile('labels.csv', 'id,label,annotator\na4,Weather,ann-1\na1,Transport,\n');
    const ok = runKgal(['label', labels, '--json'], env);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ labeled: 2, relabeled: 1 }); // a1 was "Airport"
    const before = runKgal(['stats', '--json'], env).stdout;
    expect(JSON.parse(before).labels).toEqual({ City: 1, Transport: 1, Weather: 1 });

    const cases: Array<[string, string, string]> = [
      ['unknown.jsonl', '{"id":"a2","label":"Politics"}\n{"id":"zz","label":"X"}\n', 'unknown.jsonl:2: field "id": unknown item "zz"'],
      ['empty.csv', 'id,label\na2,Politics\na3,  \n', 'empty.csv:3: field "label": must not be empty'],
      ['missing.jsonl', '{"id":"a2"}\n', 'missing.jsonl:1: field "label": is required'],
      ['conflict.jsonl', '{"id":"a2","label":"A"}\n{"id":"a2","label":"B"}\n', 'conflict.jsonl:2: field "label": id "a2" labeled "A" at line 1 and "B" here'],
      ['columns.csv', 'id,category\na2,X\n', 'columns.csv:1: field "label": column is missing'],
    ];
    for (const [name, content, message] of cases) {
      const result = runKgal(['label', await tempFile(name, content)], env);
      expect(result.status, name).toBe(1);
      expect(result.stderr).toContain(message);
      expect(runKgal(['stats', '--json'], env).stdout).toBe(before);
    }
  });

  it('names a missing file', async () => {
    const result = runKgal(['ingest', '/nonexistent/pool.jsonl'], { KGAL_DATA_DIR: await tempDir() });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no such file: /nonexistent/pool.jsonl');
  });

  it('a Neo4j that is down gives a clear message with the URI, not a stack trace', () => {
    const result = runKgal(['stats', '--neo4j', 'bolt://127.0.0.1:1']);
    expect(result.status).toBe(2); // store unavailable (src/errors/kgal-error.ts)
    expect(result.stderr).toMatch(/cannot reach Neo4j at bolt:\/\/127\.0\.0\.1:1 \(database "neo4j"\)/);
    expect(result.stderr).not.toMatch(NO_STACK);
  });
});

/** A pool file whose second row's metadata nests `depth` levels deep (built as text: no recursion). */
function deepMetaFile(depth: number): Promise<string> {
  const deep = `{"id":"deep","text":"A text about Oslo.","meta":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  return tempFile('deep.jsonl', `{"id":"fine","text":"A fine text about Bergen."}\n${deep}\n`);
}

describe('kgal CLI: one error model (exit codes 0, 1 rejected, 2 store unavailable, 64 usage, 70 bug)', () => {
  it('--version prints the package version', () => {
    const result = runKgal(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('bad option values are usage errors (exit 64) that name the option, and write nothing', async () => {
    const env = { KGAL_DATA_DIR: await tempDir() };
    const cases: Array<[string[], RegExp]> = [
      [['ingest', '--batch-size', 'abc', fixture('pool-a.jsonl')], /--batch-size.*must be a positive integer/],
      [['ingest', '--batch-size', '0', fixture('pool-a.jsonl')], /--batch-size.*must be a positive integer/],
      [['ingest', '--batch-size', '-5', fixture('pool-a.jsonl')], /--batch-size/],
      [['query', '--weights', 'foo=1'], /--weights.*unknown weight "foo"/],
      [['query', '--seed', 'abc'], /--seed.*must be an integer/],
      [['model', '--members', '0'], /--members.*must be a positive integer/],
      [['serve', '--port', 'abc'], /--port.*must be a port number/],
      [['serve', '--port', '70000'], /--port.*must be a port number/],
      [['no-such-command'], /unknown command/],
    ];
    for (const [args, message] of cases) {
      const result = runKgal(args, env);
      expect(result.status, args.join(' ')).toBe(64);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(/unexpected error/);
    }
    const fromEnv: Array<[Record<string, string>, RegExp]> = [
      [{ KGAL_PORT: 'abc' }, /KGAL_PORT.*must be a port number/],
      [{ KGAL_LEASE_SECONDS: '0' }, /KGAL_LEASE_SECONDS must be a positive integer/],
      [{ KGAL_READ_KEY: 'r' }, /KGAL_READ_KEY needs KGAL_API_KEY/],
    ];
    for (const [vars, message] of fromEnv) {
      const result = runKgal(['serve'], { ...env, ...vars });
      expect(result.status, JSON.stringify(vars)).toBe(64);
      expect(result.stderr).toMatch(message);
    }
    expect(JSON.parse(runKgal(['stats', '--json', '--no-coverage'], env).stdout)).toMatchObject({ items: 0 });
  });

  it('kgal cypher takes names from cypher/explore or .cypher paths only, and never shows a file', async () => {
    const secret = await tempFile('hostname', 'secret-host-name-4711\n');
    for (const target of [secret, '../../../../etc/hostname']) {
      const result = runKgal(['cypher', target, '--neo4j', 'bolt://127.0.0.1:1']);
      expect(result.status).toBe(64);
      expect(result.stderr).toContain('not an exploration query');
      expect(result.stderr).not.toContain('secret-host-name-4711');
    }
  });

  it('a 5,000-deep meta in a file: exit 1 naming line and field, nothing written (embedded store)', async () => {
    const env = { KGAL_DATA_DIR: await tempDir() };
    expect(runKgal(['ingest', fixture('pool-a.jsonl')], env).status).toBe(0);
    const before = runKgal(['stats', '--json', '--no-coverage'], env).stdout;
    const result = runKgal(['ingest', await deepMetaFile(5000)], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/deep\.jsonl:2: field "meta(\.a)+": nested more than 32 levels deep/);
    expect(result.stderr).not.toMatch(NO_STACK);
    expect(runKgal(['stats', '--json', '--no-coverage'], env).stdout).toBe(before);
  });

  it('KGAL_LABELS applies to kgal ingest and kgal label (exit 1, line and label named, nothing written)', async () => {
    const env = { KGAL_DATA_DIR: await tempDir(), KGAL_LABELS: 'Airport,City,Weather' };
    expect(runKgal(['ingest', fixture('pool-a.jsonl')], env).status).toBe(0);
    const before = runKgal(['stats', '--json', '--no-coverage'], env).stdout;
    const pool = await tempFile('food.jsonl', '{"id":"f1","text":"Pizza in Naples.","label":"Food"}\n');
    const ingest = runKgal(['ingest', pool], env);
    expect(ingest.status).toBe(1);
    expect(ingest.stderr).toContain('food.jsonl:1: field "label": unknown label "Food" (allowed: Airport, City, Weather; KGAL_LABELS)');
    const labels = await tempFile('labels.jsonl', '{"id":"a2","label":"Food"}\n');
    const label = runKgal(['label', labels], env);
    expect(label.status).toBe(1);
    expect(label.stderr).toContain('labels.jsonl:1: field "label": unknown label "Food"');
    expect(runKgal(['stats', '--json', '--no-coverage'], env).stdout).toBe(before);
  });
});

describe.skipIf(neo4jSkipped())('kgal CLI on Neo4j: a bad row writes nothing', () => {
  it('a 5,000-deep meta after a good row: exit 1, the good row is not written either', async () => {
    const store = await connectNeo4jStore();
    try {
      await store.clear();
      const env = { NEO4J_URI: neo4jTestUri(), NEO4J_DATABASE: process.env.NEO4J_DATABASE ?? 'neo4j' };
      const result = runKgal(['ingest', '--batch-size', '1', await deepMetaFile(5000)], env);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/deep\.jsonl:2: field "meta(\.a)+": nested more than 32 levels deep/);
      expect((await store.stats()).items).toBe(0);
      expect(await store.getItem('fine')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
