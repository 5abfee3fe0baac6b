/**
 * What moves kg-guided's numbers: runs kg-guided variants (weights, decay τ, centrality) on ONE prepared
 * dataset (entities extracted, embeddings from the simulation cache, graph analysed once) with the same
 * split, seeds and initial sets as `kgal simulate`, and prints a Markdown table next to baseline rows from
 * an existing simulation directory (random, entropy, margin... of the same campaign).
 *
 *   npm run build && node dist/scripts/simulation/tune-kg-guided.js --pool <jsonl> [--eval <jsonl> | --eval-fraction f]
 *       [--kg <triples>] --baseline <simulate out dir> [--variants name,name,...] [--budget 1000] [--batch 50]
 *       [--initial 20] [--repeats 3] [--seed 1] [--out <dir>]
 *
 * Each variant's rows go to <out>/<variant>-rounds.csv (strategy `kg-guided[<variant>]`), so `kgal
 * simulate report <out>` can chart them too.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CentralityMeasure } from '../../graph/centrality.js';
import type { DecayFunction } from '../../graph/coverage.js';
import type { ComponentWeights, PresetName } from '../../src/selector/presets.js';
import { cachedTransformerEmbedder } from '../../src/simulation/embedding-cache.js';
import { readLabeledFile, type LabeledExample } from '../../src/simulation/labeled-dataset.js';
import type { SelectionSettings } from '../../src/simulation/oracle-campaign.js';
import { prepareDataset } from '../../src/simulation/prepared-dataset.js';
import type { RoundRow } from '../../src/simulation/round-row.js';
import { readRoundsDir, roundsToCsv } from '../../src/simulation/rounds-csv.js';
import { runSimulation } from '../../src/simulation/run-simulation.js';
import { stratifiedSplit } from '../../src/simulation/stratified-split.js';
import { formatPercent } from '../../src/simulation/summary-markdown.js';
import { summarizeRounds } from '../../src/simulation/summary.js';

interface Variant {
  shortlist?: number;
  preset?: PresetName;
  weights?: Partial<ComponentWeights>;
  decay?: DecayFunction;
  centrality?: CentralityMeasure;
}

const MARGIN_KG: Partial<ComponentWeights> = { uncertainty: 0.5, coverage: 0.4, density: 0.1, diversity: 0.2 };

/** The variants tried; `default` is the preset as shipped (uncertainty 0.5, coverage 0.4, density 0.1, diversity 0.2, τ = 1, PageRank). */
const VARIANTS: Record<string, Variant> = {
  default: {},
  // Uncertainty-first (the default since the robust-selection work): shortlist factor × batch most uncertain.
  'shortlist-0': { shortlist: 0 },
  'shortlist-2': { shortlist: 2 },
  'shortlist-3': { shortlist: 3 },
  'shortlist-6': { shortlist: 6 },
  'shortlist-10': { shortlist: 10 },
  'shortlist-4-diversity-0': { weights: { diversity: 0 } },
  'shortlist-4-coverage-0': { weights: { coverage: 0 } },
  'shortlist-4-density-0': { weights: { density: 0 } },
  'shortlist-4-unc+cov': { weights: { density: 0, diversity: 0 } },
  'shortlist-2-density-0': { shortlist: 2, weights: { density: 0 } },
  'shortlist-6-density-0': { shortlist: 6, weights: { density: 0 } },
  'shortlist-10-density-0': { shortlist: 10, weights: { density: 0 } },
  'sl10-cov1': { shortlist: 10, weights: { uncertainty: 0.2, coverage: 1, density: 0 } },
  'sl20-cov1': { shortlist: 20, weights: { uncertainty: 0.2, coverage: 1, density: 0 } },
  'sl2-cov1': { shortlist: 2, weights: { uncertainty: 0.2, coverage: 1, density: 0 } },
  'coverage-0.2': { weights: { coverage: 0.2 } },
  'coverage-0.1': { weights: { coverage: 0.1 } },
  'coverage-0.6': { weights: { coverage: 0.6 } },
  'density-0': { weights: { density: 0 } },
  'density-0.3': { weights: { density: 0.3 } },
  'diversity-0': { weights: { diversity: 0 } },
  'diversity-0.5': { weights: { diversity: 0.5 } },
  'tau-0.25': { decay: { kind: 'exponential', tau: 0.25 } },
  'tau-0.5': { decay: { kind: 'exponential', tau: 0.5 } },
  'tau-3': { decay: { kind: 'exponential', tau: 3 } },
  'tau-10': { decay: { kind: 'exponential', tau: 10 } },
  // max(0, 1 − n/1): an entity counts as covered after one labeled mention (plain weighted set cover).
  'linear-1': { decay: { kind: 'linear', tau: 1 } },
  degree: { centrality: 'degree' },
  eigenvector: { centrality: 'eigenvector' },
  // kg-guided's components with margin instead of entropy as U (the margin preset with kg-guided's weights).
  'margin+coverage': { preset: 'margin', weights: MARGIN_KG },
  'margin+coverage-0.2': { preset: 'margin', weights: { ...MARGIN_KG, coverage: 0.2 } },
  'margin+coverage-0.6': { preset: 'margin', weights: { ...MARGIN_KG, coverage: 0.6 } },
  'margin+linear-1': { preset: 'margin', weights: MARGIN_KG, decay: { kind: 'linear', tau: 1 } },
  'margin+tau-0.25': { preset: 'margin', weights: MARGIN_KG, decay: { kind: 'exponential', tau: 0.25 } },
  'coverage+linear-1': { preset: 'coverage', decay: { kind: 'linear', tau: 1 } },
};

