/**
 * Selection latency at pool scale: kgal's `queryPool` (kg-guided and entropy presets) against modAL +
 * scikit-learn (ranked batch `uncertainty_batch_sampling` and `entropy_sampling`) on the SAME vectors and
 * the SAME labeled set, in one run. Prints a markdown table (docs/benchmarks.md).
 *
 *   KGAL_DATA_DIR=<dir> node dist/src/cli/main.js ingest ../shared/data/ag_news/ag_news_test.jsonl --embed   # once
 *   npx tsc -p . && node dist/scripts/bench-select.js --store <dir> [--sizes 10000,100000] [--labeled 200]
 *       [--batch 50] [--members 5] [--noise 0.01] [--seed 1] [--repeats 3] [--modal-timeout 900]
 *       [--out DIR] [--skip-modal] [--profile] [--per-query-graph] [--neo4j bolt://... (its database is wiped)]
 *       [--keep-neo4j (reuse the pool an earlier run built in --neo4j)] [--strategies kg-guided,entropy]
 *       [--child-timeout 1800 (seconds per kgal child; building 1M items in Neo4j takes longer)]
 *       [--relabel (then label each batch with its true labels and time the next query, --repeats times)]
 *   With --neo4j the children connect as the CLI does: KGAL_NEO4J_ITEM_CACHE=off measures a first query
 *   that reads everything over Bolt; by default a child finds the item files an earlier process wrote.
 *
 * The pool: AG News test items (--file, default ../shared/data/ag_news/ag_news_test.jsonl) with the
 * embeddings (all-MiniLM-L6-v2) and entity mentions that `kgal ingest --embed` stored in --store (opened
 * read-only). Pool row j is original item j mod n0; copy k = floor(j / n0) > 0 gets the id suffix `~k`,
 * the same mentions (so the entity graph keeps its entities, with k+1 times the co-occurrence weights) and
 * the original embedding plus seeded gaussian noise (σ = --noise per dimension), renormalised to unit
 * length. The labeled set is --labeled originals, stratified over the classes, seeded; everything else is
 * unlabeled. The largest pool is written to --out as pool.f32 (rows × dims float32) + pool.meta.json
 * (labeled rows and labels) for the Python side and pool.items.json for the kgal children; a size-N pool is
 * the first N rows.
 *
 * Every measurement runs in its own process, one after another, so each peak RSS (the kernel's high-water
 * mark: process.resourceUsage().maxRSS, Python's ru_maxrss) is its own:
 *   kgal:  this script with --child SIZE:STRATEGY builds a store of SIZE items (an in-memory MemoryGraphStore,
 *          or with --neo4j the given Neo4j, wiped first), runs `graph refresh` once (not with --per-query-graph), then
 *          runs queryPool({batchSize, strategy, members, seed, record: false}) once to warm up and
 *          --repeats times timed (medians reported; millis.load/graph/train/score/select as queryPool
 *          reports them). Its peak RSS includes building the store; rssBeforeMB is the RSS just before.
 *   modAL: scripts/reference/modal-select-bench.sh (pinned venv, OPENBLAS_CORETYPE/L2_SIZE unset for that
 *          process) per (size, method) with a --modal-timeout wall-clock limit: a run past it is reported
 *          as not finished, a run killed otherwise (SIGKILL: the OOM killer) as such.
 * The machine is shared: for each child the parent reports how many cores OTHER processes kept busy
 * meanwhile (/proc/stat busy time less the child's own CPU time, over its wall time), so noisy rows show.
 * Each kgal child also times the library calls behind queryPool's phases one by one (second of two passes,
 * so JIT warm-up is not counted): the phases table shows the classifier and committee fits from it, and
 * --profile prints all of it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeEntityGraph } from '../graph/refresh.js';
import { refreshEntityAnalytics } from '../src/analytics/graph-state.js';
import { packageRoot } from '../src/config/package-paths.js';
import { itemCacheDirFromEnv } from '../src/config/store-config.js';
import type { EntityType } from '../src/entities/entity-extractor.js';
import { trainCommittee } from '../src/model/committee.js';
import { predictProba, trainLogisticRegression } from '../src/model/logistic-regression.js';
import { rowOf, stackRows } from '../src/model/matrix.js';
import { loadEmbeddedPool, trainPoolModel } from '../src/model/pool-model.js';
import { predictProbaMany } from '../src/model/pool-probabilities.js';
import { createRandom, shuffled } from '../src/model/seeded-random.js';
import { loadRound } from '../src/selector/load-round.js';
import { STRATEGIES } from '../src/selector/registry.js';
import { roundContexts } from '../src/selector/round-context.js';
import { queryPool } from '../src/selector/query-pool.js';
import { uncertaintySampling } from '../src/selector/uncertainty-sampling.js';
import type { GraphStore, ItemUpsert } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { Neo4jGraphStore, type Neo4jConnection } from '../src/store/neo4j-store.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    file: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data', 'ag_news', 'ag_news_test.jsonl') },
    sizes: { type: 'string', default: '10000,100000' },
    labeled: { type: 'string', default: '200' },
    batch: { type: 'string', default: '50' },
    members: { type: 'string', default: '5' },
    noise: { type: 'string', default: '0.01' },
    seed: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '3' },
    'modal-timeout': { type: 'string', default: '900' },
    out: { type: 'string' },
    'skip-modal': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false }, // print the per-call breakdown of every kgal child
    // analyse the entity graph in every query instead of reading the analytics `kgal graph refresh` stored
    'per-query-graph': { type: 'boolean', default: false },
    // after the timed runs: label each batch (its true labels) and time the next query, --repeats times (the
    // learning loop: every query follows a label write, so nothing derived from the last listing is reused)
    relabel: { type: 'boolean', default: false },
    // build the kgal side's pool in this Neo4j (its database is WIPED) instead of the in-memory store
    neo4j: { type: 'string' },
    // with --neo4j: reuse the pool an earlier run built there (checked by a marker: size, seed, noise,
    // labeled rows) instead of wiping and rebuilding it; the build and graph refresh are then skipped, so
    // each child's first query is a fresh process's first query on a built store
    'keep-neo4j': { type: 'boolean', default: false },
    strategies: { type: 'string', default: 'kg-guided,entropy' },
    // wall-clock limit of each kgal child, seconds (a 1M-item Neo4j build alone runs past half an hour)
    'child-timeout': { type: 'string', default: '1800' },
    child: { type: 'string' },
  },
});

const batchSize = Number(values.batch);
const members = Number(values.members);
const seed = Number(values.seed);
const repeats = Number(values.repeats);

interface Mention {
  key: string;
  name: string;
  type: EntityType;
  count: number;
}
interface OriginalItem {
  id: string;
  text: string;
  label: string;
  fingerprint: string;
  mentions: Mention[];
}
interface PoolItems {
  originals: OriginalItem[];
  dims: number;
  rows: number;
  labeledRows: number[];
}

type Phases = { load: number; graph: number; train: number; score: number; select: number };
interface KgalResult {
  engine: 'kgal';
  size: number;
  strategy: string;
  candidates: number;
  trainedOn: number;
  picks: string[];
  /** sha1 of the batch's ids joined by commas, first 12 hex digits: equal hashes = identical picks in order. */
  picksHash: string;
  buildSeconds: number;
  /** `graph refresh` after building the store (0 with --per-query-graph). */
  refreshSeconds: number;
  graphSource: string;
  /** The warm-up query: first scoring session, density not cached yet, JIT cold. */
  firstQuery: Phases & { total: number };
  /** --relabel: each query right after labeling the previous batch (medians; labels added per run: the batch). */
  afterLabel?: Phases & { total: number; runs: number[] };
  runs: Array<Phases & { total: number }>;
  median: Phases & { total: number; scoreSelect: number; modelFree: number };
  rssBeforeMB: number;
  peakRssMB: number;
  profile: Record<string, number>;
  /** ms, median of the timed runs: `uncertaintySampling` (entropy) on the unlabeled rows' matrix with the fitted classifier, modAL entropy_sampling's counterpart. */
  matrixEntropySampling?: number;
  /** This process's CPU seconds (user + system), whole process. */
  cpuSeconds: number;
  /** Set by the parent: average number of cores other processes kept busy while this child ran. */
  otherCores?: number;
}
interface ModalResult {
  engine: 'modAL';
  method: 'ranked' | 'entropy';
  size: number;
  fitSeconds: number;
  firstFitSeconds: number;
  seconds: number;
  runs: number[];
  rssBeforeMB: number;
  peakRssMB: number;
  threadpool: Array<Record<string, unknown>>;
  cpuSeconds: number;
  otherCores?: number;
  versions: Record<string, string>;
  openblasEnv: Record<string, string | null>;
}
type Failure = { engine: string; method: string; size: number; failed: string };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mb = (bytes: number): number => bytes / 1024 / 1024;
const peakRssMB = (): number => process.resourceUsage().maxRSS / 1024; // maxRSS is in kilobytes

