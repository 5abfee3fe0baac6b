import type { CentralityMeasure } from '../../graph/centrality.js';
import { CoverageTracker, type CoverageSummary, type DecayFunction } from '../../graph/coverage.js';
import { selectItems, type EntityIndex, type ItemEntityLists } from '../../graph/entity-index.js';
import { loadGraphState } from '../analytics/graph-state.js';
import { predict } from '../model/logistic-regression.js';
import { rowOf, stackRows, type Matrix } from '../model/matrix.js';
import { loadEmbeddedPool, trainPoolModel, type PoolModel } from '../model/pool-model.js';
import { predictProbaMany } from '../model/pool-probabilities.js';
import { createRandom, shuffled } from '../model/seeded-random.js';
import type { GraphStore, Lease } from '../store/graph-store.js';
import { positionsIn } from '../store/id-order.js';
import { meanCosineSimilarity } from '../strategies/density.js';
import {
  armReport,
  createExp4pState,
  drawBatch,
  importanceWeightedAccuracy,
  rewardItems,
  updateExp4p,
  type BatchDraw,
  type Exp4pState,
} from '../strategies/exp4p.js';
import { PRESET_DEFINITIONS, PRESETS, type ComponentWeights, type PresetName } from './presets.js';
import { selectBatch, type BatchPick, type ComponentReport } from './select-batch.js';
import { COMMITTEE_MEASURES, uncertaintyComponent, type ComponentValues, type PoolProbabilities } from './uncertainty-component.js';

export interface QueryOptions {
  batchSize: number;
  /** Default `kg-guided`. */
  strategy?: PresetName;
  /** Overrides of the preset's component weights. */
  weights?: Partial<ComponentWeights>;
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
}

export interface ExplainedEntity {
  key: string;
  name: string;
  centrality: number;
  coverageBefore: number;
  gapBefore: number;
  community?: number;
}

export interface ExplainedPick {
  id: string;
  text: string;
  rank: number;
  score: number;
  /** The preset that chose the item (`auto:<preset>` when the bandit did). */
  strategy: string;
  components: Record<string, ComponentReport>;
  /** The entities the item mentions, largest gap first: the gaps it fills. */
  entities: ExplainedEntity[];
}

export interface QueryResult {
  strategy: PresetName;
  /** True when no model could be trained and the preset fell back to coverage + density. */
  coldStart: boolean;
  coldStartReason?: string;
  /** Where the uncertainty came from: the built-in classifier, or an external score on every candidate. */
  uncertaintySource: 'model' | 'external' | 'none';
  weights: ComponentWeights;
  round?: number;
  picks: ExplainedPick[];
  candidates: number;
  model: { status: PoolModel['status']; classes?: string[]; trainedOn?: number };
  /** The leases granted to `lease.holder` (one per pick). */
  leases?: Lease[];
  /** Selections made because concurrent queries leased picks first (1 = no race). */
  leaseAttempts?: number;
  /** Unlabeled items left out because they are leased (to anyone: the caller's earlier, unlabeled picks too). */
  leasedElsewhere: number;
  /** `auto`: the bandit's arm probabilities after this round's update, and the reward it applied. */
  bandit?: { arms: Array<{ arm: string; probability: number; weight: number }>; reward?: number };
  coverage: CoverageSummary;
  /** Centrality and communities: reused from the last `graph refresh` (still current), or computed for this query. */
  graphSource: 'stored' | 'computed';
  evaluations: number;
  /** graph: items, mentions, analytics, coverage; load: embeddings; train: classifier (+ committee) fits; score: the models' pool probabilities + setup; select: components + greedy. */
  millis: { load: number; graph: number; train: number; score: number; select: number };
}

type ConcretePreset = Exclude<PresetName, 'auto'>;

/** `auto`: how long an unlabeled draw counts as still in flight (its lease may not be granted yet). */
const IN_FLIGHT_MS = 60_000;

