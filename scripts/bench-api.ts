/**
 * HTTP load benchmark on loopback: `kgal serve` (a child process, as users run it) under autocannon, for
 * the query, label and item routes, with the embedded store and with Neo4j side by side in one run.
 * Prints a markdown table (docs/api.md).
 *
 *   npm run bench:api -- [--items 2000] [--duration 15] [--neo4j bolt://127.0.0.1:7687 --wipe-neo4j]
 *       [--synthetic-vectors] [--batch 10]
 *
 * The pool: the first --items WebNLG train texts (ids and texts only), real all-MiniLM-L6-v2 embeddings
 * (or seeded random unit vectors with --synthetic-vectors, when the model is not prepared), and one
 * labeled item in 40 (its WebNLG category) so a classifier and committee are trained on every query.
 * The Neo4j database given with --neo4j is wiped first, so --wipe-neo4j must be given too.
 * Routes:
 *   query  POST /v1/query {batchSize, strategy: kg-guided} (no annotator, so nothing is leased and every
 *          request selects from the same pool; queries run one at a time per process, so latency includes
 *          the wait behind other connections' queries)
 *   label  POST /v1/labels, one label per request, rotating over the unlabeled items (an annotator's submit)
 *   item   GET /v1/items/:id, rotating (the annotation tool showing an item with its explanation history)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { packageRoot } from '../src/config/package-paths.js';
import { embedPendingItems } from '../src/embeddings/embed-items.js';
import { embedderConfigFromEnv } from '../src/embeddings/embedder-config.js';
import { TransformersEmbedder } from '../src/embeddings/transformers-embedder.js';
import { ingestRows } from '../src/ingest/ingest-pool.js';
import { createRandom } from '../src/model/seeded-random.js';
import type { GraphStore } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { Neo4jGraphStore } from '../src/store/neo4j-store.js';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '15' },
    batch: { type: 'string', default: '10' },
    neo4j: { type: 'string' },
    'wipe-neo4j': { type: 'boolean', default: false },
    'synthetic-vectors': { type: 'boolean', default: false },
    data: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data', 'webnlg', 'webnlg_train.jsonl') },
  },
});
const itemCount = Number(flags.items);
const duration = Number(flags.duration);
const batchSize = Number(flags.batch);
if (flags.neo4j && !flags['wipe-neo4j']) {
  process.stderr.write('bench-api: --neo4j wipes that database first; add --wipe-neo4j to confirm\n');
  process.exit(64);
}

interface Row {
  id: string;
  text: string;
  category: string;
}
const rows: Row[] = readFileSync(flags.data, 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .slice(0, itemCount)
  .map((line) => JSON.parse(line) as Row);
const labeledRows = rows.filter((_, i) => i % 40 === 0);
const unlabeledIds = rows.filter((_, i) => i % 40 !== 0).map((r) => r.id);

async function preparePool(store: GraphStore): Promise<string> {
  await ingestRows(store, rows.map(({ id, text }) => ({ id, text })), { source: 'bench' });
  let vectors: string;
  if (flags['synthetic-vectors']) {
    const random = createRandom(1);
    await store.setEmbeddings(
      rows.map((r) => {
        const v = Float32Array.from({ length: 384 }, () => random.next() - 0.5);
        const norm = Math.hypot(...v);
        return { id: r.id, key: `synthetic:${r.id}`, vector: v.map((x) => x / norm) };
      }),
    );
    vectors = 'seeded random unit vectors';
  } else {
    const config = embedderConfigFromEnv();
    const embedder = await TransformersEmbedder.load(config);
    await embedPendingItems(store, embedder, { batchSize: config.batchSize });
    await embedder.dispose();
    vectors = `${config.model} embeddings`;
  }
  await store.setLabels(labeledRows.map((r) => ({ id: r.id, label: r.category })));
  return vectors;
}

async function startServer(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'src', 'cli', 'main.js'), 'serve', '--port', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'], // request logs (pino, info) are written as in production, then dropped
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('kgal serve did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Measurement {
  store: string;
  route: string;
  connections: number;
  requests: number;
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, route: string, connections: number): Promise<autocannon.Result> {
  let next = 0;
  const rotate = (): string => unlabeledIds[next++ % unlabeledIds.length]!;
  const request: autocannon.Request =
    route === 'query'
      ? { method: 'POST', path: '/v1/query', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batchSize, strategy: 'kg-guided' }) }
      : route === 'label'
        ? {
            method: 'POST',
            path: '/v1/labels',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ labels: [{ id: rotate(), label: 'Airport', annotator: 'bench' }] }) }),
          }
        : { method: 'GET', setupRequest: (req) => ({ ...req, path: `/v1/items/${encodeURIComponent(rotate())}` }) };
  return autocannon({ url, connections, duration, requests: [request] });
}

async function benchStore(name: string, env: NodeJS.ProcessEnv, port: number): Promise<Measurement[]> {
  const server = await startServer(env, port);
  const url = `http://127.0.0.1:${port}`;
  const results: Measurement[] = [];
  try {
    // Warm-up: JIT, the driver's connection pool, graph analytics.
    for (let i = 0; i < 3; i++) await fetch(`${url}/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batchSize, strategy: 'kg-guided' }) });
    for (const [route, connections] of [['query', 4], ['item', 8], ['label', 8]] as const) {
      process.stderr.write(`bench-api: ${name} ${route} (${connections} connections, ${duration} s)\n`);
      const result = await load(url, route, connections);
      results.push({
        store: name,
        route,
        connections,
        requests: result.requests.total,
        throughput: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx + result.timeouts,
      });
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  return results;
}

const measurements: Measurement[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'kgal-bench-api-'));
const memory = await MemoryGraphStore.open({ dataDir });
const vectors = await preparePool(memory);
await memory.close();
measurements.push(...(await benchStore('embedded', { KGAL_DATA_DIR: dataDir, NEO4J_URI: '' }, 18_081)));

if (flags.neo4j) {
  const neo4jStore = await Neo4jGraphStore.connect({ uri: flags.neo4j, database: process.env.NEO4J_DATABASE ?? 'neo4j' });
  await neo4jStore.clear();
  await preparePool(neo4jStore);
  await neo4jStore.close();
  measurements.push(...(await benchStore('Neo4j', { NEO4J_URI: flags.neo4j }, 18_082)));
}

const lines = [
  `Pool: ${rows.length} WebNLG texts, ${vectors}, ${labeledRows.length} labeled; query = kg-guided batch of ${batchSize} (the classifier is trained per query; kg-guided needs no committee); ${duration} s per row.`,
  '',
  '| store | route | connections | requests | req/s | p50 ms | p99 ms | errors |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
  ...measurements.map(
    (m) => `| ${m.store} | ${m.route} | ${m.connections} | ${m.requests} | ${m.throughput.toFixed(1)} | ${m.p50} | ${m.p99} | ${m.errors} |`,
  ),
];
process.stdout.write(lines.join('\n') + '\n');
