/**
 * Ingests every pool file of a directory, for cron jobs and pipelines: one file at a time (a rejected
 * file writes nothing and stays where it is; the others still go in), then optionally moves the ingested
 * files to a done folder, embeds what is new and refreshes the graph analytics. JSON log lines on stdout;
 * exit codes in docs/operations.md.
 *
 *   node dist/scripts/ops/ingest-dir.js <dir> [--kg triples.tsv] [--embed] [--refresh] [--done-dir <dir>]
 */
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { ModelUnavailableError } from '../../src/embeddings/text-embedder.js';
import { buildExtractor, readExtractorConfig, type ExtractorConfig } from '../../src/entities/extractor-config.js';
import { allowedLabelsFromEnv } from '../../src/api/serve-config.js';
import { DEFAULT_INGEST_BATCH, ingestPool } from '../../src/ingest/ingest-pool.js';
import type { Progress } from '../../src/ingest/progress.js';
import { readTriplesFile } from '../../src/kg/read-triples.js';
import { InputValidationError } from '../../src/pool/input-error.js';
import { readPoolFile } from '../../src/pool/read-pool.js';
import type { GraphStore, StoreStats } from '../../src/store/graph-store.js';
import type { StoreConfig } from '../../src/config/store-config.js';
import { STORE_FLAGS, STORE_USAGE, parseCommandLine, positiveInteger, storeConfigFromFlags, storeTarget } from './command-line.js';
import { EXIT, UsageError, logFailure, logRejection, type ExitCode } from './exit-codes.js';
import { logProgress, type OpsLogger } from './ops-log.js';
import { persist, withStore } from './ops-store.js';
import { embedLogged, refreshLogged } from './logged-steps.js';
import { runScript } from './run-script.js';

const DEFAULT_PATTERNS = ['*.jsonl', '*.ndjson', '*.csv'];

const USAGE = `usage: ingest-dir <dir> [options]

Ingests the pool files of <dir> (not recursive) in name order, each on its own: a file with a bad row
is rejected whole (nothing of it is written, it stays in <dir>, its problems are logged with file:line
and field) and the other files still go in. Ingesting a file again changes nothing.

options:
  --pattern <glob>     file names to take, repeatable (* and ?; default ${DEFAULT_PATTERNS.join(' ')})
  --kg <triples>       external knowledge graph (TSV or JSONL), imported before the files
  --lexicon <json>     compromise lexicon, as \`kgal ingest\`
  --aliases <json>     entity aliases, as \`kgal ingest\`
  --extractor <name>   spans (default), compromise, compromise-v1 or gazetteer, as \`kgal ingest\` (or KGAL_EXTRACTOR)
  --done-dir <dir>     move each ingested file here (created if missing) once the store has it
  --embed              then embed the new and changed items (when a file was ingested)
  --refresh            then refresh the graph analytics (when a file was ingested)
  --dry-run            validate the files (and --kg, --lexicon, --aliases) only: no store, no moves
  --batch-size <n>     items per write transaction (default ${DEFAULT_INGEST_BATCH})
  --ignore-labels      keep the rows' labels in their metadata, not as labels
  --progress-every <n> log a progress line every n items (default 10000)
${STORE_USAGE}

exit codes: 0 done (also no files), 1 some file rejected, 2 store unavailable, 3 model unavailable
(--embed; npm run model), 64 usage error, 70 unexpected error`;

const FLAGS = {
  ...STORE_FLAGS,
  pattern: { type: 'string', multiple: true },
  kg: { type: 'string' },
  lexicon: { type: 'string' },
  aliases: { type: 'string' },
  extractor: { type: 'string' },
  'done-dir': { type: 'string' },
  embed: { type: 'boolean' },
  refresh: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'batch-size': { type: 'string' },
  'ignore-labels': { type: 'boolean' },
  'progress-every': { type: 'string' },
} as const;

interface IngestDirOptions {
  dir: string;
  patterns: string[];
  kgFile?: string;
  extraction: { lexicon?: string; aliases?: string; extractor?: string };
  doneDir?: string;
  embed: boolean;
  refresh: boolean;
  dryRun: boolean;
  batchSize: number;
  ignoreLabels: boolean;
  progressEvery: number;
  store: StoreConfig;
}

