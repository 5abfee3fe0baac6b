import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { embedderConfigFromEnv } from '../src/embeddings/embedder-config.js';
import type { StoreStats } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { fixture, tempDir } from './support/fixtures.js';

const opsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'scripts', 'ops');
const NO_STACK = /\n\s+at .+\(.*:\d+:\d+\)/;

interface LogRecord {
  level: string;
  event: string;
  msg: string;
  [field: string]: unknown;
}

interface OpsResult {
  status: number | null;
  records: LogRecord[];
  stdout: string;
  stderr: string;
}

type OpsScript = 'ingest-dir' | 'reembed' | 'refresh-graph';

/** Runs a built ops script as cron would (no TTY); every stdout line must be one JSON log record. */
function runOps(script: OpsScript, args: string[], env: Record<string, string | undefined>): Promise<OpsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(opsDir, `${script}.js`), ...args], {
      env: { ...process.env, NEO4J_URI: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const lines = stdout.split('\n').filter((line) => line !== '');
      const records = args.includes('--help') ? [] : lines.map((line) => JSON.parse(line) as LogRecord);
      resolve({ status, records, stdout, stderr });
    });
  });
}

const events = (result: OpsResult, event: string): LogRecord[] => result.records.filter((r) => r.event === event);
const summaryOf = (result: OpsResult): LogRecord => {
  const last = result.records.at(-1)!;
  expect(last.event).toBe('summary');
  return last;
};

/** The store's counts, read in process (read-only: no lock taken). */
async function storeStats(dataDir: string): Promise<StoreStats> {
  const store = await MemoryGraphStore.open({ dataDir, readOnly: true });
  try {
    return await store.stats();
  } finally {
    await store.close();
  }
}

/** An inbox with two good pool files, one with a bad row (and a good one before it), and a file to ignore. */
async function inbox(): Promise<string> {
  const dir = join(await tempDir('kgal-ops-'), 'inbox');
  await mkdir(join(dir, 'sub.jsonl'), { recursive: true });
  await copyFile(fixture('pool-a.jsonl'), join(dir, '01-pool-a.jsonl'));
  await copyFile(fixture('pool-b.csv'), join(dir, '02-pool-b.csv'));
  await writeFile(join(dir, '03-bad.jsonl'), '{"id":"c1","text":"Aarhus again."}\n{"id":"c2","text":null}\n');
  await writeFile(join(dir, 'notes.txt'), 'not a pool file\n');
  return dir;
}

