/**
 * The live campaign's history: one snapshot per labeled set, taken when a query has loaded the pool and
 * trained the model on it (the query path calls `recordCampaignRound`). Kept in the store's named state
 * `campaign` (both stores), so it survives restarts and is shared by API processes on one Neo4j.
 *
 * Predictions are compared on a fixed stop set (Bloodgood & Vijay-Shanker 2009): up to 1,000 embedded
 * items chosen by a hash of their id, so the set does not depend on what was labeled, and grows only a
 * little as items are added. Only the latest round's predictions are kept, for the next round's kappa.
 */
import { createHash } from 'node:crypto';
import type { CoverageSummary } from '../../graph/coverage.js';
import { rowMaxima, type Matrix } from '../model/matrix.js';
import { cohensKappa } from '../simulation/metrics.js';
import type { GraphStore, ItemSummary } from '../store/graph-store.js';
import type { CampaignRound } from './stop-signal.js';

export const CAMPAIGN_STATE = 'campaign';
/** Items of the stop set whose predictions are compared between rounds. */
export const STOP_SET_SIZE = 1000;

/** What the store keeps under CAMPAIGN_STATE. */
export interface CampaignState {
  version: 1;
  /** Hash of the labeled set (ids and labels) of the last round: a round is recorded when it changes. */
  labelsKey: string;
  rounds: CampaignRound[];
  /** The last round's predicted label per stop-set id (absent when it had no model). */
  predictions?: Record<string, string>;
}

/** One round's measurements, before it gets its number and kappa. */
export interface RoundSnapshot {
  at: string;
  labelsKey: string;
  labeled: number;
  coverage: number;
  meanUncertainty: number | null;
  predictions: Record<string, string> | null;
}

/** What a loaded selection round offers the snapshot (the fields of LoadedRound it reads). */
export interface SnapshotSource {
  graph: { items: readonly ItemSummary[]; coverage: { summary(): CoverageSummary } };
  pool: { ids: readonly string[]; labels: ReadonlyArray<string | undefined> };
  model: { status: 'trained'; classNames: readonly string[] } | { status: 'untrained' };
  /** Class probabilities, rows aligned with pool.ids. */
  probabilities?: { classifier: Matrix<Float64Array> };
}

/** Identifies the labeled set: equal keys mean the same items with the same labels. */
export function labelsKeyOf(items: readonly ItemSummary[]): { key: string; labeled: number } {
  const hash = createHash('sha256');
  let labeled = 0;
  for (const item of items) {
    if (item.label === undefined) continue;
    labeled += 1;
    hash.update(item.id).update('\u0000').update(item.label).update('\u0001');
  }
  return { key: hash.digest('base64url'), labeled };
}

/** FNV-1a (32 bit) of a string's UTF-16 code units: a cheap, stable spread of ids. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Indices into `ids` of the stop set: the `size` ids with the smallest hash (ties by id), in index order. */
export function stopSetRows(ids: readonly string[], size: number = STOP_SET_SIZE): number[] {
  if (ids.length <= size) return ids.map((_, i) => i);
  const hashes = ids.map(fnv1a);
  const order = ids.map((_, i) => i).sort((a, b) => hashes[a]! - hashes[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  return order.slice(0, size).sort((a, b) => a - b);
}

/** The round's measurements from a loaded selection round (pure). */
export function snapshotOf(source: SnapshotSource, at: string): RoundSnapshot {
  const { key, labeled } = labelsKeyOf(source.graph.items);
  const coverage = source.graph.coverage.summary().massShare;
  const P = source.model.status === 'trained' ? source.probabilities?.classifier : undefined;
  if (!P || source.model.status !== 'trained') return { at, labelsKey: key, labeled, coverage, meanUncertainty: null, predictions: null };
  const { classNames } = source.model;
  const best = rowMaxima(P);
  let sum = 0;
  let unlabeled = 0;
  for (let row = 0; row < source.pool.ids.length; row += 1) {
    if (source.pool.labels[row] !== undefined) continue;
    sum += 1 - best.value[row]!;
    unlabeled += 1;
  }
  const predictions: Record<string, string> = {};
  for (const row of stopSetRows(source.pool.ids)) predictions[source.pool.ids[row]!] = classNames[best.index[row]!]!;
  return { at, labelsKey: key, labeled, coverage, meanUncertainty: unlabeled > 0 ? sum / unlabeled : null, predictions };
}

/** Kappa between two rounds' predictions on the stop-set ids both have; null when they share none. */
export function predictionKappa(before: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): number | null {
  const a: string[] = [];
  const b: string[] = [];
  for (const [id, label] of Object.entries(now)) {
    const previous = before[id];
    if (previous === undefined) continue;
    a.push(previous);
    b.push(label);
  }
  return a.length === 0 ? null : cohensKappa(a, b);
}

/**
 * The state with the snapshot appended as the next round, or `current` unchanged when the labeled set is
 * the one of the last round (a query without new labels is not a new round). Pure: the store's
 * `updateState` may run it again on a retried transaction.
 */
export function appendRound(current: CampaignState | undefined, snapshot: RoundSnapshot): CampaignState {
  if (current && current.labelsKey === snapshot.labelsKey) return current;
  const rounds = current?.rounds ?? [];
  const kappa = current?.predictions && snapshot.predictions ? predictionKappa(current.predictions, snapshot.predictions) : null;
  const round: CampaignRound = {
    round: (rounds[rounds.length - 1]?.round ?? 0) + 1,
    at: snapshot.at,
    labeled: snapshot.labeled,
    coverage: snapshot.coverage,
    meanUncertainty: snapshot.meanUncertainty,
    kappa,
  };
  const next: CampaignState = { version: 1, labelsKey: snapshot.labelsKey, rounds: [...rounds, round] };
  if (snapshot.predictions) next.predictions = snapshot.predictions;
  return next;
}

/** The campaign's rounds, oldest first (none before the first recorded query). */
export async function readCampaignRounds(store: GraphStore): Promise<CampaignRound[]> {
  const state = (await store.getState(CAMPAIGN_STATE)) as CampaignState | undefined;
  return state?.rounds ?? [];
}

/**
 * Records the round a query has just loaded, when its labeled set differs from the last round's (the
 * query path's one call). Durable once it resolves.
 */
export async function recordCampaignRound(store: GraphStore, source: SnapshotSource): Promise<void> {
  const { key } = labelsKeyOf(source.graph.items);
  const current = (await store.getState(CAMPAIGN_STATE)) as CampaignState | undefined;
  if (current?.labelsKey === key) return; // nothing new: no write
  const snapshot = snapshotOf(source, new Date().toISOString());
  await store.updateState<CampaignState>(CAMPAIGN_STATE, (latest) => appendRound(latest, snapshot));
}
