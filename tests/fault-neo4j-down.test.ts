/**
 * Fault test: the Neo4j server dies (SIGKILL) in the middle of `kgal ingest`. kgal must say the store is
 * unavailable (exit 2, no "unexpected error"), and once Neo4j is back, re-running the same command must
 * finish the ingest with exactly the counts of a clean ingest: whole batches only, no duplicates. This test
 * starts a Neo4j of its own (scripts/neo4j-start.sh on a free port, its own folder), so killing it does not
 * touch the Neo4j the rest of the suite uses.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kgalBin, runKgal } from './support/cli.js';
import { sharedData, tempDir, tempFile } from './support/fixtures.js';
import { neo4jSkipped } from './support/neo4j.js';
import { freePort } from './support/serve.js';

const root = join(__dirname, '..');

describe.skipIf(neo4jSkipped())('Neo4j killed mid-ingest, then the ingest re-run', () => {
  let home: string;
  let port: number;
  let pool: string;
  const neo4jEnv = (): Record<string, string> => ({ KGAL_NEO4J_PORT: String(port), KGAL_NEO4J_HOME: home, KGAL_NEO4J_HEAP: '512m' });
  const startNeo4j = (fresh: boolean): void => {
    const started = spawnSync('bash', [join(root, 'scripts', 'neo4j-start.sh'), ...(fresh ? ['--fresh'] : [])], {
      env: { ...process.env, ...neo4jEnv() },
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (started.status !== 0) throw new Error(`neo4j-start failed: ${started.stderr}`);
  };
  const kgalEnv = (): Record<string, string> => ({ NEO4J_URI: `bolt://127.0.0.1:${port}`, NEO4J_DATABASE: 'neo4j' });

  beforeAll(async () => {
    home = await tempDir('kgal-neo4j-fault-');
    port = await freePort();
    startNeo4j(true);
    const lines = (await readFile(sharedData('webnlg', 'webnlg_train.jsonl'), 'utf8')).split('\n').filter((l) => l.trim() !== '').slice(0, 2500);
    pool = await tempFile('webnlg_2500.jsonl', lines.join('\n'));
  }, 240_000);

  afterAll(() => {
    spawnSync('bash', [join(root, 'scripts', 'neo4j-stop.sh')], { env: { ...process.env, ...neo4jEnv() }, timeout: 60_000 });
  });

  it('says the store is unavailable, and the re-run completes to a clean ingest\'s counts', { timeout: 300_000 }, async () => {
    // Kill Neo4j once the first batches are committed (the progress log says so).
    const child = spawn(process.execPath, [kgalBin, 'ingest', pool, '--batch-size', '100'], { env: { ...process.env, ...kgalEnv() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let killed = false;
    const pid = Number((await readFile(join(home, 'neo4j.pid'), 'utf8')).trim());
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!killed && /\b[1-9]\d{2,}\/2500\b/.test(stderr)) {
        killed = true;
        process.kill(pid, 'SIGKILL');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    expect(killed, `no progress line seen before the ingest ended: ${stderr}`).toBe(true);
    expect(status, stderr + stdout).toBe(2);
    expect(stderr).toMatch(/store unavailable/i);
    expect(stderr).not.toMatch(/unexpected/i);

    // Neo4j back (same database folder): the same command completes the ingest.
    startNeo4j(false);
    const rerun = runKgal(['ingest', pool, '--batch-size', '100'], kgalEnv());
    expect(rerun.status, rerun.stderr).toBe(0);
    const stats = JSON.parse(runKgal(['stats', '--json'], kgalEnv()).stdout) as Record<string, unknown>;

    // A clean ingest of the same file, on the embedded store, as the reference (the stores agree: contract tests).
    const dataDir = await tempDir('kgal-neo4j-fault-ref-');
    expect(runKgal(['ingest', pool], { KGAL_DATA_DIR: dataDir }).status).toBe(0);
    const reference = JSON.parse(runKgal(['stats', '--json'], { KGAL_DATA_DIR: dataDir }).stdout) as Record<string, unknown>;
    for (const key of ['items', 'entities', 'mentions', 'entityEdges', 'labeledItems']) {
      expect(stats[key], key).toBe(reference[key]);
    }
    expect(stats.items).toBe(2500);
  });
});