const { values } = parseArgs({
  options: {
    pool: { type: 'string' },
    eval: { type: 'string' },
    'eval-fraction': { type: 'string' },
    kg: { type: 'string' },
    baseline: { type: 'string' },
    variants: { type: 'string', default: Object.keys(VARIANTS).join(',') },
    budget: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '50' },
    initial: { type: 'string', default: '20' },
    repeats: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: '/tmp/kgal-tune' },
  },
});
if (!values.pool) throw new Error('--pool is required');
const seed = Number(values.seed);
const all = await readLabeledFile(values.pool);
let pool: LabeledExample[] = all;
let evaluation: LabeledExample[];
if (values.eval) evaluation = await readLabeledFile(values.eval);
else ({ pool, eval: evaluation } = stratifiedSplit(all, { fraction: Number(values['eval-fraction'] ?? 0.2), seed }));

const centralities = new Set(
  values.variants
    .split(',')
    .map((name) => VARIANTS[name]?.centrality ?? 'pagerank'),
);
const baseline: RoundRow[] = values.baseline ? (await readRoundsDir(values.baseline)).rows.filter((r) => !r.strategy.startsWith('kg-guided[')) : [];
await mkdir(values.out, { recursive: true });
const tuned: RoundRow[] = [];
for (const centrality of centralities) {
  // The stored analysis is per centrality measure: prepare once per measure.
  const prepared = await prepareDataset({
    dataset: basename(values.pool, extname(values.pool)),
    pool,
    eval: evaluation,
    embedder: cachedTransformerEmbedder(),
    centrality,
    ...(values.kg ? { kgFile: values.kg } : {}),
  });
  for (const name of values.variants.split(',')) {
    const variant = VARIANTS[name];
    if (!variant) throw new Error(`unknown variant ${name} (${Object.keys(VARIANTS).join(', ')})`);
    if ((variant.centrality ?? 'pagerank') !== centrality) continue;
    const selection: SelectionSettings = { centrality };
    if (variant.weights) selection.weights = variant.weights;
    if (variant.decay) selection.decay = variant.decay;
    if (variant.shortlist !== undefined) selection.shortlist = variant.shortlist;
    const started = performance.now();
    const result = await runSimulation(
      prepared,
      { strategies: [variant.preset ?? 'kg-guided'], budget: Number(values.budget), batch: Number(values.batch), initial: Number(values.initial), repeats: Number(values.repeats), seed, selection },
      join(values.out, 'runs', name),
    );
    const rows = result.rows.map((r) => ({ ...r, strategy: `kg-guided[${name}]` }));
    tuned.push(...rows);
    await writeFile(join(values.out, `${name}-rounds.csv`), roundsToCsv(rows));
    process.stderr.write(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
}
if (values.baseline) await copyFile(join(values.baseline, 'rounds.csv'), join(values.out, 'baseline-rounds.csv'));

const summary = summarizeRounds([...baseline, ...tuned]);
const hasGold = summary.strategies.some((s) => s.goldEntityCoverage);
const header = ['strategy', 'AULC', 'final acc', `labels to ${summary.baseline ?? 'random'}'s final (mean curve)`, 'centrality cov', ...(hasGold ? ['gold entity cov', 'gold triple cov'] : [])];
const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
for (const s of summary.strategies) {
  lines.push(
    `| ${[
      s.strategy,
      formatPercent(s.aulc),
      formatPercent(s.finalAccuracy),
      s.meanCurve.labelsToMatchRandom === undefined ? 'not reached' : String(s.meanCurve.labelsToMatchRandom),
      formatPercent(s.centralityCoverage),
      ...(hasGold ? [formatPercent(s.goldEntityCoverage), formatPercent(s.goldTripleCoverage)] : []),
    ].join(' | ')} |`,
  );
}
const table = `${lines.join('\n')}\n`;
await writeFile(join(values.out, 'tuning.md'), table);
process.stdout.write(table);
