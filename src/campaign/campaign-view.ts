/**
 * The lead's view of the campaign (GET /v1/campaign, `kgal stats`): current labels per class and per
 * annotator, the recorded rounds and the stop signal.
 */
import type { GraphStore, ItemSummary } from '../store/graph-store.js';
import { sortedRecord } from '../store/graph-store.js';
import { readCampaignRounds } from './campaign-rounds.js';
import { evaluateStopSignal, type CampaignRound, type StopSignal } from './stop-signal.js';

/** The annotator key of labels given without a name (ingested files, the CLI without a column). */
export const NO_ANNOTATOR = '(none)';

export interface CampaignView {
  labelsByClass: Record<string, number>;
  /** By the annotator of each item's current label (its latest label event). */
  labelsByAnnotator: Record<string, number>;
  rounds: CampaignRound[];
  stopSignal: StopSignal;
}

/** Counts of the current labels per class and per annotator (pure). */
export function labelCounts(items: readonly ItemSummary[]): Pick<CampaignView, 'labelsByClass' | 'labelsByAnnotator'> {
  const byClass: Record<string, number> = {};
  const byAnnotator: Record<string, number> = {};
  for (const item of items) {
    if (item.label === undefined) continue;
    byClass[item.label] = (byClass[item.label] ?? 0) + 1;
    const who = item.annotator ?? NO_ANNOTATOR;
    byAnnotator[who] = (byAnnotator[who] ?? 0) + 1;
  }
  return { labelsByClass: sortedRecord(byClass), labelsByAnnotator: sortedRecord(byAnnotator) };
}

export async function campaignView(store: GraphStore): Promise<CampaignView> {
  const [items, rounds] = await Promise.all([store.listItemSummaries(), readCampaignRounds(store)]);
  return { ...labelCounts(items), rounds, stopSignal: evaluateStopSignal(rounds) };
}

/** The stop signal alone (GET /v1/stats, `kgal stats`): reads only the recorded rounds. */
export async function campaignStopSignal(store: GraphStore): Promise<StopSignal> {
  return evaluateStopSignal(await readCampaignRounds(store));
}
