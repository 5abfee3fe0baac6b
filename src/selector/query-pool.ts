/**
 * One selection round against a store, as named stages read top to bottom:
 *   1. load    (load-round.ts)     the pool, entity graph, coverage, model and its probabilities, leases
 *   2. context (round-context.ts)  the candidates and their components, computed on first use
 *   3. choose  (the strategy)      a SelectionStrategy value picks the batch (registry.ts for the presets)
 *   4. commit  (here)              leases (choosing again when a concurrent query won some picks),
 *                                  explanations with the model's prediction, the round record
 */
import type { CentralityMeasure } from '../../graph/centrality.js';
import type { CoverageSummary, DecayFunction } from '../../graph/coverage.js';
import { recordCampaignRound } from '../campaign/campaign-rounds.js';
import type { ModelCache } from '../model/model-cache.js';
import type { PoolModel } from '../model/pool-model.js';
import type { GraphStore, Lease } from '../store/graph-store.js';
import { explainPick, type ExplainedPick, type PredictionSource } from './explain-picks.js';
import { loadRound, type LoadedRound } from './load-round.js';
import { COLD_START_STRATEGY, type ComponentWeights, type PresetName } from './presets.js';
import { resolveStrategy } from './registry.js';
import { roundContexts } from './round-context.js';
import type { RoundContext, SelectionStrategy, StrategyRun } from './strategy.js';

export type { ExplainedEntity, ExplainedPick, PickPrediction } from './explain-picks.js';

export interface QueryOptions {
  batchSize: number;
  /** A preset name (default `kg-guided`) or any SelectionStrategy value (strategy.ts). */
  strategy?: PresetName | SelectionStrategy;
  /** Overrides of the preset's component weights. */
  weights?: Partial<ComponentWeights>;
  /** Fixes kg-guided's shortlist factor (default: 1 to 30 × batch size, earned from the labels; 0 turns uncertainty-first off). */
  shortlist?: number;
  seed?: number;
  decay?: DecayFunction;
  centrality?: CentralityMeasure;
  /** Committee size. */
  members?: number;
  /** `auto`: the campaign's label budget T (the bandit's horizon). Default 1000. */
  budget?: number;
  /** Record the round in the store (default true). */
  record?: boolean;
  /**
   * Lease the picks to an annotator (the API does): they are reserved for `durationMs` and no other
   * query returns them meanwhile. Picks lost to a concurrent query are replaced by selecting again.
   */
  lease?: { holder: string; durationMs: number };
  /** Reuse the classifier (and committee) fitted for this label set instead of fitting one per query (the API keeps one). */
  modelCache?: ModelCache;
}

export interface QueryResult {
  /**
   * The strategy that chose this batch: the one asked for, or `cold-start` (presets.ts) when that one needs a
   * model and has none; `fallback` then says why. A batch is never reported under a preset that did not choose it.
   */
  strategy: string;
  /** The strategy asked for (a preset name or a custom strategy's name). */
  requestedStrategy: string;
  /** Present when `strategy` is a fallback for `requestedStrategy`: why the requested one could not run. */
  fallback?: { reason: string };
  /** True when the strategy needed a model, had none, and fell back (the picks say to what). */
  coldStart: boolean;
  coldStartReason?: string;
  /** Where the uncertainty came from: the built-in classifier, or an external score on every candidate. */
  uncertaintySource: 'model' | 'external' | 'none';
  weights: ComponentWeights;
  round?: number;
  picks: ExplainedPick[];
  candidates: number;
  /** `reused`: with a model cache, whether the model was fitted by an earlier call for the same label set. */
  model: { status: PoolModel['status']; classes?: string[]; trainedOn?: number; reused?: boolean };
  /** The leases granted to `lease.holder` (one per pick). */
  leases?: Lease[];
  /** Selections made because concurrent queries leased picks first (1 = no race). */
  leaseAttempts?: number;
  /** Unlabeled items left out because they are leased (to anyone: the caller's earlier, unlabeled picks too). */
  leasedElsewhere: number;
  /** kg-guided: the room its knowledge term had (the evidence that earned it, the shortlist it chose among). */
  knowledgeRoom?: StrategyRun['knowledgeRoom'];
  /** `auto`: the bandit's arm probabilities after this round's update, and the reward it applied. */
  bandit?: StrategyRun['bandit'];
  coverage: CoverageSummary;
  /** Centrality and communities: reused from the last `graph refresh` (still current), or computed for this query. */
  graphSource: 'stored' | 'computed';
  evaluations: number;
  /** graph: items, mentions, analytics, coverage; load: embeddings; train: classifier (+ committee) fits; score: the models' pool probabilities + leases; select: the strategy (+ lease retries). */
  millis: { load: number; graph: number; train: number; score: number; select: number };
}