/** Selections tried when concurrent queries keep leasing this query's picks first. */
const MAX_LEASE_ATTEMPTS = 8;

/** Everything a preset needs to rank the candidates of one round; components are computed once and shared. */
interface RoundContext {
  candidateIds: string[];
  entities: ItemEntityLists;
  /** The pool's embedding matrix and each candidate's row in it. */
  embeddings?: Matrix<Float32Array>;
  rows?: Int32Array;
  model: PoolModel;
  externalUncertainty?: ComponentValues;
  newCoverage: () => CoverageTracker;
  component: (measure: NonNullable<(typeof PRESET_DEFINITIONS)[keyof typeof PRESET_DEFINITIONS]['uncertainty']>) => ComponentValues | undefined;
  density: () => ComponentValues | undefined;
  seed: number;
  batchSize: number;
  weights?: Partial<ComponentWeights>;
}

interface PresetRun {
  picks: BatchPick[];
  evaluations: number;
  weights: ComponentWeights;
  coldStart: boolean;
  uncertaintySource: QueryResult['uncertaintySource'];
}

const NO_WEIGHTS: ComponentWeights = { uncertainty: 0, coverage: 0, density: 0, diversity: 0 };

/**
 * One selection round against a store: the pool, the entity graph and the labeled items' coverage, a
 * model when one can be trained, the preset's components, then greedy batch selection with explanations.
 * `auto` asks every preset for its picks and lets the EXP4.P bandit (state kept in the store) choose.
 */