/** Pool rows [start, start + rows) of pool.f32: read chunk by chunk, so the build never holds the whole pool twice (its own copy and the store's). */
function readPoolRows(out: string, start: number, rows: number, dims: number): Float32Array {
  const data = new Float32Array(rows * dims);
  const fd = openSync(join(out, 'pool.f32'), 'r');
  try {
    const bytes = new Uint8Array(data.buffer);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, bytes.length - done, start * dims * 4 + done);
      if (n === 0) throw new Error(`pool.f32 is shorter than ${start + rows} rows`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return data;
}

/** Builds the in-memory store (or --neo4j's) of the first `size` pool rows; with --keep-neo4j reuses a matching one. */
async function buildStore(out: string, size: number): Promise<{ store: GraphStore; reused: boolean; marker?: unknown }> {
  const pool = JSON.parse(readFileSync(join(out, 'pool.items.json'), 'utf8')) as PoolItems;
  if (size > pool.rows) throw new Error(`size ${size} is larger than the exported pool (${pool.rows})`);
  const labeled = new Set(pool.labeledRows);
  const n0 = pool.originals.length;
  const store: GraphStore = values.neo4j ? await Neo4jGraphStore.connect(neo4jConnection(values.neo4j)) : await MemoryGraphStore.open();
  const marker = { size, rows: pool.rows, labeledRows: pool.labeledRows, refreshed: !values['per-query-graph'], meta: readFileSync(join(out, 'pool.meta.json'), 'utf8') };
  if (store instanceof Neo4jGraphStore && values['keep-neo4j'] && JSON.stringify(await store.getState(POOL_MARKER)) === JSON.stringify(marker)) {
    return { store, reused: true };
  }
  if (store instanceof Neo4jGraphStore) await store.clear();
  const buildStarted = performance.now();
  const chunk = 5000;
  for (let start = 0; start < size; start += chunk) {
    const vectors = readPoolRows(out, start, Math.min(size, start + chunk) - start, pool.dims);
    const upserts: ItemUpsert[] = [];
    const embeddings = [];
    for (let j = start; j < Math.min(size, start + chunk); j++) {
      const original = pool.originals[j % n0]!;
      const copy = Math.floor(j / n0);
      // Through JSON like ids read from a pool file: a template literal would leave a rope (cons string)
      // that every later comparison walks, which no ingested id is.
      const id = copy === 0 ? original.id : (JSON.parse(JSON.stringify(`${original.id}~${copy}`)) as string);
      const upsert: ItemUpsert = {
        id,
        text: original.text,
        meta: {},
        extraction: { fingerprint: `${original.fingerprint}~${copy}`, mentions: original.mentions },
      };
      if (labeled.has(j)) upsert.label = original.label;
      upserts.push(upsert);
      embeddings.push({ id, key: `bench-select~${copy}`, vector: vectors.subarray((j - start) * pool.dims, (j - start + 1) * pool.dims) });
    }
    await store.upsertItems(upserts);
    await store.setEmbeddings(embeddings);
    const done = Math.min(size, start + chunk);
    // Long work shows progress: a 1M-item Neo4j build runs for the better part of an hour.
    if (done % 50_000 === 0 || done === size) {
      console.error(`  build ${size}: ${done} items stored, ${((performance.now() - buildStarted) / 1000).toFixed(0)} s, RSS ${mb(process.memoryUsage().rss).toFixed(0)} MB`);
    }
  }
  return { store, reused: false, marker };
}

/**
 * --neo4j as the CLI and API connect (NEO4J_DATABASE, and the item file cache of KGAL_NEO4J_ITEM_CACHE:
 * a directory, `off`, or by default ~/.cache/kgal/neo4j-item-cache).
 */
function neo4jConnection(uri: string): Neo4jConnection {
  const connection: Neo4jConnection = { uri, database: process.env.NEO4J_DATABASE ?? 'neo4j' };
  const itemCacheDir = itemCacheDirFromEnv();
  if (itemCacheDir) connection.itemCacheDir = itemCacheDir;
  return connection;
}

/** KgalState name of what --keep-neo4j checks: the pool a run built in the Neo4j database. */
const POOL_MARKER = 'benchSelectPool';

/**
 * Where queryPool's time goes: its own stages, called one by one (loadRound, roundContexts, the strategy's
 * choose), plus the store listings and model calls inside the load stage, and the refresh analysis.
 */
async function profilePhases(store: GraphStore, strategy: 'kg-guided' | 'entropy'): Promise<Record<string, number>> {
  const t: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await fn();
    t[name] = performance.now() - start;
    return result;
  };
  await time('graph: store.listItemSummaries', () => store.listItemSummaries());
  await time('graph: store.listItemEntities', () => store.listItemEntities());
  const graph = await time('(refresh) store.getEntityGraph', () => store.getEntityGraph());
  await time('(refresh) analyzeEntityGraph (PageRank + Louvain)', () => analyzeEntityGraph(graph, { centrality: { measure: 'pagerank' } }));
  const chosen = STRATEGIES[strategy];
  const round = await time('stage 1: loadRound (graph, pool, model, probabilities, leases)', () => loadRound(store, { needs: chosen.needs, seed, members }));
  for (const [phase, millis] of Object.entries(round.millis)) t[`  loadRound ${phase}`] = millis;
  const pool = round.pool;
  const labeledRows = pool.labels.flatMap((label, row) => (label === undefined ? [] : [row]));
  const classNames = [...new Set(labeledRows.map((r) => pool.labels[r]!))].sort();
  const X = stackRows(labeledRows.map((r) => rowOf(pool.embeddings, r)), pool.embeddings.cols);
  const y = Int32Array.from(labeledRows, (r) => classNames.indexOf(pool.labels[r]!));
  const classifier = await time('  train: trainLogisticRegression (1 model)', () => trainLogisticRegression(X, y, { classes: classNames.length, C: 1 }));
  await time(`  train: trainCommittee (${members} members; only qbc, kl, bald)`, () => trainCommittee(X, y, { classes: classNames.length, C: 1, members, seed }));
  await time('  score: predictProba, JavaScript (whole pool)', () => predictProba(classifier, pool.embeddings));
  await time('  score: predictProbaMany, ONNX Runtime (whole pool)', () => predictProbaMany([classifier], pool.embeddings, { engine: 'onnx' }));
  const contextFor = roundContexts(round, {
    seed,
    batchSize,
    budget: 1000,
    state: { leasedIds: async () => new Set(), update: (name, update) => store.updateState(name, update) },
  });
  const context = await time('stage 2: roundContexts (candidates)', () => contextFor(new Set()));
  await time('  context: uncertainty (margin, whole pool)', () => context.uncertainty('margin'));
  const run = await time(`stage 3: ${strategy}.choose`, () => chosen.choose(context));
  t['  choose: evaluations'] = run.evaluations;
  return t;
}

