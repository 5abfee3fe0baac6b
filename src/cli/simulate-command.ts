import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { CENTRALITY_MEASURES, type CentralityMeasure } from '../../graph/centrality.js';
import { buildExtractor, EXTRACTORS, readExtractorConfig } from '../entities/extractor-config.js';
import { isPresetName, parseWeights, PRESETS, type PresetName } from '../selector/presets.js';
import { cachedTransformerEmbedder, defaultSimulationCacheDir } from '../simulation/embedding-cache.js';
import { ExtractionCache } from '../simulation/extraction-cache.js';
import { readLabeledFile, type LabeledExample } from '../simulation/labeled-dataset.js';
import type { SelectionSettings } from '../simulation/oracle-campaign.js';
import { prepareDataset } from '../simulation/prepared-dataset.js';
import { runSimulation } from '../simulation/run-simulation.js';
import { NoRoundsError, writeSimulationReport } from '../simulation/simulation-report.js';
import { stoppingRulesFrom, type StoppingRules } from '../simulation/stopping-criteria.js';
import { stratifiedSplit } from '../simulation/stratified-split.js';
import { terminalProgress } from './terminal-progress.js';

interface SimulateFlags {
  pool: string;
  eval?: string;
  evalFraction?: number;
  kg?: string;
  extractor?: string;
  strategies: PresetName[];
  budget: number;
  batch: number;
  initial: number;
  repeats: number;
  seed: number;
  out: string;
  weights?: string;
  centrality?: CentralityMeasure;
  tau?: number;
  decay?: 'exponential' | 'linear';
  members?: number;
  shortlist?: number;
  cacheDir?: string;
  title?: string;
  charts: boolean;
  stopCoverage?: string;
  stopUncertainty?: string;
  stopKappa?: string;
}

/** The stopping rules the report judges the runs by: the defaults with the `--stop-*` overrides. */
function stoppingRulesOf(flags: { stopCoverage?: string; stopUncertainty?: string; stopKappa?: string }): StoppingRules {
  return stoppingRulesFrom({
    ...(flags.stopCoverage !== undefined ? { coverage: flags.stopCoverage } : {}),
    ...(flags.stopUncertainty !== undefined ? { uncertainty: flags.stopUncertainty } : {}),
    ...(flags.stopKappa !== undefined ? { kappa: flags.stopKappa } : {}),
  });
}

/** The `--stop-*` options, shared by `simulate` and `simulate report`. */
function withStoppingOptions(command: Command): Command {
  return command
    .option('--stop-coverage <gain[:rounds]>', 'stopping rule: centrality coverage gaining less than <gain> per round for <rounds> rounds (default 0.01:3)')
    .option('--stop-uncertainty <epsilon[:rounds]>', 'stopping rule: mean pool uncertainty changing by less than <epsilon> for <rounds> rounds (default 0.01:3)')
    .option('--stop-kappa <kappa[:rounds]>', "stopping rule: Cohen's kappa between consecutive rounds' predictions at least <kappa> for <rounds> rounds (default 0.99:3)");
}

function integerAtLeast(minimum: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < minimum) throw new InvalidArgumentError(`must be an integer >= ${minimum}`);
    return n;
  };
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('must be a number between 0 and 1');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