interface IngestDirSummary {
  files: number;
  ingested: number;
  rejected: number;
  moved: number;
  rows: number;
  extracted: number;
  unchanged: number;
  relations?: number;
  embedded?: number;
  stats?: StoreStats;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function requireFile(path: string | undefined, flag: string): Promise<void> {
  if (path !== undefined && !(await stat(path).catch(() => undefined))?.isFile()) throw new UsageError(`--${flag}: no such file: ${path}`);
}

async function readOptions(argv: readonly string[]): Promise<IngestDirOptions> {
  const { values, positionals } = parseCommandLine(argv, FLAGS, { min: 1, max: 1 });
  const dir = resolve(positionals[0]!);
  if (!(await isDirectory(dir))) throw new UsageError(`no such directory: ${positionals[0]}`);
  await requireFile(values.kg, 'kg');
  await requireFile(values.lexicon, 'lexicon');
  await requireFile(values.aliases, 'aliases');
  const doneDir = values['done-dir'] === undefined ? undefined : resolve(values['done-dir']);
  if (doneDir === dir) throw new UsageError('--done-dir must differ from the input directory');
  const options: IngestDirOptions = {
    dir,
    patterns: values.pattern ?? DEFAULT_PATTERNS,
    extraction: {},
    embed: values.embed ?? false,
    refresh: values.refresh ?? false,
    dryRun: values['dry-run'] ?? false,
    batchSize: positiveInteger(values['batch-size'], 'batch-size', DEFAULT_INGEST_BATCH),
    ignoreLabels: values['ignore-labels'] ?? false,
    progressEvery: positiveInteger(values['progress-every'], 'progress-every', 10_000),
    store: storeConfigFromFlags(values),
  };
  if (values.kg) options.kgFile = resolve(values.kg);
  if (values.lexicon) options.extraction.lexicon = values.lexicon;
  if (values.aliases) options.extraction.aliases = values.aliases;
  if (values.extractor) options.extraction.extractor = values.extractor;
  if (doneDir) options.doneDir = doneDir;
  return options;
}

/** A file-name glob (`*`, `?`) as an anchored regular expression. */
function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

/** Plain files of `dir` matching any pattern, in code-point order of their names (stable across locales). */
async function listInputFiles(dir: string, patterns: readonly string[]): Promise<string[]> {
  const matchers = patterns.map(globToRegExp);
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && matchers.some((m) => m.test(e.name)))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => join(dir, name));
}

/** Runs `work` for one input; a rejection (or the file vanishing meanwhile) is logged and returns undefined. */
async function perFile<T>(log: OpsLogger, file: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputValidationError) {
      logRejection(log, error, { path: file });
      return undefined;
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (error as NodeJS.ErrnoException).path === file) {
      log.error({ event: 'rejected', file: basename(file), path: file }, `${basename(file)}: disappeared before it was read`);
      return undefined;
    }
    throw error;
  }
}

async function dryRun(log: OpsLogger, files: readonly string[], options: IngestDirOptions, summary: IngestDirSummary): Promise<ExitCode> {
  // Every input is checked (a bad KG does not stop the files' check), so one dry run lists every problem.
  await readExtractorConfig(options.extraction);
  const kgFile = options.kgFile;
  if (kgFile) {
    const triples = await perFile(log, kgFile, () => readTriplesFile(kgFile));
    if (triples) log.info({ event: 'kg', file: basename(kgFile), status: 'valid', triples: triples.length }, `${basename(kgFile)}: valid`);
    else summary.rejected += 1;
  }
  for (const file of files) {
    const started = Date.now();
    const rows = await perFile(log, file, () => readPoolFile(file));
    if (rows === undefined) {
      summary.rejected += 1;
      continue;
    }
    summary.rows += rows.length;
    log.info({ event: 'file', file: basename(file), status: 'valid', rows: rows.length, millis: Date.now() - started }, `${basename(file)}: valid`);
  }
  return summary.rejected > 0 ? EXIT.rejected : EXIT.ok;
}

interface IngestContext {
  log: OpsLogger;
  store: GraphStore;
  options: IngestDirOptions;
  extraction: ExtractorConfig;
  progress: Progress;
  summary: IngestDirSummary;
}

/** Imports the KG once for the run (each file's ingest then links against it from the store). */
async function importKg(context: IngestContext, kgFile: string): Promise<boolean> {
  const { log, store, progress, summary } = context;
  const started = Date.now();
  const report = await perFile(log, kgFile, () => ingestPool(store, { files: [], kgFile, progress }));
  if (!report) {
    summary.rejected += 1;
    return false;
  }
  summary.relations = report.relations;
  log.info({ event: 'kg', file: basename(kgFile), relations: report.relations, millis: Date.now() - started }, `${basename(kgFile)}: ${report.relations} relations`);
  return true;
}