/**
 * modAL's `entropy_sampling(learner, X_pool, n)` has this counterpart in kgal: `uncertaintySampling` over
 * the same unlabeled matrix with the same fitted classifier (the matrix is stacked once, untimed, as
 * modAL's X_pool is sliced before its timing).
 */
async function timeMatrixSampling(store: GraphStore): Promise<number> {
  const pool = await loadEmbeddedPool(store);
  const model = trainPoolModel(pool, { committee: false });
  if (model.status !== 'trained') throw new Error(`no model: ${model.reason}`);
  const unlabeledRows = pool.labels.flatMap((label, row) => (label === undefined ? [row] : []));
  const X = stackRows(unlabeledRows.map((row) => rowOf(pool.embeddings, row)), pool.embeddings.cols);
  const runs: number[] = [];
  for (let r = 0; r <= repeats; r++) {
    const start = performance.now();
    const picked = await uncertaintySampling(model.classifier, X, batchSize, { measure: 'entropy' });
    if (picked.indices.length !== batchSize) throw new Error(`uncertaintySampling returned ${picked.indices.length} rows`);
    if (r > 0) runs.push(performance.now() - start); // run 0 warms up
  }
  return median(runs);
}

async function runChild(spec: string, out: string): Promise<void> {
  const [sizeText, strategy] = spec.split(':');
  const size = Number(sizeText);
  if (strategy !== 'kg-guided' && strategy !== 'entropy') throw new Error(`--child SIZE:kg-guided|entropy, got ${spec}`);
  const started = performance.now();
  const { store, reused, marker } = await buildStore(out, size);
  const buildSeconds = reused ? 0 : (performance.now() - started) / 1000;
  const refreshStarted = performance.now();
  // What a deployment does after ingest (`kgal graph refresh`, POST /v1/graph/refresh): queries then
  // read the stored centrality and communities instead of analysing the graph each time.
  if (!values['per-query-graph'] && !reused) {
    console.error(`  graph refresh ${size} ...`);
    await refreshEntityAnalytics(store);
  }
  const refreshSeconds = values['per-query-graph'] || reused ? 0 : (performance.now() - refreshStarted) / 1000;
  if (marker !== undefined && store instanceof Neo4jGraphStore) await store.setState(POOL_MARKER, marker);
  const rssBeforeMB = mb(process.memoryUsage().rss);
  const runs: KgalResult['runs'] = [];
  let firstQuery: KgalResult['firstQuery'] | undefined;
  let last: Awaited<ReturnType<typeof queryPool>> | undefined;
  for (let r = 0; r <= repeats; r++) {
    const start = performance.now();
    const result = await queryPool(store, { batchSize, strategy, members, seed, record: false });
    const total = performance.now() - start;
    if (result.picks.length !== batchSize) throw new Error(`queryPool returned ${result.picks.length} picks`);
    if (result.coldStart) throw new Error(`queryPool fell back to cold start: ${result.coldStartReason}`);
    if (r > 0) runs.push({ ...result.millis, total });
    else firstQuery = { ...result.millis, total }; // run 0 warms up
    console.error(`  query ${r} (${r === 0 ? 'first' : 'timed'}): ${(total / 1000).toFixed(3)} s`);
    last = result;
  }
  const pick = (f: (run: KgalResult['runs'][number]) => number): number => median(runs.map(f));
  const result: KgalResult = {
    engine: 'kgal',
    size,
    strategy,
    candidates: last!.candidates,
    trainedOn: last!.model.trainedOn ?? 0,
    picks: last!.picks.slice(0, 10).map((p) => p.id),
    picksHash: createHash('sha1').update(last!.picks.map((p) => p.id).join(',')).digest('hex').slice(0, 12),
    buildSeconds,
    refreshSeconds,
    graphSource: last!.graphSource,
    firstQuery: firstQuery!,
    runs,
    profile: {},
    cpuSeconds: 0,
    median: {
      ...medianPhases(runs),
      scoreSelect: pick((m) => m.score + m.select),
      modelFree: pick((m) => m.load + m.graph),
    },
    rssBeforeMB,
    peakRssMB: peakRssMB(),
  };
  if (values.relabel) {
    result.afterLabel = await timeAfterLabeling(store, out, last!, strategy);
    result.peakRssMB = peakRssMB(); // the queries after labeling included
  }
  if (strategy === 'entropy') result.matrixEntropySampling = await timeMatrixSampling(store);
  await profilePhases(store, strategy); // warm-up pass (JIT), like the timed queryPool runs
  result.profile = await profilePhases(store, strategy);
  const cpu = process.cpuUsage();
  result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await store.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** --relabel: labels the last batch with its true labels, then times the next query; --repeats times. */
async function timeAfterLabeling(store: GraphStore, out: string, first: Awaited<ReturnType<typeof queryPool>>, strategy: 'kg-guided' | 'entropy'): Promise<NonNullable<KgalResult['afterLabel']>> {
  const pool = JSON.parse(readFileSync(join(out, 'pool.items.json'), 'utf8')) as PoolItems;
  const labelOf = new Map(pool.originals.map((o) => [o.id, o.label]));
  const runs: Array<Phases & { total: number }> = [];
  let batch = first;
  for (let r = 0; r < repeats; r++) {
    await store.setLabels(batch.picks.map((p) => ({ id: p.id, label: labelOf.get(p.id.replace(/~\d+$/, ''))! })));
    const start = performance.now();
    batch = await queryPool(store, { batchSize, strategy, members, seed, record: false });
    runs.push({ ...batch.millis, total: performance.now() - start });
    console.error(`  query after labeling ${r + 1}: ${(runs[r]!.total / 1000).toFixed(3)} s`);
  }
  return { ...medianPhases(runs), runs: runs.map((m) => m.total) };
}

/** Each phase's median over the timed runs (and the total's). */
function medianPhases(runs: ReadonlyArray<Phases & { total: number }>): Phases & { total: number } {
  const pick = (f: (run: Phases & { total: number }) => number): number => median(runs.map(f));
  return {
    load: pick((m) => m.load),
    graph: pick((m) => m.graph),
    train: pick((m) => m.train),
    score: pick((m) => m.score),
    select: pick((m) => m.select),
    total: pick((m) => m.total),
  };
}

/** CPU seconds all cores spent busy since boot (/proc/stat: everything but idle and iowait; USER_HZ = 100). */
function busySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return (total - fields[3]! - (fields[4] ?? 0)) / 100;
}