export async function queryPool(store: GraphStore, options: QueryOptions): Promise<QueryResult> {
  const strategy = options.strategy ?? 'kg-guided';
  const seed = options.seed ?? 1;
  const t0 = performance.now();
  const stateOptions = { ...(options.centrality ? { centrality: options.centrality } : {}), ...(options.decay ? { decay: options.decay } : {}) };
  const { items, itemEntities, entityNames, index, coverage, source: graphSource } = await loadGraphState(store, stateOptions);
  const coverageBefore = coverage.summary();
  const t1 = performance.now();
  const pool = await loadEmbeddedPool(store, items);
  const t2 = performance.now();

  const presetMeasure = strategy === 'auto' ? undefined : PRESET_DEFINITIONS[strategy as Exclude<ConcretePreset, 'random'>]?.uncertainty;
  const needsModel = strategy === 'auto' || presetMeasure !== undefined;
  let model: PoolModel = { status: 'untrained', reason: 'no embeddings: run `kgal embed`', labelCounts: {} };
  const needsCommittee = strategy === 'auto' || (presetMeasure !== undefined && COMMITTEE_MEASURES.has(presetMeasure));
  const embeddings: Matrix<Float32Array> | undefined = pool.ids.length > 0 ? pool.embeddings : undefined;
  const unlabeled = items.filter((i) => i.label === undefined);
  // Positions (into `items`) of the unlabeled items, and each item's row in the pool's embedding matrix
  // (−1 when not embedded): both lists are in id order, so no per-id hashing on 100k-item pools.
  const unlabeledPositions = new Int32Array(unlabeled.length);
  for (let p = 0, u = 0; p < items.length; p += 1) if (items[p]!.label === undefined) unlabeledPositions[u++] = p;
  const rowOfItem = positionsIn(
    items.map((i) => i.id),
    pool.ids,
  );
  let probabilities: PoolProbabilities | undefined;
  let trained = t2;
  if (needsModel && embeddings && !externalUncertaintyOf(unlabeled.map((i) => i.meta))) {
    model = trainPoolModel(pool, { seed, members: options.members ?? 5, committee: needsCommittee });
    trained = performance.now();
    if (model.status === 'trained') {
      // Every model the round needs scores the whole pool in one pass (ONNX Runtime for large pools).
      const members = model.committee?.members.map((m) => m.model) ?? [];
      const [classifier, ...committee] = await predictProbaMany([model.classifier, ...members], embeddings);
      probabilities = { classifier: classifier!, ...(members.length > 0 ? { committee } : {}) };
    }
  }

  // Pool-wide component values, computed once and gathered for each candidate set.
  const poolComponents = new Map<string, ComponentValues | undefined>();

  /** The round's context over the unlabeled items not in `excluded` (embedded ones only when the pool is embedded). */
  const contextFor = (excluded: ReadonlySet<string>): RoundContext => {
    // Plain loops: typed-array filter/from with callbacks cost ~10 ms each at 100k candidates.
    const kept = new Int32Array(unlabeledPositions.length);
    let count = 0;
    for (let u = 0; u < unlabeledPositions.length; u += 1) {
      const p = unlabeledPositions[u]!;
      if ((excluded.size === 0 || !excluded.has(items[p]!.id)) && (pool.ids.length === 0 || rowOfItem[p]! >= 0)) kept[count++] = p;
    }
    const positions = kept.subarray(0, count);
    // push, not new Array(count): V8 gives a 100k-slot `new Array` slow dictionary elements.
    const candidateIds: string[] = [];
    const candidateMetas: Array<Record<string, unknown>> = [];
    // Candidates index into the pool's embedding matrix (no copy of 100k × 384 floats per query).
    const candidateRows = new Int32Array(count);
    for (let c = 0; c < count; c += 1) {
      const item = items[positions[c]!]!;
      candidateIds.push(item.id);
      candidateMetas.push(item.meta);
      candidateRows[c] = rowOfItem[positions[c]!]!;
    }
    const externalUncertainty = externalUncertaintyOf(candidateMetas);
    const components = new Map<string, ComponentValues | undefined>();
    let density: ComponentValues | undefined | null = null;
    return {
      candidateIds,
      entities: selectItems(itemEntities, positions),
      model,
      newCoverage: () => new CoverageTracker(coverage.centrality, { decay: coverage.decay, counts: coverage.counts, ...(coverage.community ? { community: coverage.community } : {}) }),
      component: (measure) => {
        if (!components.has(measure)) {
          if (!poolComponents.has(measure)) {
            poolComponents.set(measure, probabilities ? uncertaintyComponent(measure, probabilities) : undefined);
          }
          const values = poolComponents.get(measure);
          components.set(measure, values ? gather(values, candidateRows) : undefined);
        }
        return components.get(measure);
      },
      density: () => {
        if (density === null) {
          density = embeddings ? densityOf(poolDensityOf(embeddings), candidateRows) : undefined;
        }
        return density;
      },
      seed,
      batchSize: options.batchSize,
      ...(embeddings ? { embeddings, rows: candidateRows } : {}),
      ...(externalUncertainty ? { externalUncertainty } : {}),
      ...(options.weights ? { weights: options.weights } : {}),
    };
  };

  // Items another annotator holds are not candidates; with a lease, picks lost to a concurrent query
  // (another process leased them first) are excluded and the batch is selected again.
  const excluded = new Set((await store.activeLeases()).map((l) => l.itemId));
  const leasedElsewhere = excluded.size === 0 ? 0 : unlabeled.filter((i) => excluded.has(i.id)).length;
  const t3 = performance.now();
  let context = contextFor(excluded);
  let run: PresetRun;
  let pickStrategies: string[];
  let bandit: QueryResult['bandit'];
  let leases: Lease[] | undefined;
  let attempt = 1;
  for (; ; attempt += 1) {
    if (strategy === 'auto') {
      const auto = await runAuto(store, context, pool, items.length, options.budget ?? 1000);
      ({ run, bandit } = auto);
      pickStrategies = auto.arms.map((arm) => `auto:${arm}`);
    } else {
      run = runPreset(strategy, context);
      pickStrategies = run.picks.map(() => strategy);
    }
    if (!options.lease || run.picks.length === 0) break;
    const picked = run.picks.map((p) => p.id);
    leases = await store.leaseItems({ ids: picked, holder: options.lease.holder, durationMs: options.lease.durationMs });
    if (leases.length === picked.length) break;
    const granted = new Set(leases.map((l) => l.itemId));
    // `auto` has already advanced its bandit for this batch: keep what was granted instead of drawing again.
    if (strategy === 'auto' || attempt >= MAX_LEASE_ATTEMPTS) {
      const kept = run.picks.flatMap((p, k) => (granted.has(p.id) ? [{ pick: { ...p }, strategy: pickStrategies[k]! }] : []));
      kept.forEach((k, rank) => (k.pick.rank = rank + 1));
      run = { ...run, picks: kept.map((k) => k.pick) };
      pickStrategies = kept.map((k) => k.strategy);
      break;
    }
    await store.releaseLeases([...granted], options.lease.holder);
    // Everything leased since this query began (not only the lost picks), so the next try avoids it too.
    for (const id of picked) if (!granted.has(id)) excluded.add(id);
    for (const lease of await store.activeLeases()) if (lease.holder !== options.lease.holder) excluded.add(lease.itemId);
    context = contextFor(excluded);
  }
  const t4 = performance.now();

  // The listing carries no texts (the bulk of it over Bolt): only the picks' are read.
  const textById = new Map((await store.getItems(run.picks.map((p) => p.id))).map((item) => [item.id, item.text]));
  const explained = run.picks.map((pick, k) => explain(pick, pickStrategies[k]!, textById.get(pick.id) ?? '', index, entityNames));
  const result: QueryResult = {
    strategy,
    coldStart: run.coldStart,
    uncertaintySource: run.uncertaintySource,
    weights: run.weights,
    picks: explained,
    candidates: context.candidateIds.length,
    leasedElsewhere,
    model: model.status === 'trained' ? { status: model.status, classes: model.classNames, trainedOn: model.trainedOn } : { status: model.status },
    coverage: coverageBefore,
    graphSource,
    evaluations: run.evaluations,
    millis: { graph: t1 - t0, load: t2 - t1, train: trained - t2, score: t3 - trained, select: t4 - t3 },
  };
  if (bandit) result.bandit = bandit;
  if (leases) {
    result.leases = leases;
    result.leaseAttempts = attempt;
  }
  if (run.coldStart && model.status === 'untrained') result.coldStartReason = model.reason;
  if ((options.record ?? true) && explained.length > 0) {
    result.round = await store.recordRound({
      strategy,
      at: new Date().toISOString(),
      ...(options.lease ? { annotator: options.lease.holder } : {}),
      picks: explained.map((p) => ({
        itemId: p.id,
        rank: p.rank,
        score: p.score,
        components: Object.fromEntries(Object.entries(p.components).map(([name, c]) => [name, c.normalized])),
      })),
    });
  }
  return result;
}