function strategyList(value: string): PresetName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isPresetName(n));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown strategy ${unknown.join(', ')} (use ${PRESETS.join(', ')})`);
  if (names.length === 0) throw new InvalidArgumentError('name at least one strategy');
  return [...new Set(names)] as PresetName[];
}

function decayKind(value: string): 'exponential' | 'linear' {
  if (value !== 'exponential' && value !== 'linear') throw new InvalidArgumentError('use exponential or linear');
  return value;
}

function centralityMeasure(value: string): CentralityMeasure {
  if (!(CENTRALITY_MEASURES as readonly string[]).includes(value)) throw new InvalidArgumentError(`use one of ${CENTRALITY_MEASURES.join(', ')}`);
  return value as CentralityMeasure;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

async function simulate(flags: SimulateFlags): Promise<void> {
  const stoppingRules = stoppingRulesOf(flags); // checked before any costly step
  const extraction = await readExtractorConfig({ ...(flags.extractor !== undefined ? { extractor: flags.extractor } : {}) });
  const progress = terminalProgress();
  const all = await readLabeledFile(flags.pool);
  let pool: LabeledExample[];
  let evaluation: LabeledExample[];
  if (flags.eval) {
    pool = all;
    evaluation = await readLabeledFile(flags.eval);
  } else {
    ({ pool, eval: evaluation } = stratifiedSplit(all, { fraction: flags.evalFraction ?? 0.2, seed: flags.seed }));
  }
  // Checked before the costly preparation (entities, embeddings).
  if (flags.budget > pool.length) throw new RangeError(`budget ${flags.budget} exceeds the pool (${pool.length} items)`);
  const dataset = basename(flags.pool, extname(flags.pool));
  process.stderr.write(`${dataset}: ${pool.length} pool items, ${evaluation.length} evaluation items${flags.kg ? `, external KG ${basename(flags.kg)}` : ''}\n`);
  const cacheDir = flags.cacheDir ?? defaultSimulationCacheDir();
  const extractionCache = new ExtractionCache(cacheDir);
  const prepared = await prepareDataset({
    dataset,
    pool,
    eval: evaluation,
    embedder: cachedTransformerEmbedder({ progress, cacheDir }),
    extractionCache,
    progress,
    createExtractor: (gazetteer, kg) => buildExtractor(extraction, gazetteer, kg),
    ...(flags.kg ? { kgFile: flags.kg } : {}),
    ...(flags.centrality ? { centrality: flags.centrality } : {}),
  });
  const ms = prepared.millis;
  const cached = extractionCache.hits > 0 ? `, ${extractionCache.hits} of ${extractionCache.hits + extractionCache.misses} texts from the extraction cache` : '';
  process.stderr.write(
    `prepared in ${((ms.ingest + ms.embed + ms.graph) / 1000).toFixed(1)} s (entities ${(ms.ingest / 1000).toFixed(1)} s${cached}, embeddings ${(ms.embed / 1000).toFixed(1)} s, graph ${(ms.graph / 1000).toFixed(1)} s)\n`,
  );

  const selection: SelectionSettings = {};
  if (flags.weights) selection.weights = parseWeights(flags.weights);
  if (flags.centrality) selection.centrality = flags.centrality;
  if (flags.tau !== undefined || flags.decay) selection.decay = { kind: flags.decay ?? 'exponential', tau: flags.tau ?? 1 };
  if (flags.members !== undefined) selection.members = flags.members;
  if (flags.shortlist !== undefined) selection.shortlist = flags.shortlist;

  // A bar with ETA on a terminal; on a log (nohup, CI) one line per finished run with an ETA.
  const bar = process.stderr.isTTY;
  let totalRounds = 0;
  let doneRounds = 0;
  let runsDone = 0;
  let runs = 0;
  const started = Date.now();
  await runSimulation(
    prepared,
    {
      strategies: flags.strategies,
      budget: flags.budget,
      batch: flags.batch,
      initial: flags.initial,
      repeats: flags.repeats,
      seed: flags.seed,
      ...(flags.evalFraction !== undefined || !flags.eval ? { evalFraction: flags.evalFraction ?? 0.2 } : {}),
      selection,
    },
    flags.out,
    {
      onStart(info) {
        totalRounds = info.totalRounds;
        runs = info.runs;
        if (bar) progress.start('simulating (rounds)', totalRounds);
      },
      onRound() {
        doneRounds += 1;
        if (bar) progress.advance(1);
      },
      onRunDone({ strategy, repeat, rows, millis }) {
        runsDone += 1;
        if (bar) return;
        const last = rows[rows.length - 1]!;
        const elapsed = (Date.now() - started) / 1000;
        const eta = (elapsed / doneRounds) * (totalRounds - doneRounds);
        process.stderr.write(
          `[${runsDone}/${runs}] ${strategy} repeat ${repeat}: ${last.labels} labels, accuracy ${(100 * last.accuracy).toFixed(1)} %, ` +
            `${(millis / 1000).toFixed(1)} s; elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)}\n`,
        );
      },
    },
  );
  if (bar) progress.stop();
  const report = await writeSimulationReport(flags.out, { charts: flags.charts, stoppingRules, ...(flags.title ? { title: flags.title } : {}) });
  process.stdout.write(await readFile(join(flags.out, 'summary.md'), 'utf8'));
  process.stdout.write(`\nwrote ${flags.out}: summary.json, summary.md, rounds.csv, round-signals.csv, campaign.json, embeddings.f32${report.charts.length > 0 ? `, ${report.charts.map((c) => basename(c)).join(', ')}` : ''}\n`);
}

/** `kgal simulate ...` (an oracle campaign over strategies and repeats) and `kgal simulate report <dir>`. */
export function registerSimulateCommand(program: Command): void {
  const command = program
    .command('simulate')
    .description('simulate annotation campaigns on a labeled pool: learning curves, knowledge coverage, charts (docs/simulation.md)')
    .option('--pool <file>', 'labeled pool (JSONL/CSV with id, text, label; WebNLG triples/entities are used for gold coverage only)')
    .option('--eval <file>', 'held-out evaluation file (default: a stratified split of the pool)')
    .option('--eval-fraction <f>', 'share of the pool held out for evaluation, stratified (default 0.2)', fraction)
    .option('--kg <triples>', 'external knowledge graph (TSV/JSONL triples), imported as at ingest')
    .option('--extractor <name>', `entity extractor: ${EXTRACTORS.join(', ')} (default: KGAL_EXTRACTOR, else spans)`)
    .option('--strategies <list>', `comma-separated presets (${PRESETS.join(', ')})`, strategyList, ['random', 'entropy', 'kg-guided'] as PresetName[])
    .option('--budget <n>', 'labels at the end, initial set included', integerAtLeast(1), 1000)
    .option('--batch <n>', 'labels per round', integerAtLeast(1), 50)
    .option('--initial <n>', 'initial labeled items per repeat (stratified random; 0 = cold start)', integerAtLeast(0), 20)
    .option('--repeats <n>', 'repeats with seeds seed, seed+1, ...', integerAtLeast(1), 3)
    .option('--seed <n>', 'base seed (split, initial sets, selection)', integerAtLeast(0), 1)
    .option('--out <dir>', 'output directory')
    .option('--weights <list>', 'override preset weights, e.g. uncertainty=0.5,coverage=0.5')
    .option('--centrality <measure>', `centrality for coverage (${CENTRALITY_MEASURES.join(', ')})`, centralityMeasure)
    .option('--tau <t>', 'coverage decay saturation tau (default 1)', positiveNumber)
    .option('--decay <kind>', 'coverage decay: exponential exp(-n/tau) (default) or linear max(0, 1 - n/tau)', decayKind)
    .option('--members <n>', 'committee size for qbc/kl/bald/auto (default 5)', integerAtLeast(2))
    .option('--shortlist <factor>', 'kg-guided: pick among the factor × batch most uncertain candidates (default: 1 to 30, earned from the labels; 0 = no shortlist)', nonNegativeNumber)
    .option('--cache-dir <dir>', 'embedding and entity-extraction cache (default ~/.cache/kgal/simulation)')
    .option('--title <text>', 'title of the report and charts')
    .option('--no-charts', 'skip the chart images')
    // `simulate report` has options of the same names: after `report` they are its own.
    .enablePositionalOptions();
  withStoppingOptions(command).action(async (flags: Partial<SimulateFlags>) => {
      if (!flags.pool) command.error('error: --pool <file> is required', { exitCode: 1 });
      if (!flags.out) command.error('error: --out <dir> is required', { exitCode: 1 });
      if (flags.eval && flags.evalFraction !== undefined) command.error('error: give either --eval or --eval-fraction, not both', { exitCode: 1 });
      try {
        await simulate(flags as SimulateFlags);
      } catch (error) {
        // Impossible plans (budget beyond the pool, a class too small for the split...) are the user's to fix.
        if (error instanceof RangeError) command.error(`kgal simulate: ${error.message}`, { exitCode: 1 });
        throw error;
      }
    });
  const report = command
    .command('report')
    .description('re-read every *rounds.csv in a simulation directory (kgal and modAL) and re-render summary.json, summary.md and charts')
    .argument('<dir>', 'simulation output directory')
    .option('--title <text>', 'title of the report and charts')
    .option('--no-charts', 'skip the chart images');
  withStoppingOptions(report).action(
    async (dir: string, flags: { title?: string; charts: boolean; stopCoverage?: string; stopUncertainty?: string; stopKappa?: string }) => {
      let stoppingRules: StoppingRules;
      try {
        stoppingRules = stoppingRulesOf(flags);
      } catch (error) {
        if (error instanceof RangeError) report.error(`kgal simulate report: ${error.message}`, { exitCode: 1 });
        throw error;
      }
      const written = await writeSimulationReport(dir, { charts: flags.charts, stoppingRules, ...(flags.title ? { title: flags.title } : {}) }).catch((error: unknown) => {
        if (error instanceof NoRoundsError) command.error(`kgal simulate report: ${error.message}`, { exitCode: 1 });
        throw error;
      });
      process.stdout.write(await readFile(join(dir, 'summary.md'), 'utf8'));
      process.stdout.write(`\nread ${written.roundsFiles.join(', ')}; wrote summary.json, summary.md${written.charts.length > 0 ? `, ${written.charts.map((c) => basename(c)).join(', ')}` : ''}\n`);
    },
  );
}