/** Other processes' average core use while a child ran: machine-wide busy time less the child's own CPU. */
function otherCores(busyBefore: number, wallSeconds: number, childCpu: number): number {
  return Math.max(0, (busySeconds() - busyBefore - childCpu) / wallSeconds);
}

/** Runs a command; resolves with its stdout, or with why it gave none (timeout, signal, exit code). */
function runProcess(command: string, args: string[], timeoutSeconds: number): Promise<{ stdout: string; failed?: string; seconds: number }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - start) / 1000;
      if (timedOut) resolve({ stdout, seconds, failed: `did not finish in ${timeoutSeconds} s (killed)` });
      else if (signal === 'SIGKILL') resolve({ stdout, seconds, failed: `killed by SIGKILL after ${seconds.toFixed(0)} s (out of memory?)` });
      else if (code !== 0) resolve({ stdout, seconds, failed: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
      else resolve({ stdout, seconds });
    });
  });
}

interface Source {
  originals: OriginalItem[];
  embeddings: Float32Array;
  dims: number;
  skipped: number;
}

async function readSource(file: string, storeDir: string): Promise<Source> {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { id: string; text: string; label: string });
  const store = await MemoryGraphStore.open({ dataDir: storeDir, readOnly: true });
  try {
    const embedded = await store.getEmbeddings();
    const rowById = new Map(embedded.ids.map((id, row) => [id, row]));
    const names = new Map((await store.getEntityGraph()).entities.map((e) => [e.key, e]));
    const fingerprints = await store.getFingerprints(rows.map((r) => r.id));
    const originals: OriginalItem[] = [];
    const dims = embedded.matrix.cols;
    const vectors: Float32Array[] = [];
    let skipped = 0;
    for (const row of rows) {
      const at = rowById.get(row.id);
      if (at === undefined) {
        skipped++;
        continue;
      }
      const mentions = (await store.getItemMentions(row.id)).map((m) => {
        const entity = names.get(m.key);
        return { key: m.key, name: entity?.name ?? m.key, type: (entity?.type ?? 'topic') as EntityType, count: m.count };
      });
      originals.push({ id: row.id, text: row.text, label: row.label, fingerprint: fingerprints.get(row.id) ?? row.id, mentions });
      vectors.push(rowOf(embedded.matrix, at));
    }
    if (originals.length === 0) throw new Error(`no item of ${file} has an embedding in ${storeDir}: run \`kgal ingest ... --embed\` first`);
    return { originals, embeddings: stackRows(vectors, dims).data, dims, skipped };
  } finally {
    await store.close();
  }
}