function runPreset(name: ConcretePreset, context: RoundContext): PresetRun {
  const coverage = context.newCoverage();
  if (name === 'random') {
    const order = shuffled(createRandom(context.seed), context.candidateIds.map((_, i) => i)).slice(0, context.batchSize);
    const picks = order.map((candidate, k) => {
      const raw = coverage.gain(context.entities, candidate);
      const pick: BatchPick = { candidate, id: context.candidateIds[candidate]!, rank: k + 1, score: 0, components: { coverage: { raw, normalized: raw } }, entities: [] };
      coverage.cover(context.entities, candidate);
      return pick;
    });
    return { picks, evaluations: 0, weights: { ...NO_WEIGHTS }, coldStart: false, uncertaintySource: 'none' };
  }
  const preset = PRESET_DEFINITIONS[name];
  const uncertainty = preset.uncertainty ? (context.externalUncertainty ?? context.component(preset.uncertainty)) : undefined;
  const coldStart = preset.uncertainty !== undefined && uncertainty === undefined;
  const weights: ComponentWeights = { ...(coldStart ? preset.coldStart : preset.weights), ...context.weights };
  const density = weights.density > 0 ? context.density() : undefined;
  const candidates = {
    ids: context.candidateIds,
    entities: context.entities,
    ...(context.embeddings && context.rows ? { embeddings: context.embeddings, rows: context.rows } : {}),
  };
  const { picks, evaluations } = selectBatch(candidates, {
    weights,
    batchSize: context.batchSize,
    coverage,
    ...(uncertainty && weights.uncertainty > 0 ? { uncertainty } : {}),
    ...(density ? { density } : {}),
  });
  const uncertaintySource = uncertainty === undefined ? 'none' : uncertainty === context.externalUncertainty ? 'external' : 'model';
  return { picks, evaluations, weights, coldStart, uncertaintySource };
}

