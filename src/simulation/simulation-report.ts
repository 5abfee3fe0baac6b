import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CAMPAIGN_FILE, type CampaignFile } from './campaign-file.js';
import { renderCharts } from './charts.js';
import { readRoundsDir } from './rounds-csv.js';
import type { StoppingRules } from './stopping-criteria.js';
import { renderSummaryMarkdown } from './summary-markdown.js';
import { summarizeRounds, type SimulationSummary } from './summary.js';

/** The directory holds no rounds file to report on. */
export class NoRoundsError extends Error {
  constructor(readonly dir: string) {
    super(`no rounds in ${dir}: expected rounds.csv or another *rounds.csv`);
    this.name = 'NoRoundsError';
  }
}

export interface ReportResult {
  summary: SimulationSummary;
  /** The rounds files read (rounds.csv, modal-rounds.csv, ...). */
  roundsFiles: string[];
  charts: string[];
}

/**
 * (Re)renders a simulation directory from its rounds files: every `*rounds.csv` (kgal's and the modAL
 * script's) and round-signals.csv are read, then summary.json, summary.md and the charts are written.
 * `kgal simulate` ends with this; `kgal simulate report <dir>` runs it again after a peer added its rows.
 */
export async function writeSimulationReport(
  outDir: string,
  options: { title?: string; charts?: boolean; stoppingRules?: StoppingRules } = {},
): Promise<ReportResult> {
  const { rows, signals, files } = await readRoundsDir(outDir);
  if (rows.length === 0) throw new NoRoundsError(outDir);
  const campaign = (await readFile(join(outDir, CAMPAIGN_FILE), 'utf8').then((t) => JSON.parse(t) as CampaignFile).catch(() => undefined));
  const dataset = campaign?.dataset ?? basename(outDir);
  const summary = summarizeRounds(rows, signals, { dataset, ...(options.stoppingRules ? { stoppingRules: options.stoppingRules } : {}) });
  const title =
    options.title ??
    (campaign ? `${dataset}: budget ${campaign.budget}, batch ${campaign.batch}, initial ${campaign.initial}` : dataset);
  const charts = options.charts === false ? [] : await renderCharts(rows, outDir, { title });
  const chartNames = charts.map((c) => basename(c));
  const shown = chartNames.filter((c) => c.endsWith('.png'));
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify({ ...summary, campaign: campaignInfo(campaign), roundsFiles: files, charts: chartNames }, null, 2)}\n`);
  await writeFile(join(outDir, 'summary.md'), renderSummaryMarkdown(summary, { title, charts: shown.length > 0 ? shown : chartNames }));
  return { summary, roundsFiles: files, charts };
}

function campaignInfo(campaign: CampaignFile | undefined): Record<string, unknown> | undefined {
  if (!campaign) return undefined;
  const info: Record<string, unknown> = {
    budget: campaign.budget,
    batch: campaign.batch,
    initial: campaign.initial,
    pool: campaign.pool.ids.length,
    eval: campaign.eval.ids.length,
    repeats: campaign.repeats.map((r) => ({ repeat: r.repeat, seed: r.seed })),
  };
  if (campaign.evalFraction !== undefined) info.evalFraction = campaign.evalFraction;
  return info;
}
