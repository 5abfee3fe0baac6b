import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CENTRALITY_MEASURES, type CentralityMeasure } from '../../graph/centrality.js';
import { ANALYTICS_ENGINES, type AnalyticsEngine } from '../analytics/gds-engine.js';
import { loadGraphState, refreshEntityAnalytics } from '../analytics/graph-state.js';
import { campaignStopSignal } from '../campaign/campaign-view.js';
import { PRESETS, parseWeights, type PresetName } from '../selector/presets.js';
import { queryPool, type QueryResult } from '../selector/query-pool.js';
import type { KnowledgeRoom } from '../selector/strategy.js';
import { createApp, embeddingWorkerOf } from '../api/app.js';
import { allowedLabelsFromEnv, serveConfigFromEnv } from '../api/serve-config.js';
import { storeConfigFromEnv } from '../config/store-config.js';
import type { EmbedItemsReport } from '../embeddings/embed-items.js';
import { embedStoreWithLocalModel } from '../embeddings/embed-store.js';
import { embedderConfigFromEnv, type EmbedderConfig } from '../embeddings/embedder-config.js';
import { ModelUnavailableError } from '../embeddings/text-embedder.js';
import { WorkerEmbedder } from '../embeddings/worker-embedder.js';
import { ensureModelAtServe, type EnsureModelResult } from '../embeddings/ensure-model.js';
import { classifyError, EXIT, KgalError } from '../errors/kgal-error.js';
import { packageRoot } from '../config/package-paths.js';
import { TransformersEmbedder } from '../embeddings/transformers-embedder.js';
import { buildExtractor, EXTRACTORS, readExtractorConfig } from '../entities/extractor-config.js';
import { loadEmbeddedPool, trainPoolModel } from '../model/pool-model.js';
import { listExplorationQueries, parseParameterAssignments, readExplorationQuery } from '../explore/exploration-query.js';
import { Neo4jGraphStore } from '../store/neo4j-store.js';
import { applyLabelFile } from '../ingest/apply-labels.js';
import { ingestPool, DEFAULT_INGEST_BATCH } from '../ingest/ingest-pool.js';
import { StoreUnavailableError, type GraphStore, type StoreStats } from '../store/graph-store.js';
import { openStore } from '../store/open-store.js';
import { readServerAddress, StoreLockedError, writeServerAddress } from '../store/store-lock.js';
import { embedViaServer } from './embed-via-server.js';
import { registerExportCommand } from './export-command.js';
import { registerSimulateCommand } from './simulate-command.js';
import { registerLabelStudioCommand } from './labelstudio-command.js';
import { terminalProgress } from './terminal-progress.js';

interface StoreFlags {
  neo4j?: string;
  dataDir?: string;
}

function addStoreOptions(command: Command): Command {
  return command
    .option('--neo4j <uri>', 'use the Neo4j store at this Bolt URI (default: $NEO4J_URI, else the embedded store)')
    .option('--data-dir <dir>', 'embedded store directory (default: $KGAL_DATA_DIR or ./.kgal)');
}