/** Selections tried when concurrent queries keep leasing this query's picks first. */
const MAX_LEASE_ATTEMPTS = 8;

export async function queryPool(store: GraphStore, options: QueryOptions): Promise<QueryResult> {
  const strategy = resolveStrategy(options.strategy);
  const seed = options.seed ?? 1;
  const round = await loadRound(store, {
    needs: strategy.needs,
    seed,
    members: options.members ?? 5,
    ...(options.decay ? { decay: options.decay } : {}),
    ...(options.centrality ? { centrality: options.centrality } : {}),
    ...(options.modelCache ? { modelCache: options.modelCache } : {}),
  });
  const contextFor = roundContexts(round, {
    seed,
    batchSize: options.batchSize,
    budget: options.budget ?? 1000,
    ...(options.weights ? { weights: options.weights } : {}),
    ...(options.shortlist !== undefined ? { shortlist: options.shortlist } : {}),
    ...(options.decay ? { decay: options.decay } : {}),
    state: {
      leasedIds: async () => new Set((await store.activeLeases()).map((l) => l.itemId)),
      update: (name, update) => store.updateState(name, update),
    },
  });
  const t0 = performance.now();
  const chosen = await chooseAndLease(store, strategy, contextFor, round.leased, options.lease);
  const t1 = performance.now();
  const { model } = round;
  // A strategy that needed a model and had none (not a bandit, which still drew among its arms) fell back:
  // the batch is reported, explained and recorded under the fallback's name, with the reason.
  const fallback = chosen.run.coldStart && !chosen.run.bandit ? { reason: fallbackReason(strategy.name, model) } : undefined;
  const usedName = fallback ? COLD_START_STRATEGY : strategy.name;
  const picks = await explainPicks(store, round, chosen, usedName);
  const unlabeledLeased = round.leased.size === 0 ? 0 : Array.from(round.unlabeledPositions).filter((p) => round.leased.has(round.graph.items[p]!.id)).length;
  const result: QueryResult = {
    strategy: usedName,
    requestedStrategy: strategy.name,
    ...(fallback ? { fallback } : {}),
    coldStart: chosen.run.coldStart,
    uncertaintySource: chosen.run.uncertaintySource,
    weights: chosen.run.weights,
    picks,
    candidates: chosen.context.candidateIds.length,
    leasedElsewhere: unlabeledLeased,
    model: {
      ...(model.status === 'trained' ? { status: model.status, classes: model.classNames, trainedOn: model.trainedOn } : { status: model.status }),
      ...(options.modelCache ? { reused: round.modelReused } : {}),
    },
    coverage: round.graph.coverage.summary(),
    graphSource: round.graph.source,
    evaluations: chosen.run.evaluations,
    millis: { ...round.millis, select: t1 - t0 },
  };
  if (chosen.run.knowledgeRoom) result.knowledgeRoom = chosen.run.knowledgeRoom;
  if (chosen.run.bandit) result.bandit = chosen.run.bandit;
  if (chosen.leases) {
    result.leases = chosen.leases;
    result.leaseAttempts = chosen.attempts;
  }
  if (chosen.run.coldStart && model.status === 'untrained') result.coldStartReason = model.reason;
  if ((options.record ?? true) && picks.length > 0) {
    result.round = await store.recordRound({
      strategy: usedName,
      at: new Date().toISOString(),
      ...(options.lease ? { annotator: options.lease.holder } : {}),
      picks: picks.map((p) => ({
        itemId: p.id,
        rank: p.rank,
        score: p.score,
        components: Object.fromEntries(Object.entries(p.components).map(([name, c]) => [name, c.normalized])),
      })),
    });
  }
  if (options.record ?? true) await recordCampaignRound(store, round); // the live campaign's history and stop signal (src/campaign)
  return result;
}