/**
 * `auto`: reward the previous batch (libact ALBL's importance-weighted accuracy of the retrained model on
 * every queried item), then let EXP4.P draw this batch from the presets' advice. State lives in the store.
 */
async function runAuto(
  store: GraphStore,
  context: RoundContext,
  pool: Awaited<ReturnType<typeof loadEmbeddedPool>>,
  poolSize: number,
  budget: number,
): Promise<{ run: PresetRun; bandit: NonNullable<QueryResult['bandit']>; arms: string[] }> {
  const arms = PRESETS.filter((p): p is ConcretePreset => p !== 'auto');
  // Every preset's advice first (the expensive part; it does not depend on the bandit's state).
  const runs = new Map(arms.map((arm) => [arm, arm === 'random' ? undefined : runPreset(arm, context)]));
  let rowById: Map<string, number> | undefined;
  const rowOfItem = (id: string): number | undefined => (rowById ??= new Map(pool.ids.map((itemId, row) => [itemId, row]))).get(id);

  // Then the bandit's read-modify-write as one atomic store step: concurrent `auto` queries (other API
  // processes on the same Neo4j) wait for each other instead of both updating the same state. The update
  // is pure apart from noting its reward and draws, so a retried transaction can run it again.
  let reward: number | undefined;
  let drawn: ReturnType<typeof drawBatch> | undefined;
  // Draws still out with an annotator wait for their label instead of being dropped, so a team's
  // interleaved queries keep each other's draws: leased items, and draws younger than a minute (another
  // query's draw whose lease is not granted yet). Older unlabeled, unleased draws are dropped (libact).
  const leased = new Set((await store.activeLeases()).map((l) => l.itemId));
  const now = Date.now();
  const awaiting = (draw: BatchDraw): boolean => leased.has(draw.itemId) || (draw.drawnAt !== undefined && now - draw.drawnAt < IN_FLIGHT_MS);
  const state = await store.updateState<Exp4pState>('auto', (current) => {
    let state = current ?? createExp4pState({ arms, budget });
    reward = undefined;
    if (state.pending.length > 0) {
      const isLabeled = (id: string): boolean => {
        const row = rowOfItem(id);
        return row !== undefined && pool.labels[row] !== undefined;
      };
      const labeled = new Set(state.pending.filter((d) => isLabeled(d.itemId)).map((d) => d.itemId));
      const queried = rewardItems(state, labeled);
      reward = 0;
      if (context.model.status === 'trained' && queried.length > 0) {
        const model = context.model;
        const rows = queried.map((q) => rowOfItem(q.itemId)!);
        const predicted = predict(model.classifier, stackRows(rows.map((row) => rowOf(pool.embeddings, row)), pool.embeddings.cols));
        reward = importanceWeightedAccuracy(
          queried.map((q, k) => ({ weight: q.weight, correct: model.classNames[predicted[k]!] === pool.labels[rows[k]!] })),
          Math.max(poolSize, 1),
          state.budget,
        );
      }
      state = updateExp4p(state, reward, labeled, awaiting);
    }
    const advice = state.arms.map((arm) => {
      const armRun = runs.get(arm as ConcretePreset);
      return armRun ? armRun.picks.map((p) => p.candidate) : ('uniform' as const);
    });
    drawn = drawBatch(state, { candidateIds: context.candidateIds, advice, batchSize: context.batchSize, now }, createRandom(`${context.seed}:${state.rounds}`));
    return drawn.state;
  });
  const draws = drawn!.draws;

  const coverage = context.newCoverage();
  const picks: BatchPick[] = draws.map((draw, k) => {
    const fromArm = runs.get(state.arms[draw.arm] as ConcretePreset)?.picks.find((p) => p.candidate === draw.index);
    const raw = coverage.gain(context.entities, draw.index);
    const pick: BatchPick = fromArm
      ? { ...fromArm, rank: k + 1 }
      : { candidate: draw.index, id: draw.itemId, rank: k + 1, score: 0, components: { coverage: { raw, normalized: raw } }, entities: [] };
    coverage.cover(context.entities, draw.index);
    return pick;
  });
  const kgGuided = runs.get('kg-guided');
  return {
    run: {
      picks,
      evaluations: 0,
      weights: kgGuided?.weights ?? { ...NO_WEIGHTS },
      coldStart: kgGuided?.coldStart ?? false,
      uncertaintySource: kgGuided?.uncertaintySource ?? 'none',
    },
    bandit: { arms: armReport(state), ...(reward !== undefined ? { reward } : {}) },
    arms: draws.map((d) => state.arms[d.arm] ?? 'random'),
  };
}