/** Ingests the files one by one and returns those that went in. */
async function ingestFiles(context: IngestContext, files: readonly string[]): Promise<string[]> {
  const { log, store, options, extraction, progress, summary } = context;
  const ingested: string[] = [];
  for (const file of files) {
    const started = Date.now();
    const report = await perFile(log, file, () =>
      ingestPool(store, {
        files: [file],
        batchSize: options.batchSize,
        ignoreLabels: options.ignoreLabels,
        allowedLabels: allowedLabelsFromEnv(),
        progress,
        createExtractor: (gazetteer, kg) => buildExtractor(extraction, gazetteer, kg),
      }),
    );
    if (!report) {
      summary.rejected += 1;
      continue;
    }
    const rows = report.files[0]?.rows ?? 0;
    summary.ingested += 1;
    summary.rows += rows;
    summary.extracted += report.extracted;
    summary.unchanged += report.unchanged;
    ingested.push(file);
    log.info(
      { event: 'file', file: basename(file), status: 'ingested', rows, extracted: report.extracted, unchanged: report.unchanged, millis: Date.now() - started },
      `${basename(file)}: ${rows} rows`,
    );
  }
  return ingested;
}

/** `name.csv`, or `name.<UTC time>[-n].csv` when the done folder already has one (a re-delivered file). */
async function freeTarget(doneDir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
  for (let n = 0; ; n += 1) {
    const candidate = join(doneDir, n === 0 ? name : `${stem}.${stamp}${n > 1 ? `-${n}` : ''}${ext}`);
    if (!(await stat(candidate).catch(() => undefined))) return candidate;
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another file system: copy, then remove (a crash in between leaves a copy, and a re-ingest is a no-op).
    await copyFile(from, to);
    await rm(from);
  }
}

async function moveToDone(context: IngestContext, files: readonly string[], doneDir: string): Promise<void> {
  // The store must hold the files' rows before they leave the inbox, or a crash would lose them.
  await persist(context.store);
  for (const file of files) {
    const target = await freeTarget(doneDir, basename(file));
    await moveFile(file, target);
    context.summary.moved += 1;
    context.log.info({ event: 'moved', file: basename(file), to: target }, `${basename(file)} -> ${target}`);
  }
}

/** Embeds the pending items; a missing model is logged and reported as exit 3 without stopping the run. */
async function embedStep(context: IngestContext): Promise<ExitCode> {
  const { log, store, options, summary } = context;
  try {
    summary.embedded = (await embedLogged(store, log, options.progressEvery)).embedded;
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ModelUnavailableError) return logFailure(log, error);
    throw error;
  }
}

async function ingestRun(log: OpsLogger, files: readonly string[], options: IngestDirOptions, summary: IngestDirSummary): Promise<ExitCode> {
  // Read before the store opens: a bad lexicon rejects the run (exit 1) with nothing written.
  const extraction = await readExtractorConfig(options.extraction);
  if (options.doneDir) await mkdir(options.doneDir, { recursive: true });
  return withStore(options.store, async (store) => {
    const context: IngestContext = { log, store, options, extraction, progress: logProgress(log, options.progressEvery), summary };
    // A bad KG file would change how every file links: none is ingested, all stay for the next run.
    if (options.kgFile && !(await importKg(context, options.kgFile))) return EXIT.rejected;
    const ingested = await ingestFiles(context, files);
    if (options.doneDir && ingested.length > 0) await moveToDone(context, ingested, options.doneDir);
    let modelExit: ExitCode = EXIT.ok;
    if (ingested.length > 0) {
      if (options.embed) modelExit = await embedStep(context);
      if (options.refresh) await refreshLogged(store, log);
    }
    summary.stats = await store.stats();
    if (modelExit !== EXIT.ok) return modelExit;
    return summary.rejected > 0 ? EXIT.rejected : EXIT.ok;
  });
}

await runScript<IngestDirSummary>({
  name: 'ingest-dir',
  usage: USAGE,
  summary: { files: 0, ingested: 0, rejected: 0, moved: 0, rows: 0, extracted: 0, unchanged: 0 },
  async main({ log, argv, summary }) {
    const options = await readOptions(argv);
    const files = await listInputFiles(options.dir, options.patterns);
    summary.files = files.length;
    log.info(
      {
        event: 'start',
        dir: options.dir,
        patterns: options.patterns,
        files: files.length,
        dryRun: options.dryRun,
        ...(options.dryRun ? {} : storeTarget(options.store)),
        ...(options.kgFile ? { kg: options.kgFile } : {}),
        ...(options.doneDir ? { doneDir: options.doneDir } : {}),
        embed: options.embed,
        refresh: options.refresh,
      },
      `${files.length} file(s) in ${options.dir}`,
    );
    if (options.dryRun) return dryRun(log, files, options, summary);
    // Nothing to do is success, without touching the store (an embedded store locked by a long job is fine).
    if (files.length === 0) return EXIT.ok;
    return ingestRun(log, files, options, summary);
  },
});