/** Why a strategy that needed a model ran as its cold-start fallback: one line, naming what was asked for. */
function fallbackReason(requested: string, model: PoolModel): string {
  return model.status === 'untrained' ? `${requested} needs a trained model: ${model.reason}` : `${requested} had no model uncertainty to rank by`;
}

interface Chosen {
  run: StrategyRun;
  context: RoundContext;
  leases?: Lease[];
  attempts: number;
}

/**
 * Items another annotator holds are not candidates; with a lease, picks lost to a concurrent query (another
 * process leased them first) are excluded and the batch is chosen again.
 */
async function chooseAndLease(
  store: GraphStore,
  strategy: SelectionStrategy,
  contextFor: (excluded: ReadonlySet<string>) => RoundContext,
  leased: ReadonlySet<string>,
  lease: QueryOptions['lease'],
): Promise<Chosen> {
  const excluded = new Set(leased);
  for (let attempt = 1; ; attempt += 1) {
    const context = contextFor(excluded);
    const run = await strategy.choose(context);
    if (!lease || run.picks.length === 0) return { run, context, attempts: attempt };
    const picked = run.picks.map((p) => p.id);
    const leases = await store.leaseItems({ ids: picked, holder: lease.holder, durationMs: lease.durationMs });
    if (leases.length === picked.length) return { run, context, leases, attempts: attempt };
    const granted = new Set(leases.map((l) => l.itemId));
    // A strategy with state (`auto` has advanced its bandit for this batch) keeps what was granted instead of choosing again.
    if (run.bandit || attempt >= MAX_LEASE_ATTEMPTS) return { run: keepGranted(run, granted), context, leases, attempts: attempt };
    await store.releaseLeases([...granted], lease.holder);
    // Everything leased since this query began (not only the lost picks), so the next try avoids it too.
    for (const id of picked) if (!granted.has(id)) excluded.add(id);
    for (const other of await store.activeLeases()) if (other.holder !== lease.holder) excluded.add(other.itemId);
  }
}

function keepGranted(run: StrategyRun, granted: ReadonlySet<string>): StrategyRun {
  const keep = run.picks.map((p) => granted.has(p.id));
  const picks = run.picks.filter((_, k) => keep[k]).map((p, rank) => ({ ...p, rank: rank + 1 }));
  return { ...run, picks, ...(run.pickStrategies ? { pickStrategies: run.pickStrategies.filter((_, k) => keep[k]) } : {}) };
}

async function explainPicks(store: GraphStore, round: LoadedRound, { run, context }: Chosen, strategyName: string): Promise<ExplainedPick[]> {
  // The listing carries no texts (the bulk of it over Bolt): only the picks' are read.
  const textById = new Map((await store.getItems(run.picks.map((p) => p.id))).map((item) => [item.id, item.text]));
  let predictions: PredictionSource | undefined;
  if (round.model.status === 'trained' && round.probabilities && context.rows) {
    predictions = { classNames: round.model.classNames, probabilities: round.probabilities.classifier, candidateRows: context.rows };
  }
  const { index, entityNames } = round.graph;
  return run.picks.map((pick, k) => explainPick(pick, run.pickStrategies?.[k] ?? strategyName, textById.get(pick.id) ?? '', index, entityNames, predictions));
}