async function withStore<T>(flags: StoreFlags, readOnly: boolean, work: (store: GraphStore) => Promise<T>): Promise<T> {
  const overrides: { neo4jUri?: string; dataDir?: string } = {};
  if (flags.neo4j) overrides.neo4jUri = flags.neo4j;
  if (flags.dataDir) overrides.dataDir = flags.dataDir;
  const store = await openStore(storeConfigFromEnv(process.env, overrides), { readOnly });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function embedStore(store: GraphStore): Promise<EmbedItemsReport> {
  const { model: _model, ...report } = await embedStoreWithLocalModel(store, embedderConfigFromEnv(), terminalProgress());
  return report;
}

function formatTable(columns: string[], rows: Array<Record<string, unknown>>): string {
  const cell = (value: unknown): string =>
    value === null || value === undefined ? '' : typeof value === 'number' && !Number.isInteger(value) ? value.toPrecision(4) : typeof value === 'string' ? value : JSON.stringify(value);
  const table = [columns, ...rows.map((row) => columns.map((c) => cell(row[c])))];
  const widths = columns.map((_, i) => Math.min(60, Math.max(...table.map((r) => r[i]!.length))));
  const lines = table.map((r) => r.map((v, i) => (v.length > widths[i]! ? v.slice(0, widths[i]! - 1) + '…' : v.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return `${lines.join('\n')}\n(${rows.length} rows)\n`;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** Integers only: `abc`, `1.5`, `1e3x` and empty strings are usage errors (exit 64), not NaN. */
function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be an integer');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

function weightList(value: string): string {
  try {
    parseWeights(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

function formatQuery(result: QueryResult): string {
  const lines = [
    `${result.strategy}${result.fallback ? ` (fallback: ${result.fallback.reason})` : result.coldStart ? ` (${result.coldStartReason})` : ''}: ${result.picks.length} of ${result.candidates} candidates` +
      (result.round !== undefined ? `, round ${result.round}` : ''),
  ];
  if (result.knowledgeRoom) lines.push(formatKnowledgeRoom(result.knowledgeRoom, result.candidates));
  if (result.bandit) {
    lines.push(`bandit arms: ${result.bandit.arms.map((a) => `${a.arm} ${a.probability.toFixed(3)}`).join(', ')}`);
    const anchor = result.bandit.anchor;
    if (anchor) {
      const leads = Object.entries(anchor.leads).map(([arm, z]) => `${arm} z=${z.toFixed(1)}`).join(', ');
      lines.push(`anchor: ${anchor.arm} (${Math.round(100 * anchor.share)} % of draws; moves when an arm leads by z > ${anchor.switchZ}: ${leads})`);
    }
  }
  for (const pick of result.picks) {
    const parts = Object.entries(pick.components).map(([name, c]) => `${name} ${c.normalized.toFixed(2)}`);
    const gaps = pick.entities.slice(0, 3).map((e) => `${e.name} (c=${e.centrality.toExponential(1)}, n=${e.coverageBefore})`);
    const via = pick.strategy !== result.strategy ? `  via ${pick.strategy}` : '';
    lines.push(`${String(pick.rank).padStart(3)}. ${pick.id}  score ${pick.score.toFixed(3)}  [${parts.join(', ')}]${via}`);
    lines.push(`     ${pick.text.slice(0, 100)}${pick.text.length > 100 ? '…' : ''}`);
    if (gaps.length > 0) lines.push(`     fills: ${gaps.join('; ')}`);
    if (pick.prediction) lines.push(`     model predicts: ${pick.prediction.label} (${(100 * pick.prediction.probability).toFixed(0)} %)`);
  }
  return lines.join('\n') + '\n';
}

/** kg-guided's room for knowledge in one line: how many uncertain candidates it chose among, and why that many. */
export function formatKnowledgeRoom(room: KnowledgeRoom, candidates: number): string {
  const { evidence, evidenceThreshold } = room;
  if (evidence === undefined) return `room for knowledge: the ${room.shortlist} most uncertain of ${candidates} candidates (shortlist ${room.factor} × batch, as asked)`;
  const s = `entity–label evidence s = ${evidence.toFixed(2)}`;
  if (room.factor <= 1) return `room for knowledge: none, the batch is margin's (${s}, room from s > ${evidenceThreshold})`;
  const capped = room.capped ? ', capped by the pool size' : '';
  return `room for knowledge: the ${room.shortlist} most uncertain of ${candidates} candidates (${room.factor.toFixed(1)} × batch earned by ${s}${capped})`;
}

function formatStats(stats: StoreStats): string {
  const rows: Array<[string, string]> = [
    ['items', String(stats.items)],
    ['labeled items', String(stats.labeledItems)],
    ['embedded items', String(stats.embeddedItems)],
    ['entities', String(stats.entities)],
    ['mentions', String(stats.mentions)],
    ['entity edges (co-occurrence)', String(stats.entityEdges)],
    ['KG relations', String(stats.relations)],
    ['selection rounds', String(stats.rounds)],
  ];
  const labels = Object.entries(stats.labels).map(([label, n]) => `${label}=${n}`).join(', ');
  if (labels) rows.push(['labels', labels]);
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

export function buildProgram(): Command {
  const program = new Command()
    .name('kgal')
    .description('Knowledge-graph-guided active learning: choose the next texts to label.')
    .showHelpAfterError()
    // Options belong to the command they follow (`simulate report` repeats some of `simulate`'s names);
    // commander needs this on every level above such a subcommand.
    .enablePositionalOptions()
    .version(packageVersion(), '-V, --version', 'print the kgal version');

  addStoreOptions(
    program
      .command('ingest')
      .description('ingest pool files (JSONL/CSV rows {id, text, label?, ...}) into the store')
      .argument('<files...>', 'pool files (.jsonl, .ndjson, .csv)')
      .option('--kg <triples>', 'external knowledge graph: TSV subject<TAB>predicate<TAB>object, or JSONL')
      .option('--lexicon <json>', 'compromise lexicon: {"phrase": "Organization" | "Person" | "Place" | ...}')
      .option('--aliases <json>', 'entity aliases: {"alias": "canonical name"}')
      .option('--extractor <name>', `entity extractor: ${EXTRACTORS.join(', ')} (default: KGAL_EXTRACTOR, else spans; docs/extraction.md)`)
      .addOption(new Option('--batch-size <n>', 'items per write transaction').default(DEFAULT_INGEST_BATCH).argParser(positiveInteger))
      .option('--embed', 'also embed the items that need it (see `kgal embed`)')
      .option('--ignore-labels', "treat the rows as unlabeled (a row's label is kept in its metadata)")
      .option('--json', 'print the report as JSON'),
  ).action(async (files: string[], flags: StoreFlags & { kg?: string; lexicon?: string; aliases?: string; extractor?: string; batchSize: number; embed?: boolean; ignoreLabels?: boolean; json?: boolean }) => {
    const extraction = await readExtractorConfig(flags);
    await withStore(flags, false, async (store) => {
      const options: Parameters<typeof ingestPool>[1] = {
        files,
        batchSize: flags.batchSize,
        ignoreLabels: flags.ignoreLabels ?? false,
        allowedLabels: allowedLabelsFromEnv(),
        progress: terminalProgress(),
        createExtractor: (gazetteer, kg) => buildExtractor(extraction, gazetteer, kg),
      };
      if (flags.kg) options.kgFile = flags.kg;
      const report = await ingestPool(store, options);
      const embedding = flags.embed ? await embedStore(store) : undefined;
      const stats = await store.stats();
      if (flags.json) {
        process.stdout.write(JSON.stringify({ report, ...(embedding ? { embedding } : {}), stats }, null, 2) + '\n');
        return;
      }
      for (const { file, rows } of report.files) process.stdout.write(`${file}: ${rows} rows\n`);
      process.stdout.write(
        `extracted ${report.extracted}, unchanged ${report.unchanged}, KG relations ${report.relations}, ` +
          `gazetteer names ${report.gazetteerNames} -> ${store.description}\n` +
          (embedding ? `embedded ${embedding.embedded} items (${embedding.upToDate} already up to date)\n` : '') +
          `\n${formatStats(stats)}\n`,
      );
    });
  });

  addStoreOptions(
    program
      .command('label')
      .description('set labels from a file (JSONL/CSV: id, label, optional annotator); all rows or none')
      .argument('<file>', 'label file (.jsonl, .ndjson, .csv)')
      .option('--json', 'print JSON'),
  ).action(async (file: string, flags: StoreFlags & { json?: boolean }) => {
    await withStore(flags, false, async (store) => {
      const report = await applyLabelFile(store, file, { allowedLabels: allowedLabelsFromEnv() });
      process.stdout.write(
        flags.json ? JSON.stringify(report) + '\n' : `labeled ${report.labeled} items (${report.relabeled} relabeled) in ${store.description}\n`,
      );
    });
  });

  addStoreOptions(
    program
      .command('embed')
      .description('embed every item whose embedding is missing or stale (cached by model + text hash)')
      .option('--text <text>', 'embed just this text and print the vector (nothing is stored)')
      .option('--json', 'print JSON'),
  ).action(async (flags: StoreFlags & { text?: string; json?: boolean }) => {
    if (flags.text !== undefined) {
      const embedder = await TransformersEmbedder.load(embedderConfigFromEnv());
      try {
        const vector = Array.from((await embedder.embed([flags.text])).data);
        process.stdout.write(
          flags.json ? JSON.stringify({ model: embedder.id, dimension: vector.length, vector }) + '\n' : vector.map((v) => v.toFixed(6)).join(' ') + '\n',
        );
      } finally {
        await embedder.dispose();
      }
      return;
    }
    try {
      await withStore(flags, false, async (store) => {
        const report = await embedStore(store);
        process.stdout.write(
          flags.json
            ? JSON.stringify(report) + '\n'
            : `embedded ${report.embedded} items (${report.modelTexts} distinct texts), ${report.upToDate} already up to date\n`,
        );
      });
    } catch (error) {
      // A running `kgal serve` holds the store: ask it to embed instead (its own model, its own writes).
      const server = error instanceof StoreLockedError ? readServerAddress(error.dir, error.holderPid) : undefined;
      if (!server) throw error;
      process.stderr.write(`kgal: the store is held by the kgal server at ${server.url} (process ${server.pid}); embedding through it\n`);
      const report = await embedViaServer(server.url, { progress: terminalProgress(), ...(process.env.KGAL_API_KEY ? { apiKey: process.env.KGAL_API_KEY } : {}) });
      process.stdout.write(
        flags.json
          ? JSON.stringify(report) + '\n'
          : `embedded ${report.embedded} items through ${report.server}; all ${report.status.embedded} items have an embedding\n`,
      );
    }
  });

  addStoreOptions(
    program
      .command('model')
      .description('train the classifier and its committee on the labeled, embedded items and report its status')
      .addOption(new Option('--members <k>', 'committee members').default(5).argParser(positiveInteger))
      .addOption(new Option('--seed <n>', 'seed of the bootstrap draws').default(1).argParser(integer))
      .option('--json', 'print JSON'),
  ).action(async (flags: StoreFlags & { members: number; seed: number; json?: boolean }) => {
    await withStore(flags, true, async (store) => {
      const pool = await loadEmbeddedPool(store);
      const model = trainPoolModel(pool, { members: flags.members, seed: flags.seed });
      const summary =
        model.status === 'trained'
          ? {
              status: model.status,
              classes: model.classNames,
              labelCounts: model.labelCounts,
              trainedOn: model.trainedOn,
              converged: model.classifier.converged,
              iterations: model.classifier.iterations,
              committee: (model.committee?.members ?? []).map((m) => ({ resample: m.resample, iterations: m.model.iterations, converged: m.model.converged })),
              millis: Math.round(model.millis),
              notEmbedded: pool.notEmbedded,
            }
          : { status: model.status, reason: model.reason, labelCounts: model.labelCounts, notEmbedded: pool.notEmbedded };
      if (flags.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        model.status === 'trained'
          ? `trained on ${model.trainedOn} labeled items, classes ${model.classNames.join(', ')}; ` +
              `committee of ${model.committee?.members.length ?? 0}; ${Math.round(model.millis)} ms\n`
          : `untrained: ${model.reason}\n`,
      );
      if (pool.notEmbedded > 0) process.stdout.write(`${pool.notEmbedded} items have no embedding yet: run \`kgal embed\`\n`);
    });
  });

  addStoreOptions(
    program
      .command('query')
      .description('select the next batch to label, with the reason for each pick')
      .addOption(new Option('--batch <n>', 'batch size').default(20).argParser(positiveInteger))
      .addOption(new Option('--strategy <name>', 'preset').choices([...PRESETS]).default('kg-guided'))
      .addOption(new Option('--budget <n>', 'auto: the campaign label budget (bandit horizon)').default(1000).argParser(positiveInteger))
      .addOption(new Option('--weights <list>', 'component weights, e.g. uncertainty=0.5,coverage=0.5 (also density, diversity)').argParser(weightList))
      .addOption(new Option('--shortlist <factor>', 'kg-guided: choose among the factor × batch most uncertain candidates (default: 1 to 30, earned from the labels; 0 = all)').argParser(nonNegativeNumber))
      .addOption(new Option('--centrality <measure>', 'entity centrality').choices([...CENTRALITY_MEASURES]).default('pagerank'))
      .addOption(new Option('--seed <n>', 'seed (random preset, committee bootstrap)').default(1).argParser(integer))
      .option('--no-record', 'do not record the round in the store')
      .option('--json', 'print JSON'),
  ).action(
    async (
      flags: StoreFlags & { batch: number; strategy: PresetName; budget: number; weights?: string; shortlist?: number; centrality: CentralityMeasure; seed: number; record: boolean; json?: boolean },
    ) => {
      const weights = flags.weights ? parseWeights(flags.weights) : undefined;
      await withStore(flags, !flags.record, async (store) => {
        const result = await queryPool(store, {
          batchSize: flags.batch,
          strategy: flags.strategy,
          centrality: flags.centrality,
          seed: flags.seed,
          budget: flags.budget,
          record: flags.record,
          ...(weights ? { weights } : {}),
          ...(flags.shortlist !== undefined ? { shortlist: flags.shortlist } : {}),
        });
        process.stdout.write(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatQuery(result));
      });
    },
  );

  const graph = program.command('graph').description('knowledge-graph analytics');
  addStoreOptions(
    graph
      .command('refresh')
      .description('recompute centrality, communities and coverage gaps and write them to the entities')
      .addOption(new Option('--centrality <measure>', 'entity centrality').choices([...CENTRALITY_MEASURES]).default('pagerank'))
      .addOption(new Option('--engine <engine>', 'where to compute: in this process, or inside Neo4j with Graph Data Science').choices([...ANALYTICS_ENGINES]).default('graphology'))
      .option('--json', 'print JSON'),
  ).action(async (flags: StoreFlags & { centrality: CentralityMeasure; engine: AnalyticsEngine; json?: boolean }) => {
    await withStore(flags, false, async (store) => {
      const report = await refreshEntityAnalytics(store, { centrality: flags.centrality, engine: flags.engine });
      if (flags.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const { graph: g, coverage: c } = report;
      process.stdout.write(
        `${g.nodes} entities, ${g.edges} edges, ${g.communities} communities (modularity ${g.modularity.toFixed(3)}); ` +
          `${report.measure} in ${Math.round(g.millis.total)} ms${report.engine === 'gds' ? ` inside Neo4j (GDS ${report.gdsVersion})` : ''}\n` +
          `coverage: ${(100 * c.massShare).toFixed(1)}% of ${report.measure} mass, ${c.coveredEntities}/${c.entities} entities covered, gap remaining ${(100 * c.gapShare).toFixed(1)}%\n`,
      );
    });
  });

  program
    .command('cypher')
    .description('run an exploration query from cypher/explore (or a .cypher file) against Neo4j and print a table')
    .argument('[query]', 'name (e.g. top-gaps) or path; omit to list the available queries')
    .option('--neo4j <uri>', 'Neo4j Bolt URI (default: $NEO4J_URI)')
    .option('--param <name=value>', 'query parameter, repeatable (JSON values: 20, "text", true)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'print JSON rows')
    .action(async (name: string | undefined, flags: { neo4j?: string; param?: string[]; json?: boolean }) => {
      if (!name) {
        for (const query of await listExplorationQueries()) {
          const { description, defaults } = await readExplorationQuery(query);
          process.stdout.write(`${query.padEnd(30)} ${description}  params ${JSON.stringify(defaults)}\n`);
        }
        return;
      }
      const query = await readExplorationQuery(name);
      const config = storeConfigFromEnv(process.env, flags.neo4j ? { neo4jUri: flags.neo4j } : {});
      if (!config.neo4j) throw new StoreUnavailableError('kgal cypher needs Neo4j: pass --neo4j <uri> or set NEO4J_URI');
      const store = await Neo4jGraphStore.connect(config.neo4j);
      try {
        const rows = await store.query(query.statement, { ...query.defaults, ...parseParameterAssignments(flags.param ?? []) });
        const columns = query.columns.length > 0 ? query.columns : Object.keys(rows[0] ?? {});
        process.stdout.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : formatTable(columns, rows));
      } finally {
        await store.close();
      }
    });

  addStoreOptions(
    program
      .command('stats')
      .description('counts of the pool and the knowledge graph, and how much of the graph the labels cover')
      .option('--no-coverage', 'skip the coverage figures (they need a pass over the entity graph)')
      .option('--json', 'print JSON'),
  ).action(async (flags: StoreFlags & { coverage: boolean; json?: boolean }) => {
    await withStore(flags, true, async (store) => {
      const stats = await store.stats();
      const coverage = flags.coverage ? (await loadGraphState(store)).coverage.summary() : undefined;
      const stopSignal = await campaignStopSignal(store);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ...stats, ...(coverage ? { coverage } : {}), stopSignal }, null, 2) + '\n');
        return;
      }
      const lines = [store.description, formatStats(stats)];
      if (coverage) {
        lines.push(
          `coverage: ${(100 * coverage.massShare).toFixed(1)}% of PageRank mass covered, ` +
            `${coverage.coveredEntities}/${coverage.entities} entities covered, gap remaining ${(100 * coverage.gapShare).toFixed(1)}%`,
        );
      }
      lines.push(`stop signal: ${stopSignal.sentence}`);
      for (const rule of stopSignal.rules) lines.push(`  ${rule.met ? '[met]' : '[   ]'} ${rule.rule}: ${rule.detail}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
  });

  addStoreOptions(
    program
      .command('serve')
      .description('serve the HTTP API')
      .addOption(new Option('--port <port>', 'port').env('KGAL_PORT').default(8080).argParser(port))
      .addOption(new Option('--host <host>', 'interface').env('KGAL_HOST').default('127.0.0.1')),
  ).action(async (flags: StoreFlags & { port: number; host: string }) => {
    const overrides: { neo4jUri?: string; dataDir?: string } = {};
    if (flags.neo4j) overrides.neo4jUri = flags.neo4j;
    if (flags.dataDir) overrides.dataDir = flags.dataDir;
    const config = serveConfigFromEnv(process.env);
    const storeConfig = storeConfigFromEnv(process.env, overrides);
    const store = await openStore(storeConfig);
    // The server embeds new items itself (src/api/background-embedder.ts), with the model once the model check
    // below (which may build it offline) is done.
    const embedderConfig = embedderConfigFromEnv();
    let startModelCheck: (check: Promise<EnsureModelResult>) => void = () => undefined;
    const modelChecked = new Promise<EnsureModelResult>((resolve) => (startModelCheck = resolve));
    const app = createApp(store, {
      ...config,
      embedding: {
        load: () => loadServeEmbedder(embedderConfig, modelChecked),
        modelId: TransformersEmbedder.idFor(embedderConfig),
        automatic: config.backgroundEmbed,
        batchSize: embedderConfig.batchSize,
      },
    });
    // "kgal API on ..." only once the port is bound; a busy or forbidden port is an error (exit 1), not a
    // silent exit 0.
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
      const listening = app.listen(flags.port, flags.host);
      listening.once('listening', () => resolve(listening));
      listening.once('error', (error: NodeJS.ErrnoException) => {
        void store.close().finally(() => {
          const where = `${flags.host}:${flags.port}`;
          if (error.code === 'EADDRINUSE') reject(new KgalError('rejected', `cannot listen on ${where}: the port is in use`, { cause: error }));
          else if (error.code === 'EACCES') reject(new KgalError('rejected', `cannot listen on ${where}: permission denied`, { cause: error }));
          else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new KgalError('rejected', `cannot listen on ${where}: no such interface`, { cause: error }));
          else reject(error);
        });
      });
    });
    const address = server.address();
    const boundPort = typeof address === 'object' && address ? address.port : flags.port;
    process.stderr.write(`kgal API on http://${flags.host}:${boundPort} (${store.description})\n`);
    // `kgal embed` on this data directory asks this server instead of failing on the lock.
    if (!storeConfig.neo4j) writeServerAddress(storeConfig.dataDir, `http://${clientHost(flags.host)}:${boundPort}`);
    startModelCheck(ensureModelAtServe()); // in the background: builds the model offline when it is missing (src/embeddings/ensure-model.ts)
    // Both stores commit every write before the request is answered (the embedded store to its SQLite
    // file, fsynced), so a crash loses no acknowledged write; shutdown only closes the store.
    const shutdown = (): void => {
      server.close(() =>
        void (embeddingWorkerOf(app)?.stop() ?? Promise.resolve()).then(() => store.close()).then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`${describeFailure(error).message}\n`);
            process.exit(1);
          },
        ),
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

  // Usage errors (unknown option, bad option value, missing argument) exit 64 like the ops scripts, in
  // every command, simulate included.
  registerExportCommand(program, { addStoreOptions, withStore });
  registerSimulateCommand(program);
  registerLabelStudioCommand(program);
  usageExits(program);
  return program;
}

/** The serve command's embedder: after the model check (a model it could not provide may have appeared since: try). */
async function loadServeEmbedder(config: EmbedderConfig, modelChecked: Promise<EnsureModelResult>): Promise<WorkerEmbedder> {
  const check = await modelChecked;
  try {
    // On a worker thread: the forward passes never hold up the server's requests.
    return await WorkerEmbedder.load(config);
  } catch (error) {
    throw check.status === 'unavailable' ? new ModelUnavailableError(check.reason, { cause: error }) : error;
  }
}

/** Where a local client reaches a server listening on `host` (all interfaces: loopback). */
function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Commander errors on `command` and its subcommands become thrown CommanderErrors (exit 64, or 0 for --help/--version). */
export function usageExits(command: Command): void {
  command.exitOverride((error) => {
    throw error;
  });
  for (const sub of command.commands) usageExits(sub);
}

/**
 * The exit code and message for a failure, from the one table in src/errors/kgal-error.ts: expected
 * failures get one line (`kgal: ...`) and their kind's exit code; anything else is a bug (exit 70).
 */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (and the help after it); --help and --version exit 0.
    return { message: '', exitCode: error.exitCode === 0 ? EXIT.ok : EXIT.usage };
  }
  const known = classifyError(error);
  if (known.kind !== 'internal') return { message: `kgal: ${known.message}`, exitCode: known.exitCode };
  const err = error as Error | undefined;
  return { message: `kgal: unexpected error: ${process.env.KGAL_DEBUG ? err?.stack : err?.message}`, exitCode: known.exitCode };
}