describe('ops scripts (embedded store)', () => {
  it('ingest-dir: good files go in and move to the done folder; a bad file writes nothing, stays, and is named with line and field', async () => {
    const dir = await inbox();
    const done = join(dirname(dir), 'done');
    const env = { KGAL_DATA_DIR: join(dirname(dir), 'data') };

    const first = await runOps('ingest-dir', [dir, '--kg', fixture('kg.tsv'), '--done-dir', done], env);
    expect(first.status).toBe(1);
    expect(first.stderr).toBe('');
    expect(first.stdout).not.toMatch(NO_STACK);
    expect(events(first, 'start')[0]).toMatchObject({ files: 3, store: 'embedded', dataDir: env.KGAL_DATA_DIR });
    expect(events(first, 'kg')[0]).toMatchObject({ file: 'kg.tsv', relations: 7 });
    expect(events(first, 'file').map((r) => [r.file, r.status, r.rows, r.extracted])).toEqual([
      ['01-pool-a.jsonl', 'ingested', 4, 4],
      ['02-pool-b.csv', 'ingested', 3, 3],
    ]);
    for (const record of events(first, 'file')) expect(record.millis).toEqual(expect.any(Number));
    const [rejected] = events(first, 'rejected');
    expect(rejected).toMatchObject({ level: 'error', file: '03-bad.jsonl', line: 2, field: 'text' });
    expect(rejected!.msg).toBe('03-bad.jsonl:2: field "text": must be a string');
    expect(summaryOf(first)).toMatchObject({ exitCode: 1, files: 3, ingested: 2, rejected: 1, moved: 2, rows: 7 });

    expect((await readdir(dir)).sort()).toEqual(['03-bad.jsonl', 'notes.txt', 'sub.jsonl']);
    expect((await readdir(done)).sort()).toEqual(['01-pool-a.jsonl', '02-pool-b.csv']);
    const stats = await storeStats(env.KGAL_DATA_DIR);
    expect(stats).toMatchObject({ items: 7, relations: 7 }); // c1, the good row of the bad file, is not there

    // The next cron run: the bad file is reported again, nothing else changes.
    const again = await runOps('ingest-dir', [dir, '--kg', fixture('kg.tsv'), '--done-dir', done], env);
    expect(again.status).toBe(1);
    expect(summaryOf(again)).toMatchObject({ files: 1, ingested: 0, rejected: 1 });
    expect(await storeStats(env.KGAL_DATA_DIR)).toEqual(stats);

    // Once it is removed there is nothing to do; a re-delivered file changes nothing and is kept beside the first.
    await rm(join(dir, '03-bad.jsonl'));
    const idle = await runOps('ingest-dir', [dir, '--done-dir', done], env);
    expect(idle.status).toBe(0);
    expect(summaryOf(idle)).toMatchObject({ exitCode: 0, files: 0 });
    await copyFile(fixture('pool-a.jsonl'), join(dir, '01-pool-a.jsonl'));
    const redelivered = await runOps('ingest-dir', [dir, '--done-dir', done], env);
    expect(redelivered.status).toBe(0);
    expect(events(redelivered, 'file')[0]).toMatchObject({ rows: 4, extracted: 0, unchanged: 4 });
    expect(await storeStats(env.KGAL_DATA_DIR)).toEqual(stats);
    const kept = (await readdir(done)).sort();
    expect(kept).toHaveLength(3);
    expect(kept.filter((name) => /^01-pool-a\.\d{8}T\d{6}Z\.jsonl$/.test(name))).toHaveLength(1);
  });

  it('ingest-dir --pattern and --dry-run validate without a store or moves; a bad --kg rejects the whole run', async () => {
    const dir = await inbox();
    const env = { KGAL_DATA_DIR: join(dirname(dir), 'data') };
    const done = join(dirname(dir), 'done');

    const good = await runOps('ingest-dir', [dir, '--dry-run', '--pattern', '0?-pool-a.*', '--pattern', '*.csv', '--done-dir', done], env);
    expect(good.status).toBe(0);
    expect(events(good, 'file').map((r) => [r.file, r.status, r.rows])).toEqual([
      ['01-pool-a.jsonl', 'valid', 4],
      ['02-pool-b.csv', 'valid', 3],
    ]);
    const all = await runOps('ingest-dir', [dir, '--dry-run', '--kg', fixture('kg.tsv')], env);
    expect(all.status).toBe(1);
    expect(events(all, 'rejected')[0]).toMatchObject({ file: '03-bad.jsonl', line: 2, field: 'text' });
    expect(events(all, 'file')).toHaveLength(2);
    expect(existsSync(env.KGAL_DATA_DIR)).toBe(false);
    expect(existsSync(done)).toBe(false);
    expect(await readdir(dir)).toHaveLength(5);

    // A bad KG would change how every file links: the run ingests nothing and moves nothing.
    const badKg = join(dirname(dir), 'bad-kg.tsv');
    await writeFile(badKg, 'Aarhus\tcountry\tDenmark\nAarhus\tknows\n');
    const rejected = await runOps('ingest-dir', [dir, '--kg', badKg, '--done-dir', done], env);
    expect(rejected.status).toBe(1);
    expect(events(rejected, 'rejected')).toMatchObject([{ file: 'bad-kg.tsv', line: 2 }]);
    expect(events(rejected, 'file')).toHaveLength(0);
    expect(summaryOf(rejected)).toMatchObject({ exitCode: 1, rejected: 1, ingested: 0, moved: 0 });
    expect(await readdir(dir)).toHaveLength(5);
    expect((await storeStats(env.KGAL_DATA_DIR)).items).toBe(0);
  });

  it('ingest-dir applies the input limits and KGAL_LABELS like kgal ingest: the file is rejected (exit 1), nothing from it written', async () => {
    const dir = join(await tempDir('kgal-ops-'), 'inbox');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '01-deep.jsonl'), `{"id":"ok","text":"Fine."}\n{"id":"d","text":"Deep.","meta":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}\n`);
    await writeFile(join(dir, '02-food.jsonl'), '{"id":"f","text":"Pizza in Naples.","label":"Food"}\n');
    const env = { KGAL_DATA_DIR: join(dirname(dir), 'data'), KGAL_LABELS: 'City,Airport' };
    const result = await runOps('ingest-dir', [dir], env);
    expect(result.status).toBe(1);
    expect(events(result, 'rejected')).toMatchObject([
      { file: '01-deep.jsonl', line: 2, field: expect.stringMatching(/^meta(\.a)+$/), message: expect.stringContaining('nested more than 32 levels deep') },
      { file: '02-food.jsonl', line: 1, field: 'label', message: expect.stringContaining('unknown label "Food"') },
    ]);
    expect(result.stdout).not.toMatch(NO_STACK);
    expect(summaryOf(result)).toMatchObject({ exitCode: 1, rejected: 2, ingested: 0 });
  });

  it('refresh-graph writes the entity analytics; ingest-dir --refresh does too', async () => {
    const dir = await inbox();
    await rm(join(dir, '03-bad.jsonl'));
    const env = { KGAL_DATA_DIR: join(dirname(dir), 'data') };
    const ingest = await runOps('ingest-dir', [dir, '--kg', fixture('kg.tsv'), '--refresh'], env);
    expect(ingest.status).toBe(0);
    expect(events(ingest, 'refresh')).toHaveLength(1);

    const refresh = await runOps('refresh-graph', ['--centrality', 'degree'], env);
    expect(refresh.status).toBe(0);
    const [report] = events(refresh, 'refresh');
    expect(report).toMatchObject({ measure: 'degree', entities: expect.any(Number), communities: expect.any(Number) });
    const store = await MemoryGraphStore.open({ dataDir: env.KGAL_DATA_DIR, readOnly: true });
    try {
      const analytics = await store.getEntityAnalytics();
      expect(analytics).toMatchObject({ measure: 'degree', graphVersion: await store.graphVersion() });
      expect(analytics!.rows).toHaveLength((await store.stats()).entities);
      expect(report!.entities).toBe(analytics!.rows.length);
    } finally {
      await store.close();
    }
  });

  it('store unavailable (Neo4j not listening, embedded store locked): exit 2, a clear message, inputs left alone', async () => {
    const dir = await inbox();
    await rm(join(dir, '03-bad.jsonl'));
    const env = { KGAL_DATA_DIR: join(dirname(dir), 'data') };
    const neo4j = { ...env, NEO4J_URI: 'bolt://127.0.0.1:1' };
    const unreachable = await Promise.all([
      runOps('ingest-dir', [dir, '--done-dir', join(dirname(dir), 'done')], neo4j),
      runOps('refresh-graph', [], neo4j),
      runOps('reembed', [], neo4j),
    ]);
    for (const result of unreachable) {
      expect(result.status).toBe(2);
      expect(events(result, 'store-unavailable')[0]!.msg).toContain('cannot reach Neo4j at bolt://127.0.0.1:1');
      expect(result.stdout).not.toMatch(NO_STACK);
      expect(summaryOf(result).exitCode).toBe(2);
    }
    expect(await readdir(dir)).toHaveLength(4);

    // A live process (this test) holds the embedded store's writer lock.
    const holder = await MemoryGraphStore.open({ dataDir: env.KGAL_DATA_DIR });
    try {
      const locked = await runOps('ingest-dir', [dir], env);
      expect(locked.status).toBe(2);
      expect(events(locked, 'store-unavailable')[0]!.msg).toContain(`in use by process ${process.pid}`);
    } finally {
      await holder.close();
    }
  });

  it('model unavailable: reembed exits 3 and says to run `npm run model`; ingest-dir --embed still ingests and refreshes', async () => {
    const dir = await inbox();
    await rm(join(dir, '03-bad.jsonl'));
    const env = { KGAL_DATA_DIR: join(dirname(dir), 'data'), KGAL_MODEL_DIR: await tempDir(), KGAL_ALLOW_REMOTE_MODELS: '0' };
    const reembed = await runOps('reembed', [], env);
    expect(reembed.status).toBe(3);
    expect(events(reembed, 'model-unavailable')[0]!.msg).toContain('npm run model');
    expect(reembed.stdout).not.toMatch(NO_STACK);

    const ingest = await runOps('ingest-dir', [dir, '--embed', '--refresh', '--done-dir', join(dirname(dir), 'done')], env);
    expect(ingest.status).toBe(3);
    expect(events(ingest, 'file')).toHaveLength(2);
    expect(events(ingest, 'moved')).toHaveLength(2);
    expect(events(ingest, 'model-unavailable')).toHaveLength(1);
    expect(events(ingest, 'refresh')).toHaveLength(1);
    expect(await storeStats(env.KGAL_DATA_DIR)).toMatchObject({ items: 7, embeddedItems: 0 });
  });

  it('usage errors exit 64 with one log line; --help prints the usage', async () => {
    const dir = await inbox();
    const env = { KGAL_DATA_DIR: join(dirname(dir), 'data') };
    const cases: Array<[OpsScript, string[], string]> = [
      ['ingest-dir', [dir, '--bogus'], "Unknown option '--bogus'"],
      ['ingest-dir', [join(dir, 'missing')], 'no such directory'],
      ['ingest-dir', [dir, '--batch-size', 'many'], '--batch-size must be a positive integer'],
      ['ingest-dir', [dir, '--done-dir', dir], '--done-dir must differ'],
      ['refresh-graph', ['--centrality', 'fame'], '--centrality must be one of'],
      ['reembed', ['extra'], 'unexpected argument(s): extra'],
    ];
    // Independent processes: run them side by side to keep the suite short.
    const results = await Promise.all(cases.map(([script, args]) => runOps(script, args, env)));
    cases.forEach(([, , message], i) => {
      const result = results[i]!;
      expect(result.status, message).toBe(64);
      expect(events(result, 'usage')[0]!.msg).toContain(message);
      expect(summaryOf(result).exitCode).toBe(64);
    });
    expect(existsSync(env.KGAL_DATA_DIR)).toBe(false);
    const help = await runOps('ingest-dir', ['--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: ingest-dir <dir>/);
  });

  const config = embedderConfigFromEnv();
  const modelPresent = existsSync(join(config.modelDir, config.model, 'onnx', 'model.onnx'));
  it.skipIf(!modelPresent)('with the model: ingest-dir --embed embeds the new items, reembed then has nothing to do', async () => {
    const dir = await inbox();
    await rm(join(dir, '03-bad.jsonl'));
    const env = { KGAL_DATA_DIR: join(dirname(dir), 'data') };
    const ingest = await runOps('ingest-dir', [dir, '--embed'], env);
    expect(ingest.status).toBe(0);
    expect(events(ingest, 'embed')[0]).toMatchObject({ embedded: 7, upToDate: 0 });
    const reembed = await runOps('reembed', [], env);
    expect(reembed.status).toBe(0);
    expect(summaryOf(reembed)).toMatchObject({ exitCode: 0, embedded: 0, upToDate: 7 });
  });
});