/**
 * An externally supplied uncertainty (an LLM's mean token entropy, a translation quality estimate...)
 * in item metadata `uncertainty`, used instead of the classifier when every candidate has one; min-max
 * normalised over the candidates (higher = more worth labeling).
 */
function externalUncertaintyOf(metas: ReadonlyArray<Record<string, unknown>>): ComponentValues | undefined {
  if (metas.length === 0 || !metas.every((m) => typeof m.uncertainty === 'number' && Number.isFinite(m.uncertainty))) return undefined;
  const raw = Float64Array.from(metas, (m) => m.uncertainty as number);
  return { raw, normalized: minMax(raw) };
}

/**
 * Density depends on the embeddings alone, and both stores hand out the same matrix object until an
 * embedding changes (a new object then), so it is computed once per matrix, not per query.
 */
const densityByMatrix = new WeakMap<Matrix<Float32Array>, Float64Array>();

function poolDensityOf(embeddings: Matrix<Float32Array>): Float64Array {
  let density = densityByMatrix.get(embeddings);
  if (!density) {
    density = meanCosineSimilarity(embeddings);
    densityByMatrix.set(embeddings, density);
  }
  return density;
}

/** Information density of the candidates within the whole pool (`all`: per pool row), min-max normalised over the candidates. */
function densityOf(all: Float64Array, candidateRows: Int32Array): ComponentValues {
  const raw = pickRows(all, candidateRows);
  return { raw, normalized: minMax(raw) };
}

function pickRows(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let c = 0; c < rows.length; c += 1) out[c] = values[rows[c]!]!;
  return out;
}

/** Values of the pool's rows, picked out for the candidates. */
function gather(values: ComponentValues, rows: Int32Array): ComponentValues {
  return { raw: pickRows(values.raw, rows), normalized: pickRows(values.normalized, rows) };
}

function minMax(raw: Float64Array): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of raw) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const span = max - min;
  return raw.map((v) => (span > 0 ? (v - min) / span : 0));
}

function explain(
  pick: BatchPick,
  strategy: string,
  text: string,
  index: EntityIndex,
  names: Map<string, string>,
): ExplainedPick {
  const components: Record<string, ComponentReport> = {};
  for (const [name, value] of Object.entries(pick.components)) if (value) components[name] = value;
  return {
    id: pick.id,
    text,
    rank: pick.rank,
    score: pick.score,
    strategy,
    components,
    entities: pick.entities.map((e) => {
      const key = index.key(e.entity);
      const entry: ExplainedEntity = { key, name: names.get(key) ?? key, centrality: e.centrality, coverageBefore: e.coverageBefore, gapBefore: e.gapBefore };
      if (e.community !== undefined) entry.community = e.community;
      return entry;
    }),
  };
}