/** Stratified, seeded: ⌊L/C⌋ per class (the first L mod C classes one more), from shuffled originals. */
function chooseLabeled(originals: OriginalItem[], count: number): number[] {
  const classes = [...new Set(originals.map((o) => o.label))].sort();
  const rng = createRandom(`${seed}:labeled`);
  const chosen: number[] = [];
  classes.forEach((label, c) => {
    const quota = Math.floor(count / classes.length) + (c < count % classes.length ? 1 : 0);
    const rows = originals.flatMap((o, i) => (o.label === label ? [i] : []));
    if (rows.length < quota) throw new Error(`class ${label} has ${rows.length} items, ${quota} wanted`);
    chosen.push(...shuffled(rng, rows).slice(0, quota));
  });
  return chosen.sort((a, b) => a - b);
}

/** Rows 0..n0-1 are the originals; row j ≥ n0 is original j mod n0 plus N(0, σ²) noise, renormalised. */
function replicate(source: Source, rows: number, sigma: number): { data: Float32Array; meanCosToOriginal: number } {
  const { dims, embeddings } = source;
  const n0 = source.originals.length;
  const data = new Float32Array(rows * dims);
  const rng = createRandom(`${seed}:noise`);
  let spare: number | undefined;
  const gaussian = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - rng.next(); // (0, 1]
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  let cosSum = 0;
  for (let j = 0; j < rows; j++) {
    const o = j % n0;
    const src = embeddings.subarray(o * dims, (o + 1) * dims);
    const dst = data.subarray(j * dims, (j + 1) * dims);
    if (j < n0) {
      dst.set(src);
      continue;
    }
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const x = src[d]! + sigma * gaussian();
      dst[d] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    let dot = 0;
    for (let d = 0; d < dims; d++) {
      dst[d] = dst[d]! * inv;
      dot += dst[d]! * src[d]!;
    }
    cosSum += dot;
  }
  return { data, meanCosToOriginal: rows > n0 ? cosSum / (rows - n0) : 1 };
}

