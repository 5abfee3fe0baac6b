import { mkdir } from 'node:fs/promises';
import type { PresetName } from '../selector/presets.js';
import { campaignFile, writeCampaignFiles, type CampaignFile } from './campaign-file.js';
import { labelSchedule } from './label-schedule.js';
import { runOracleCampaign, type RoundSignals, type SelectionSettings } from './oracle-campaign.js';
import type { PreparedDataset } from './prepared-dataset.js';
import type { RoundRow } from './round-row.js';
import { writeRoundsFiles } from './rounds-csv.js';
import { stratifiedSample } from './stratified-split.js';

export interface SimulationPlan {
  strategies: readonly PresetName[];
  budget: number;
  batch: number;
  /** Initial labeled items per repeat (stratified random; 0 = cold start). */
  initial: number;
  repeats: number;
  /** Repeat r uses seed + r (initial set, selection seeds, committee bootstraps). */
  seed: number;
  /** Recorded in campaign.json when the split came from --eval-fraction. */
  evalFraction?: number;
  selection?: SelectionSettings;
}

export interface SimulationEvents {
  /** Before the first run: how many rounds all runs take together (for a progress bar with ETA). */
  onStart?(info: { runs: number; roundsPerRun: number; totalRounds: number }): void;
  onRound?(row: RoundRow): void;
  onRunDone?(info: { strategy: string; repeat: number; rows: RoundRow[]; millis: number }): void;
}

export interface SimulationResult {
  rows: RoundRow[];
  signals: RoundSignals[];
  campaign: CampaignFile;
  /** Picked ids per run (`strategy/repeat`) and round, for checks. */
  picks: Map<string, string[][]>;
}

/** Initial labeled ids of each repeat: stratified random of size `initial` with seed + repeat, in pool order. */
export function initialSets(prepared: PreparedDataset, plan: Pick<SimulationPlan, 'initial' | 'repeats' | 'seed'>): CampaignFile['repeats'] {
  const labels = prepared.pool.map((e) => e.label);
  return Array.from({ length: plan.repeats }, (_, repeat) => {
    const seed = plan.seed + repeat;
    const rows = plan.initial > 0 ? stratifiedSample(labels, plan.initial, `initial:${seed}`) : [];
    return { repeat, seed, initial: rows.map((row) => prepared.pool[row]!.id) };
  });
}

/**
 * Runs every strategy × repeat on a prepared dataset and writes the campaign contract (campaign.json,
 * embeddings.f32, first, so a peer can start), then rounds.csv and round-signals.csv after every run (a
 * crash keeps the finished runs). The report (summary, charts) is `writeSimulationReport`.
 */
export async function runSimulation(prepared: PreparedDataset, plan: SimulationPlan, outDir: string, events: SimulationEvents = {}): Promise<SimulationResult> {
  if (plan.budget > prepared.pool.length) throw new RangeError(`budget ${plan.budget} exceeds the pool (${prepared.pool.length} items)`);
  if (!Number.isInteger(plan.repeats) || plan.repeats < 1) throw new RangeError(`repeats must be a positive integer, got ${plan.repeats}`);
  const schedule = labelSchedule(plan);
  const repeats = initialSets(prepared, plan);
  const campaign = campaignFile(prepared, {
    budget: plan.budget,
    batch: plan.batch,
    initial: plan.initial,
    repeats,
    ...(plan.evalFraction !== undefined ? { evalFraction: plan.evalFraction } : {}),
  });
  await mkdir(outDir, { recursive: true });
  await writeCampaignFiles(outDir, prepared, campaign);
  events.onStart?.({ runs: plan.strategies.length * plan.repeats, roundsPerRun: schedule.length, totalRounds: plan.strategies.length * plan.repeats * schedule.length });

  const result: SimulationResult = { rows: [], signals: [], campaign, picks: new Map() };
  for (const strategy of plan.strategies) {
    for (const { repeat, seed, initial } of repeats) {
      const started = performance.now();
      const run = await runOracleCampaign(prepared, {
        strategy,
        repeat,
        seed,
        initialIds: initial,
        schedule,
        ...(plan.selection ? { selection: plan.selection } : {}),
        ...(events.onRound ? { onRound: events.onRound } : {}),
      });
      result.rows.push(...run.rows);
      result.signals.push(...run.signals);
      result.picks.set(`${strategy}/${repeat}`, run.picks);
      await writeRoundsFiles(outDir, result.rows, result.signals);
      events.onRunDone?.({ strategy, repeat, rows: run.rows, millis: performance.now() - started });
    }
  }
  return result;
}
