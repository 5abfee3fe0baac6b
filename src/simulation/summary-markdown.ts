import type { MeanStd } from './metrics.js';
import { STOPPING_CRITERIA } from './stopping-criteria.js';
import type { SimulationSummary, StrategySummary } from './summary.js';

const DASH = '–';

/** `83.2 ± 0.4` (percent of a share), or a dash when there is nothing. */
export function formatPercent(value: MeanStd | undefined, digits = 1): string {
  if (!value || value.n === 0 || !Number.isFinite(value.mean)) return DASH;
  return `${(100 * value.mean).toFixed(digits)} ± ${(100 * value.std).toFixed(digits)}`;
}

function formatCount(value: MeanStd | undefined): string {
  if (!value || value.n === 0 || !Number.isFinite(value.mean)) return DASH;
  return `${Math.round(value.mean)} ± ${Math.round(value.std)}`;
}

function formatMatch(s: StrategySummary, hasBaseline: boolean): string {
  if (!hasBaseline) return DASH;
  if (s.labelsToMatchRandom.n === 0) return `not reached (0/${s.repeats})`;
  const partial = s.labelsToMatchRandom.reached < s.repeats ? ` (${s.labelsToMatchRandom.reached}/${s.repeats})` : '';
  return `${formatCount(s.labelsToMatchRandom)}${partial}`;
}

function formatSpeedup(s: StrategySummary): string {
  if (s.speedup.n === 0) return DASH;
  return `${s.speedup.mean.toFixed(2)}× ± ${s.speedup.std.toFixed(2)}`;
}

function formatMeanCurve(s: StrategySummary, hasBaseline: boolean): string {
  if (!hasBaseline) return DASH;
  return s.meanCurve.labelsToMatchRandom === undefined ? 'not reached' : `${s.meanCurve.labelsToMatchRandom} (${s.meanCurve.speedup!.toFixed(2)}×)`;
}

const CRITERION_TITLES: Record<(typeof STOPPING_CRITERIA)[number], string> = {
  coverageSaturation: 'coverage saturation',
  uncertaintyPlateau: 'uncertainty plateau',
  stablePredictions: 'stable predictions',
  maxBudget: 'max budget',
};

/**
 * What the default strategy does, in words a reader of the report can follow (kept beside the code it
 * describes: src/selector/strategies/kg-guided.ts).
 */
export const KG_GUIDED_PARAGRAPH =
  '**How `kg-guided` (the default) chooses.** Uncertainty first: it picks among the texts the model is least ' +
  'sure about (smallest margin between its two most probable classes). How many of those it may choose from is ' +
  'earned from the labels: when the entities a text mentions predict its label well beyond chance (as in WebNLG, ' +
  'where the category follows the entities), up to thirty times the batch and at most an eighth of the pool, and ' +
  'among them the knowledge graph ' +
  'chooses texts that mention entities no labeled text mentions yet (every entity counts, central ones more) ' +
  'and texts far from everything ' +
  'already labeled, so the batch fills different gaps; when entities say little about labels (intent queries) ' +
  'or nothing is known yet, the batch is exactly margin sampling\'s, ordered by the gaps each pick fills. Texts ' +
  'that mention no entity get at least half their share of the batch, so the graph never starves them. ' +
  'Accuracy therefore follows margin sampling, and the knowledge columns show what the graph adds on top.';

/** The Markdown report: the results table (mean ± std over repeats, in percent) and the stopping table. */
export function renderSummaryMarkdown(summary: SimulationSummary, options: { title?: string; charts?: readonly string[] } = {}): string {
  const hasGold = summary.strategies.some((s) => s.goldEntityCoverage !== undefined);
  const baseline = summary.baseline ?? 'random';
  const lines: string[] = [];
  lines.push(`# ${options.title ?? `Simulation${summary.dataset ? `: ${summary.dataset}` : ''}`}`, '');
  const repeats = Math.max(0, ...summary.strategies.map((s) => s.repeats));
  lines.push(`Mean ± standard deviation over ${repeats} repeat(s); accuracy, F1 and coverage in percent.`);
  if (summary.baselineFinalAccuracy) {
    lines.push(`Baseline for "labels to match": ${baseline}'s final accuracy, ${formatPercent(summary.baselineFinalAccuracy)} %.`);
  }
  lines.push('');
  const header = ['strategy', 'AULC (acc)', 'final acc', 'final macro-F1', `labels to ${baseline}'s final acc`, 'speed-up', 'on mean curve', 'centrality cov', 'entity cov'];
  if (hasGold) header.push('gold entity cov', 'gold triples carried', 'gold triples, both ends covered');
  header.push('labels');
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
  for (const s of summary.strategies) {
    const cells = [
      s.strategy,
      formatPercent(s.aulc),
      formatPercent(s.finalAccuracy),
      formatPercent(s.finalMacroF1),
      formatMatch(s, summary.baseline !== undefined),
      formatSpeedup(s),
      formatMeanCurve(s, summary.baseline !== undefined),
      formatPercent(s.centralityCoverage),
      formatPercent(s.entityCoverage),
    ];
    if (hasGold) cells.push(formatPercent(s.goldEntityCoverage), formatPercent(s.goldTripleCoverage), formatPercent(s.goldTripleEndpointCoverage));
    cells.push(formatCount(s.finalLabels));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (summary.strategies.some((s) => /^kg-guided\b/.test(s.strategy))) lines.push('', KG_GUIDED_PARAGRAPH);
  lines.push('', '## When each strategy would stop', '');
  const rules = summary.stoppingRules;
  lines.push(
    `Labels at the stop (accuracy there, fired in k of n repeats). Coverage saturation: centrality coverage gain < ${100 * rules.coverageSaturation.minGain} pt per round for ${rules.coverageSaturation.rounds} rounds; ` +
      `uncertainty plateau: mean pool uncertainty (1 − max p) changes < ${rules.uncertaintyPlateau.epsilon} for ${rules.uncertaintyPlateau.rounds} rounds; ` +
      `stable predictions: kappa between consecutive rounds' pool predictions ≥ ${rules.stablePredictions.kappa} for ${rules.stablePredictions.rounds} rounds.`,
    '',
  );
  const stopHeader = ['strategy', ...STOPPING_CRITERIA.map((c) => CRITERION_TITLES[c])];
  lines.push(`| ${stopHeader.join(' | ')} |`, `|${stopHeader.map(() => '---').join('|')}|`);
  for (const s of summary.strategies) {
    const cells = STOPPING_CRITERIA.map((criterion) => {
      const stop = s.stopping[criterion];
      if (!stop) return 'never';
      return `${formatCount(stop.labels)} (${formatPercent(stop.accuracy)} %, ${stop.fired}/${s.repeats})`;
    });
    lines.push(`| ${[s.strategy, ...cells].join(' | ')} |`);
  }
  if (options.charts && options.charts.length > 0) {
    lines.push('', '## Charts', '');
    for (const chart of options.charts) if (/\.(png|svg)$/i.test(chart)) lines.push(`![${chart}](${chart})`);
  }
  return `${lines.join('\n')}\n`;
}