const s = (ms: number): string => (ms / 1000).toFixed(3);
const sec = (x: number): string => x.toFixed(3);

async function runParent(): Promise<void> {
  if (!values.store) throw new Error('usage: bench-select --store <kgal data dir made by `kgal ingest <jsonl> --embed`>');
  const sizes = values.sizes!.split(',').map(Number);
  const out = values.out ?? mkdtempSync(join(tmpdir(), 'kgal-bench-select-'));
  mkdirSync(out, { recursive: true });
  const loadBefore = loadavg();
  const startedAt = new Date();

  const source = await readSource(values.file!, values.store);
  const labeledRows = chooseLabeled(source.originals, Number(values.labeled));
  const rows = Math.max(...sizes);
  const { data, meanCosToOriginal } = replicate(source, rows, Number(values.noise));
  writeFileSync(join(out, 'pool.f32'), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const labeledLabels = labeledRows.map((r) => source.originals[r]!.label);
  writeFileSync(join(out, 'pool.meta.json'), JSON.stringify({ rows, dims: source.dims, labeledRows, labeledLabels, noise: Number(values.noise), seed }));
  const items: PoolItems = { originals: source.originals, dims: source.dims, rows, labeledRows };
  writeFileSync(join(out, 'pool.items.json'), JSON.stringify(items));
  console.error(
    `pool: ${source.originals.length} AG News items with embeddings (${source.skipped} without skipped), ${source.dims} dims, ` +
      `replicated to ${rows} rows (σ=${values.noise}, mean cos to original ${meanCosToOriginal.toFixed(4)}); ` +
      `${labeledRows.length} labeled (${[...new Set(labeledLabels)].map((l) => `${l} ${labeledLabels.filter((x) => x === l).length}`).join(', ')}); files in ${out}`,
  );

  const self = fileURLToPath(import.meta.url);
  const shell = join(packageRoot(), 'scripts', 'reference', 'modal-select-bench.sh');
  const timeout = Number(values['modal-timeout']);
  const kgal = new Map<string, KgalResult>();
  const modal = new Map<string, ModalResult | Failure>();
  for (const size of sizes) {
    for (const strategy of values.strategies.split(',')) {
      console.error(`kgal ${strategy} @ ${size} ...`);
      const args = [self, '--child', `${size}:${strategy}`, '--out', out, '--batch', `${batchSize}`, '--members', `${members}`, '--seed', `${seed}`, '--repeats', `${repeats}`];
      if (values.profile) args.push('--profile');
      if (values['per-query-graph']) args.push('--per-query-graph');
      if (values.relabel) args.push('--relabel');
      if (values.neo4j) args.push('--neo4j', values.neo4j);
      if (values['keep-neo4j']) args.push('--keep-neo4j');
      const busy = busySeconds();
      // The child gets this process's Node flags (--max-old-space-size for 1M pools).
      const run = await runProcess(process.execPath, [...process.execArgv, ...args], Number(values['child-timeout']));
      if (run.failed) throw new Error(`kgal ${strategy} @ ${size}: ${run.failed}`);
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as KgalResult;
      result.otherCores = otherCores(busy, run.seconds, result.cpuSeconds);
      kgal.set(`${size}:${strategy}`, result);
    }
    if (values['skip-modal']) continue;
    for (const method of ['entropy', 'ranked'] as const) {
      console.error(`modAL ${method} @ ${size} ...`);
      const args = [shell, '--vectors', join(out, 'pool.f32'), '--meta', join(out, 'pool.meta.json'), '--size', `${size}`, '--method', method, '--n-instances', `${batchSize}`, '--repeats', `${repeats}`];
      const busy = busySeconds();
      const run = await runProcess('bash', args, timeout);
      if (run.failed) modal.set(`${size}:${method}`, { engine: 'modAL', method, size, failed: run.failed });
      else {
        const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as ModalResult;
        result.otherCores = otherCores(busy, run.seconds, result.cpuSeconds);
        modal.set(`${size}:${method}`, result);
      }
    }
  }
  const loadAfter = loadavg();

  // ---- report
  const lines: string[] = [];
  const ok = (r: ModalResult | Failure | undefined): r is ModalResult => r !== undefined && !('failed' in r);
  const ratio = (kgalMs: number, modalSeconds: number | undefined, reference: string): string => {
    if (modalSeconds === undefined) return '';
    const r = kgalMs / 1000 / modalSeconds;
    return r <= 1 ? `${(1 / r).toFixed(1)}x faster than ${reference}` : `${r.toFixed(2)}x ${reference}'s time`;
  };
  lines.push('| pool | engine / strategy | time includes | seconds | peak RSS MB | vs modAL |');
  lines.push('|---:|---|---|---:|---:|---|');
  for (const size of sizes) {
    // Either may be missing (--strategies): its rows are left out.
    const kg = kgal.get(`${size}:kg-guided`);
    const en = kgal.get(`${size}:entropy`);
    const any = (kg ?? en)!;
    const ranked = modal.get(`${size}:ranked`);
    const ent = modal.get(`${size}:entropy`);
    const fit = ok(ent) ? ent.fitSeconds : ok(ranked) ? ranked.fitSeconds : undefined;
    const rankedTotal = ok(ranked) ? ranked.fitSeconds + ranked.seconds : undefined;
    const entTotal = ok(ent) ? ent.fitSeconds + ent.seconds : undefined;
    const N = size.toLocaleString('en-US');
    const peak = (r: KgalResult): string => r.peakRssMB.toFixed(0);
    const graphWord = any.graphSource === 'stored' ? 'graph (stored analytics)' : 'graph (analysed per query)';
    const onStore = values.neo4j ? ' on Neo4j' : '';
    if (kg) lines.push(`| ${N} | kgal kg-guided (K=${members})${onStore} | end to end: load + ${graphWord} + train (LR) + score (pool probabilities) + choose (margin shortlist, evidence, lazy greedy: coverage + diversity) | ${s(kg.median.total)} | ${peak(kg)} | ${ratio(kg.median.total, rankedTotal, 'modAL fit + ranked batch')} |`);
    if (kg) lines.push(`| ${N} | kgal kg-guided | given a trained model: score (pool probabilities) + choose | ${s(kg.median.scoreSelect)} | | ${ratio(kg.median.scoreSelect, ok(ranked) ? ranked.seconds : undefined, 'modAL ranked batch')} |`);
    if (en) lines.push(`| ${N} | kgal entropy${onStore} | end to end: load + ${graphWord} + train (LR) + score (pool probabilities, entropy) + select (top k) | ${s(en.median.total)} | ${peak(en)} | ${ratio(en.median.total, entTotal, 'modAL fit + entropy_sampling')} |`);
    if (en) lines.push(`| ${N} | kgal entropy | given a trained model: score (pool probabilities, entropy) + select | ${s(en.median.scoreSelect)} | | ${ratio(en.median.scoreSelect, ok(ent) ? ent.seconds : undefined, 'modAL entropy_sampling')} |`);
    if (en?.matrixEntropySampling !== undefined) {
      lines.push(`| ${N} | kgal uncertaintySampling (entropy) | the unlabeled matrix + fitted classifier → top ${batchSize} (modAL entropy_sampling's inputs and outputs) | ${s(en.matrixEntropySampling)} | | ${ratio(en.matrixEntropySampling, ok(ent) ? ent.seconds : undefined, 'modAL entropy_sampling')} |`);
    }
    lines.push(`| ${N} | kgal trainLogisticRegression | fit on the ${labeledRows.length} labeled (1 model, no committee) | ${s(any.profile['  train: trainLogisticRegression (1 model)']!)} | | |`);
    if (!values['skip-modal']) {
      lines.push(`| ${N} | sklearn LogisticRegression(C=1) | fit on the ${labeledRows.length} labeled (warm refit) | ${fit === undefined ? 'n/a' : sec(fit)} | | |`);
      lines.push(
        ok(ranked)
          ? `| ${N} | modAL uncertainty_batch_sampling | ranked batch of ${batchSize}, fitted learner | ${sec(ranked.seconds)} | ${ranked.peakRssMB.toFixed(0)} | reference |`
          : `| ${N} | modAL uncertainty_batch_sampling | ranked batch of ${batchSize}, fitted learner | ${ranked?.failed ?? 'n/a'} | | |`,
      );
      lines.push(
        ok(ent)
          ? `| ${N} | modAL entropy_sampling | top ${batchSize} by entropy, fitted learner | ${sec(ent.seconds)} | ${ent.peakRssMB.toFixed(0)} | reference |`
          : `| ${N} | modAL entropy_sampling | top ${batchSize} by entropy, fitted learner | ${ent?.failed ?? 'n/a'} | | |`,
      );
    }
  }
  lines.push('');
  lines.push('kgal phases (medians of the timed runs, seconds; first query = the warm-up run; RSS before = after building the store):');
  lines.push('');
  lines.push('| pool | strategy | load | graph | train | score | select | total | first query | RSS before MB | peak RSS MB | store build s | graph refresh s | other cores busy |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of sizes) {
    for (const strategy of ['kg-guided', 'entropy']) {
      const r = kgal.get(`${size}:${strategy}`);
      if (!r) continue;
      const m = r.median;
      lines.push(
        `| ${size.toLocaleString('en-US')} | ${strategy} | ${s(m.load)} | ${s(m.graph)} | ${s(m.train)} | ${s(m.score)} | ${s(m.select)} | ${s(m.total)} | ${s(r.firstQuery.total)} | ${r.rssBeforeMB.toFixed(0)} | ${r.peakRssMB.toFixed(0)} | ${r.buildSeconds.toFixed(1)} | ${r.refreshSeconds.toFixed(2)} | ${r.otherCores?.toFixed(2) ?? ''} |`,
      );
    }
  }
  if (!values['skip-modal']) {
    lines.push('');
    lines.push('modAL runs (seconds per timed run; RSS before = after loading the vectors and fitting):');
    lines.push('');
    for (const [key, r] of modal) {
      lines.push(ok(r) ? `- ${key}: runs ${r.runs.map(sec).join(', ')}; fit ${sec(r.fitSeconds)} (first ${sec(r.firstFitSeconds)}); RSS before ${r.rssBeforeMB.toFixed(0)} MB, peak ${r.peakRssMB.toFixed(0)} MB; other processes kept ${r.otherCores?.toFixed(2)} cores busy` : `- ${key}: ${r.failed}`);
    }
    const any = [...modal.values()].find(ok);
    if (any) {
      const blas = any.threadpool.map((p) => `${p.internal_api} ${p.version} (${p.architecture}, ${p.num_threads} threads)`).join('; ');
      lines.push(`- ${Object.entries(any.versions).map(([k, v]) => `${k} ${v}`).join(', ')}; BLAS: ${blas}; OPENBLAS env in the Python process: ${JSON.stringify(any.openblasEnv)}`);
    }
  }
  for (const r of kgal.values()) {
    const a = r.afterLabel;
    if (!a) continue;
    lines.push('');
    lines.push(
      `after labeling (${r.strategy} @ ${r.size}, --relabel): each query right after labeling the previous batch, median of ${a.runs.length}: ` +
        `load ${s(a.load)}, graph ${s(a.graph)}, train ${s(a.train)}, score ${s(a.score)}, select ${s(a.select)}, total ${s(a.total)} (runs ${a.runs.map((t) => s(t)).join(', ')}); peak RSS ${r.peakRssMB.toFixed(0)} MB`,
    );
  }
  if (values.profile) {
    for (const r of kgal.values()) {
      lines.push('');
      lines.push(`profile ${r.strategy} @ ${r.size} (ms):`);
      for (const [name, v] of Object.entries(r.profile ?? {})) lines.push(`- ${name}: ${v.toFixed(1)}`);
    }
  }
  lines.push('');
  lines.push(
    `${startedAt.toISOString()}; node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}; ` +
      `kgal: ${repeats} timed runs after 1 warm-up, batch ${batchSize}, seed ${seed}; picks kg-guided@${sizes[0]}: ${kgal.get(`${sizes[0]}:kg-guided`)?.picks.slice(0, 3).join(', ') ?? '-'}; ` +
      `picks hashes (sha1 of the batch's ids): ${[...kgal.values()].map((r) => `${r.strategy}@${r.size} ${r.picksHash}`).join(', ')}`,
  );
  writeFileSync(join(out, 'results.json'), JSON.stringify({ kgal: [...kgal.values()], modal: [...modal.values()], loadBefore, loadAfter }, null, 1));
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (values.child) await runChild(values.child, values.out!);
else await runParent();
